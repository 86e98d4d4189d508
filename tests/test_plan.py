from collections import Counter

from ksafe.build.plan import allocate, plan_units
from ksafe.queries.c_queries import QueryPair
from ksafe.schema.records import Query


def _pair(category: str, index: int) -> QueryPair:
    def query(harmful: bool) -> Query:
        return Query(
            id=f"{category}-{index}-{harmful}",
            culture="xx",
            language="xx",
            subset="C",
            category=category,
            domain="d",
            topic_id="t",
            topic="t",
            template_id=f"tpl{index}",
            pair_id=f"p{category}{index}",
            is_harmful=harmful,
            key_phrase="k",
            prompt="p",
            query="q",
        )

    return QueryPair(harmful=query(True), benign=query(False))


def test_allocate_sums_to_total_and_gives_each_key_one() -> None:
    shares = allocate(100, {"a": 1, "b": 50, "c": 49})
    assert sum(shares.values()) == 100
    assert min(shares.values()) >= 1
    assert sum(allocate(2, {"a": 5, "b": 5, "c": 5}).values()) == 2


def test_plan_covers_every_category_strategy_and_kind_without_repeats() -> None:
    pairs = {c: [_pair(c, i) for i in range(20)] for c in ("a", "b", "c")}
    strategies = ["none", "s1", "s2", "s3", "s4"]
    kinds = ["k1", "k2", "k3"]
    units = plan_units(pairs, 90, strategies, kinds, seed=1, subset="C")
    assert len(units) == 90
    assert {u.pair.harmful.category for u in units} == {"a", "b", "c"}
    assert set(Counter(u.strategy for u in units)) == set(strategies)
    assert set(Counter(u.image_kind for u in units)) == set(kinds)
    keys = [(u.pair.harmful.id, u.strategy) for u in units]
    assert len(keys) == len(set(keys))


def test_plan_is_deterministic_and_seed_dependent() -> None:
    pairs = {"a": [_pair("a", i) for i in range(30)]}
    first = plan_units(pairs, 40, ["none", "x"], ["k"], seed=3, subset="C")
    again = plan_units(pairs, 40, ["none", "x"], ["k"], seed=3, subset="C")
    other = plan_units(pairs, 40, ["none", "x"], ["k"], seed=4, subset="C")
    assert first == again
    assert first != other


def test_plan_never_exceeds_capacity() -> None:
    pairs = {"a": [_pair("a", i) for i in range(2)]}
    units = plan_units(pairs, 100, ["none", "x", "y"], ["k"], seed=0, subset="C")
    assert len(units) == 6


def test_small_plans_reach_every_strategy_across_categories() -> None:
    pairs = {c: [_pair(c, i) for i in range(30)] for c in "abcdefghijk"}
    strategies = [f"s{i}" for i in range(14)]
    kinds = [f"k{i}" for i in range(6)]
    units = plan_units(pairs, 44, strategies, kinds, seed=0, subset="C")
    assert len(units) == 44
    assert {u.strategy for u in units} == set(strategies)
    assert {u.image_kind for u in units} == set(kinds)
    assert {u.pair.harmful.category for u in units} == set("abcdefghijk")
