"""The hook ``build_benchmark`` calls when a build has a generator.

Input: the options, pack, topics, the template path's C pairs and its C plan. Output: C pairs by category in
which every slot the plan uses (a (topic, category) pair) holds the generator's queries, or its template
queries where the generator refused or failed, plus the ``GenerationOutcome``. Side effects: model calls
journaled under ``OUT/generation/``; ``write_candidates`` writes ``OUT/generation/candidates.jsonl``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ksafe.build.options import BuildOptions
from ksafe.build.plan import PlannedUnit
from ksafe.cultures.loader import CulturePack
from ksafe.cultures.pack_model import STRATEGY_NONE
from ksafe.fileio import write_text_atomic
from ksafe.generation.stage import CANDIDATES_FILE, GenerationOutcome, generate_c_pairs
from ksafe.generation.writer import Slot
from ksafe.queries.c_queries import QueryPair
from ksafe.schema.base import canonical_json
from ksafe.schema.records import Query, Topic


def planned_slots(units: list[PlannedUnit], topics: tuple[Topic, ...]) -> list[Slot]:
    """The (topic, category) slots of ``units``, in plan order, each once."""
    by_id = {t.id: t for t in topics}
    keys = dict.fromkeys((u.pair.harmful.topic_id, u.pair.harmful.category) for u in units)
    return [Slot(topic=by_id[topic_id], category=category) for topic_id, category in keys]


def generated_c_pairs(
    options: BuildOptions,
    pack: CulturePack,
    topics: tuple[Topic, ...],
    template_pairs: dict[str, list[QueryPair]],
    template_units: list[PlannedUnit],
    report: Callable[[str, int, int | None], None],
) -> tuple[dict[str, list[QueryPair]], GenerationOutcome]:
    """Replace the planned slots' template pairs with generated ones (see the module docstring)."""
    slots = planned_slots(template_units, topics)
    report("generate", 0, len(slots))
    outcome = generate_c_pairs(options, pack, slots, on_slot=lambda: report("generate", 1, None))
    by_slot: dict[tuple[str, str], list[QueryPair]] = {}
    for category, pairs in template_pairs.items():
        for pair in pairs:
            by_slot.setdefault((pair.harmful.topic_id, category), []).append(pair)
    result: dict[str, list[QueryPair]] = {c: [] for c in template_pairs}
    for slot in slots:
        key = (slot.topic.id, slot.category)
        result[slot.category].extend(outcome.pairs.get(key) or by_slot.get(key, []))
    return result, outcome


def borderline_rows(
    pack: CulturePack, outcome: GenerationOutcome, units: list[PlannedUnit], count: int, seed: int
) -> list[Query]:
    """The build's ``count`` borderline queries: the generated borderline variants of the candidates the C plan
    uses, taken round-robin over the categories in plan order, then the pack's ``borderline.yaml`` queries for
    what is left (as many as the template path would hold, so the benchmark's make-up does not change)."""
    from ksafe.queries.borderline import make_borderline_queries

    by_category: dict[str, list[Query]] = {}
    seen: set[str] = set()
    for unit in units:
        query = outcome.borderline.get(unit.pair.harmful.pair_id)
        if query is not None and query.query not in seen:
            seen.add(query.query)
            by_category.setdefault(query.category, []).append(query)
    chosen: list[Query] = []
    while len(chosen) < count and any(by_category.values()):
        for category in pack.taxonomy.category_ids:
            if by_category.get(category) and len(chosen) < count:
                chosen.append(by_category[category].pop(0))
    if len(chosen) < count:
        chosen += make_borderline_queries(pack, count - len(chosen), seed)
    return chosen


def generated_g_and_wrappers(
    options: BuildOptions,
    pack: CulturePack,
    g_pairs: dict[str, list[QueryPair]],
    g_units: list[PlannedUnit],
    strategies: list[str],
    outcome: GenerationOutcome,
) -> tuple[list[PlannedUnit], CulturePack]:
    """G and step 4 with the generator, after step 2's C: the G plan with every planned pair's literal and
    contextualized versions rewritten (the same pairs, strategies and image kinds), and the pack with the
    generated wrappers added (also written to ``OUT/generation/jailbreaks.yaml``). Their counts go into
    ``outcome.counts`` (``g``, ``wrappers``) and their call costs into ``outcome.calls``."""
    import dataclasses

    from ksafe.generation.asking import add_stats
    from ksafe.generation.g_stage import generated_g_pairs
    from ksafe.generation.wrappers import generated_wrappers, write_wrappers

    g = generated_g_pairs(options, pack, g_pairs, g_units, spent=outcome.calls.new)
    add_stats(outcome.calls, g.calls)
    by_id = {p.harmful.pair_id: p for pairs in g.pairs.values() for p in pairs}
    units = [dataclasses.replace(u, pair=by_id.get(u.pair.harmful.pair_id, u.pair)) for u in g_units]
    wrappers = generated_wrappers(options, pack, [s for s in strategies if s != STRATEGY_NONE], outcome.calls.new)
    add_stats(outcome.calls, wrappers.calls)
    outcome.counts["g"] = g.counts
    outcome.counts["wrappers"] = wrappers.counts
    jailbreaks = write_wrappers(options.out, wrappers.jailbreaks)
    return units, dataclasses.replace(pack, jailbreaks=jailbreaks)


def generated_rewrite_texts(
    options: BuildOptions, pack: CulturePack, units: list[PlannedUnit], outcome: GenerationOutcome
) -> None:
    """``--rewrite-queries``: put the rewritten text-only queries of ``units`` into ``outcome.rewrites`` and
    their counts into ``outcome.counts["rewrites"]``."""
    from ksafe.generation.asking import add_stats
    from ksafe.generation.rewrites import generated_rewrites

    rewrites = generated_rewrites(options, pack, units, spent=outcome.calls.new)
    add_stats(outcome.calls, rewrites.calls)
    outcome.rewrites = rewrites.texts
    outcome.counts["rewrites"] = rewrites.counts


def write_candidates(out: Path, outcome: GenerationOutcome) -> None:
    """Write the kept candidates (image prompts and borderline variants included), one JSON object a line."""
    lines = "".join(canonical_json(record) + "\n" for record in outcome.candidates)
    write_text_atomic(out / CANDIDATES_FILE, lines)
