"""Guard breakdowns by kind of item on a real (template) build: plain, borderline and jailbreak-framed.

Input: a small ko build (it holds plain and jailbreak-wrapped benign twins and borderline benign requests).
Output: pytest results. Side effects: writes under pytest's tmp_path; runs the scripted guard server.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guardkit.server import guard_server
from ksafe.build.options import BuildOptions
from ksafe.build.pipeline import build_benchmark
from ksafe.evaluation.dataset import ItemFilter
from ksafe.evaluation.engine import GenerateOptions
from ksafe.guard.items import GuardItem
from ksafe.guard.run import GuardConfig, run_guards
from ksafe.schema.records import BenchmarkItem


def test_kind_of_item_marks_borderline_benign_requests() -> None:
    def item(harmful: bool, strategy: str, benign_kind: str | None) -> GuardItem:
        return GuardItem(
            key="k",
            item_id="i",
            g_version=None,
            subset="C",
            domain="d",
            category="privacy",
            strategy=strategy,
            image_kind="typography",
            is_harmful=harmful,
            language="ko",
            text="t",
            text_only="t",
            image=None,
            benign_kind=benign_kind,
        )

    assert item(True, "none", None).kind == "plain"
    assert item(True, "SudoMode", None).kind == "jailbreak_framed"
    assert item(False, "none", "plain").kind == "plain"
    assert item(False, "none", "borderline").kind == "borderline"
    assert item(False, "SudoMode", "jailbreak").kind == "jailbreak_framed"
    assert item(False, "none", None).kind == "plain"  # a benchmark written before benign_kind existed


def test_guard_breakdown_by_kind_on_a_build_with_borderline_items(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = tmp_path / "bench"
    build_benchmark(BuildOptions(culture="ko", out=bench, limit=24, write_parquet=False))
    items = [BenchmarkItem.model_validate_json(line) for line in (bench / "items.jsonl").read_text().splitlines()]
    borderline = [i for i in items if i.benign_kind == "borderline"]
    framed = [i for i in items if i.benign_kind == "jailbreak"]
    plain = [i for i in items if i.benign_kind == "plain"]
    harmful = [i for i in items if i.is_harmful]
    assert borderline and framed and plain and harmful
    # the guard flags every harmful request, one borderline request and one framed benign twin
    rules = {borderline[0].text: "flag", framed[0].text: "flag"}
    rules.update({i.text: "flag" for i in harmful})
    rules.update({i.text: "pass" for i in items if not i.is_harmful and i.text not in rules})
    monkeypatch.setenv("FAKE_API_KEY", "test-key-kinds")
    with guard_server(tmp_path / "server", rules=rules) as server:
        monkeypatch.setenv("FAKE_BASE_URL", server.base_url)
        results = run_guards(
            GuardConfig(
                source=str(bench),
                guards=("binary_logprob=openai-api/fake/binary_logprob",),
                out=tmp_path / "run",
                item_filter=ItemFilter(g_versions=("contextualized",)),
                ablation=False,
                options=GenerateOptions(max_connections=8, max_tokens=None, cache=False),
                client="direct",
                workers=1,
            )
        )
    kinds = results.guards[0].breakdowns["kind"]
    assert set(kinds) == {"plain", "borderline", "jailbreak_framed"}
    assert kinds["borderline"].n_harmful == 0 and kinds["borderline"].detection_rate.denominator == 0
    assert (kinds["borderline"].false_positive_rate.numerator, kinds["borderline"].n_benign) == (1, len(borderline))
    assert (kinds["jailbreak_framed"].false_positive_rate.numerator, kinds["jailbreak_framed"].n_benign) == (
        1,
        len(framed),
    )
    assert (kinds["plain"].false_positive_rate.numerator, kinds["plain"].n_benign) == (0, len(plain))
    framed_harmful = sum(i.strategy != "none" for i in harmful)
    assert kinds["jailbreak_framed"].detection_rate.numerator == framed_harmful
    assert kinds["plain"].detection_rate.numerator == len(harmful) - framed_harmful
    saved = json.loads((tmp_path / "run" / "results.json").read_text())["guards"][0]["breakdowns"]["kind"]
    assert saved["borderline"]["false_positive_rate"]["denominator"] == len(borderline)
    rows = [json.loads(line) for line in (tmp_path / "run" / "verdicts.jsonl").read_text().splitlines()]
    assert sum(r["kind"] == "borderline" for r in rows) == len(borderline)
    csv = (tmp_path / "run" / "tables" / "guard_breakdowns.csv").read_text()
    assert ",kind,borderline," in csv
