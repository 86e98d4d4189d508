"""Choose which (query pair, strategy, image kind) units a build holds.

Input: query pairs per category, a target count, strategies and image kinds. Output: ``PlannedUnit``s that
cover every category, strategy and image kind as evenly as the target allows, never repeating a
(query, strategy). Side effects: none; deterministic for a seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ksafe.queries.c_queries import QueryPair
from ksafe.schema.base import content_id

KIND_ROTATION_ROUNDS = 3
"""A query keeps its image kind for this many strategy rounds, so images are shared across wrappers."""


@dataclass(frozen=True)
class PlannedUnit:
    """One harmful item to build (its benign twin comes with it)."""

    pair: QueryPair
    strategy: str
    image_kind: str


def allocate(total: int, weights: dict[str, int]) -> dict[str, int]:
    """Split ``total`` across keys in proportion to ``weights`` (largest remainder), one at least each if possible."""
    keys = [k for k, w in weights.items() if w > 0]
    if not keys or total <= 0:
        return {k: 0 for k in weights}
    out = {k: 0 for k in weights}
    if total >= len(keys):
        for key in keys:
            out[key] = 1
        remaining = total - len(keys)
    else:
        remaining = total
    weight_sum = sum(weights[k] for k in keys)
    shares = {k: remaining * weights[k] / weight_sum for k in keys}
    for key in keys:
        out[key] += int(shares[key])
    leftover = total - sum(out.values())
    by_remainder = sorted(keys, key=lambda k: (-(shares[k] - int(shares[k])), k))
    for key in by_remainder[:leftover]:
        out[key] += 1
    return out


def plan_units(
    pairs_by_category: dict[str, list[QueryPair]],
    total: int,
    strategies: list[str],
    kinds: list[str],
    seed: int,
    subset: str,
) -> list[PlannedUnit]:
    """Pick ``total`` units spread over categories in proportion to their query counts."""
    capacity = {c: len(p) * len(strategies) for c, p in pairs_by_category.items()}
    quotas = allocate(min(total, sum(capacity.values())), {c: len(p) for c, p in pairs_by_category.items()})
    units: list[PlannedUnit] = []
    # Each category starts its rotation where the previous one stopped, so small builds still reach
    # every strategy and image kind across categories.
    offset = 0
    for category, pairs in pairs_by_category.items():
        quota = min(quotas.get(category, 0), capacity[category])
        if quota == 0:
            continue
        order = list(pairs)
        random.Random(content_id("plan", seed, subset, category)).shuffle(order)
        n = len(order)
        for i in range(quota):
            rounds, j = divmod(i, n)
            units.append(
                PlannedUnit(
                    pair=order[j],
                    strategy=strategies[(j + rounds + offset) % len(strategies)],
                    image_kind=kinds[(j + rounds // KIND_ROTATION_ROUNDS + offset) % len(kinds)],
                )
            )
        offset += quota
    return units
