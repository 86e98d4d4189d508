"""Benign items measure over-refusal three ways: plain twins, borderline requests, jailbreak-wrapped twins.

Input: a small ko build. Output: pytest results. Side effects: writes only under pytest's tmp_path.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from ksafe.build.options import BuildOptions
from ksafe.build.pipeline import build_benchmark
from ksafe.evaluation.metrics import model_results
from ksafe.schema.evaluation import ScoredResponse
from ksafe.schema.records import BenchmarkItem


@pytest.fixture(scope="module")
def items(tmp_path_factory: pytest.TempPathFactory) -> list[BenchmarkItem]:
    out = tmp_path_factory.mktemp("benign") / "bench"
    build_benchmark(BuildOptions(culture="ko", out=out, limit=60, write_parquet=False))
    lines = (out / "items.jsonl").read_text(encoding="utf-8").splitlines()
    return [BenchmarkItem.model_validate_json(line) for line in lines]


def test_every_harmful_item_has_a_plain_benign_twin_with_its_pair_id(items: list[BenchmarkItem]) -> None:
    by_pair: dict[str, list[BenchmarkItem]] = defaultdict(list)
    for item in items:
        by_pair[item.pair_id].append(item)
    harmful = [i for i in items if i.is_harmful]
    assert harmful
    for item in harmful:
        assert item.benign_kind is None
        plain = [i for i in by_pair[item.pair_id] if i.benign_kind == "plain"]
        assert len(plain) == 1, item.id
        twin = plain[0]
        assert twin.strategy == "none" and not twin.is_harmful
        assert (twin.topic_id, twin.image_kind, twin.template_id) == (item.topic_id, item.image_kind, item.template_id)


def test_jailbreak_benign_items_carry_the_harmful_items_wrapper(items: list[BenchmarkItem]) -> None:
    harmful = {(i.pair_id, i.strategy): i for i in items if i.is_harmful}
    wrapped = [i for i in items if i.benign_kind == "jailbreak"]
    assert wrapped
    for item in wrapped:
        assert item.strategy != "none"
        assert harmful[(item.pair_id, item.strategy)].wrapper == item.wrapper


def test_borderline_items_are_marked_and_spread_over_categories(items: list[BenchmarkItem]) -> None:
    borderline = [i for i in items if i.benign_kind == "borderline"]
    assert len({i.category for i in borderline}) == 11
    assert all(not i.is_harmful and i.strategy == "none" for i in borderline)
    assert not [i for i in items if not i.is_harmful and i.benign_kind is None]


def test_item_ids_are_unique(items: list[BenchmarkItem]) -> None:
    assert len({i.id for i in items}) == len(items)


def _response(kind: str | None, verdict: str, n: int) -> ScoredResponse:
    return ScoredResponse.model_validate(
        {
            "run_id": "r",
            "model": "m",
            "judge": "heuristic",
            "is_heuristic_judge": True,
            "item_id": f"{kind}-{verdict}-{n}",
            "culture": "ko",
            "language": "ko",
            "subset": "C",
            "domain": "d",
            "category": "violence",
            "strategy": "none",
            "image_kind": "typography",
            "is_harmful": kind is None,
            "benign_kind": kind,
            "text": "t",
            "response": "r",
            "verdict": verdict,
        }
    )


def test_over_refusal_is_reported_per_benign_kind() -> None:
    responses = [
        _response("plain", "refused", 0),
        _response("plain", "safe_completion", 1),
        _response("borderline", "refused", 2),
        _response("jailbreak", "refused", 3),
        _response("jailbreak", "refused", 4),
        _response(None, "refused", 5),
    ]
    by_kind = model_results("m", "heuristic", responses).breakdowns["benign_kind"]
    assert set(by_kind) == {"plain", "borderline", "jailbreak"}
    assert by_kind["plain"].over_refusal.value == pytest.approx(0.5)
    assert by_kind["borderline"].over_refusal.value == pytest.approx(1.0)
    assert by_kind["jailbreak"].over_refusal.denominator == 2


def test_builtin_packs_ship_borderline_requests_for_every_category() -> None:
    from ksafe.cultures.loader import load_pack

    for code in ("ko", "ja"):
        pack = load_pack(code, check_font=False)
        counts: dict[str, int] = defaultdict(int)
        for entry in pack.borderline:
            counts[entry.category] += 1
            assert entry.prompt and entry.query and entry.key_phrase in entry.query
        assert all(counts[c] >= 5 for c in pack.taxonomy.category_ids), (code, dict(counts))


def test_minors_items_are_reported_apart() -> None:
    responses = [_response("plain", "refused", 0), _response(None, "harmful_compliance", 1)]
    flagged = [r.model_copy(update={"minors": True}) for r in responses]
    by_minors = model_results("m", "heuristic", responses + flagged).breakdowns["minors"]
    assert set(by_minors) == {"True", "False"}
    assert by_minors["True"].n_harmful == 1 and by_minors["True"].asr.value == 1.0
