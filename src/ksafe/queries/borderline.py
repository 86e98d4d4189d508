"""Borderline benign queries (XSTest-style): safe requests worded with alarming words.

Input: a culture pack's ``borderline.yaml`` entries and a count. Output: benign ``Query`` records marked
``borderline`` (no harmful twin), spread over the categories as evenly as the count allows. Side effects:
none. Deterministic for a seed.
"""

from __future__ import annotations

import random

from ksafe.cultures.loader import CulturePack
from ksafe.schema.base import content_id
from ksafe.schema.records import Query
from ksafe.text.template import fill

BORDERLINE_SHARE = 0.05
"""Borderline items per harmful C item in a build (all of the pack's entries at the most)."""


def borderline_count(pack: CulturePack, c_target: int) -> int:
    """How many borderline items a build with ``c_target`` harmful C items holds."""
    if not pack.borderline or c_target <= 0:
        return 0
    wanted = max(len(pack.taxonomy.category_ids), round(c_target * BORDERLINE_SHARE))
    return min(len(pack.borderline), wanted)


def make_borderline_queries(pack: CulturePack, count: int, seed: int) -> list[Query]:
    """``count`` borderline queries, taken round-robin over categories in a seeded order."""
    by_category: dict[str, list[int]] = {}
    for index, entry in enumerate(pack.borderline):
        by_category.setdefault(entry.category, []).append(index)
    for category, indices in by_category.items():
        random.Random(content_id("borderline", seed, pack.code, category)).shuffle(indices)
    chosen: list[int] = []
    while len(chosen) < count and any(by_category.values()):
        for category in pack.taxonomy.category_ids:
            if by_category.get(category) and len(chosen) < count:
                chosen.append(by_category[category].pop(0))
    queries: list[Query] = []
    for index in chosen:
        entry = pack.borderline[index]
        rng = random.Random(content_id("borderline-fill", seed, pack.code, entry.id))
        values = {name: rng.choice(pool) for name, pool in sorted(pack.slots.items())}
        key_phrase, prompt, query_text = (fill(t, values) for t in (entry.key_phrase, entry.prompt, entry.query))
        pair_id = content_id("pair", pack.code, "borderline", entry.id)
        queries.append(
            Query(
                id=content_id("query", pack.code, "C", "borderline", entry.id, key_phrase, prompt, query_text),
                culture=pack.code,
                language=pack.info.language,
                subset="C",
                category=entry.category,
                domain=pack.taxonomy.domain_of(entry.category),
                topic_id=entry.id,
                topic=entry.id,
                template_id=entry.id,
                pair_id=pair_id,
                is_harmful=False,
                key_phrase=key_phrase,
                prompt=prompt,
                query=query_text,
                minors=entry.minors,
                borderline=True,
            )
        )
    return queries
