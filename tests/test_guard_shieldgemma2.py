"""ShieldGemma 2 (``--guard shieldgemma2=MODEL``): the image alone, one Yes/No request per image policy.

Input: the 48-item fixture benchmark and the scripted guard server (a real HTTP process), whose ShieldGemma 2
decides by the SHA-256 of the image it receives. Output: pytest results. Side effects: writes under tmp_path.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from evalkit.fixture_benchmark import write_fixture_benchmark
from guardkit.server import guard_server
from ksafe.errors import KsafeError
from ksafe.evaluation.engine import GenerateOptions
from ksafe.guard.prompts import SHIELDGEMMA2_POLICIES
from ksafe.guard.run import GuardConfig, run_guards
from ksafe.guard.runner import parse_guard


def test_shieldgemma2_is_an_image_guard() -> None:
    assert parse_guard("shieldgemma2=vllm/google/shieldgemma-2-4b-it").primary_view == "image"
    with pytest.raises(KsafeError, match="classifies images only"):
        parse_guard("shieldgemma2:text=vllm/google/shieldgemma-2-4b-it")


@pytest.mark.parametrize("client", ["inspect", "direct"])
def test_shieldgemma2_asks_each_policy_on_the_image(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, client: str
) -> None:
    bench = tmp_path / "bench"
    items = write_fixture_benchmark(bench)
    sha = {i.id: hashlib.sha256((bench / i.image).read_bytes()).hexdigest() for i in items}
    harmful = [i for i in items if i.is_harmful]
    benign = [i for i in items if not i.is_harmful]
    flagged = {sha[i.id] for i in harmful[2:]} | {sha[benign[0].id]}  # 2 harmful images missed, 1 false positive
    monkeypatch.setenv("FAKE_API_KEY", "test-key-shieldgemma2")
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "cache"))
    with guard_server(tmp_path / "server", rules=dict.fromkeys(flagged, "flag")) as server:
        monkeypatch.setenv("FAKE_BASE_URL", server.base_url)
        results = run_guards(
            GuardConfig(
                source=str(bench),
                guards=("shieldgemma2=openai-api/fake/shieldgemma2",),
                out=tmp_path / "run",
                options=GenerateOptions(max_connections=8, max_tokens=None, cache=False),
                client=client,
                workers=1,
            )
        )
        requests = server.requests()
    g = results.guards[0]
    assert g.view == "image" and g.text_only is None and g.ablation is None  # the item's text is never read
    assert len(requests) == 3 * len(items) and all(r["status"] == 200 and r["image"] for r in requests)
    assert {r["text"] for r in requests} == set(SHIELDGEMMA2_POLICIES.values())
    expected_tp = sum(sha[i.id] in flagged for i in harmful)
    expected_fp = sum(sha[i.id] in flagged for i in benign)
    assert (g.overall.detection_rate.numerator, g.overall.detection_rate.denominator) == (expected_tp, len(harmful))
    assert (g.overall.false_positive_rate.numerator, g.overall.false_positive_rate.denominator) == (
        expected_fp,
        len(benign),
    )
    assert expected_tp == len(harmful) - 2 and expected_fp == 1
    # the server answers Yes (0.9) for the dangerous-content policy only: code "dangerous" -> weaponization
    assert g.overall.auroc is not None and g.overall.category_agreement.denominator == expected_tp


def test_shieldgemma2_refuses_answers(tmp_path: Path) -> None:
    run = tmp_path / "eval"
    run.mkdir()
    (run / "run.json").write_text('{"benchmark": "x"}')
    config = GuardConfig(
        source=str(run), guards=("shieldgemma2=openai-api/fake/m",), out=tmp_path / "o", responses=True
    )
    with pytest.raises(KsafeError, match="classifies images, not answers"):
        run_guards(config)
    assert not (tmp_path / "o").exists()
