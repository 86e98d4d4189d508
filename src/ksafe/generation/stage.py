"""Step 2 for subset C with a generator: slots -> generated candidates -> critic -> query pairs.

Input: the build options (generator, critic, budget), the pack, the slots the build needs and the template
pairs of those slots. Output: query pairs by category (generated ones where the generator delivered, the
templates' where it refused or failed), the per-category counts for the manifest, and a record of every kept
candidate (with its image prompt and borderline variant). Side effects: model calls journaled in
``OUT/generation/calls.jsonl``.

Raises ``KsafeError`` when the budget is spent or calls failed after Inspect's retries: every answer so far
is journaled, so the same command resumes.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ksafe.build.options import BuildOptions
from ksafe.cultures.loader import CulturePack
from ksafe.errors import KsafeError
from ksafe.generation.calls import BudgetSpent, CallFailed, CallStats, ModelCalls
from ksafe.generation.critic import apply_scores, near_duplicates, score_slot
from ksafe.generation.prompts import PROMPT_VERSION
from ksafe.generation.replies import Candidate, RequestTexts
from ksafe.generation.writer import Slot, SlotResult, write_slot
from ksafe.queries.c_queries import QueryPair
from ksafe.schema.base import content_id
from ksafe.schema.records import Query

GENERATION_DIR = "generation"
CALLS_JOURNAL = Path(GENERATION_DIR) / "calls.jsonl"
"""Every answered prompt (kept after the build, so a rerun asks nothing again)."""
CANDIDATES_FILE = Path(GENERATION_DIR) / "candidates.jsonl"
"""The kept candidates with their image prompts and borderline variants."""


@dataclass
class GenerationOutcome:
    """What the generator and critic produced for a build."""

    pairs: dict[tuple[str, str], list[QueryPair]]
    """Generated pairs by (topic id, category); a slot missing here uses its template pairs."""
    counts: dict[str, Any]
    """Per-category counts for the manifest (deterministic for a given journal)."""
    calls: CallStats
    candidates: list[dict[str, Any]] = field(default_factory=list)
    borderline: dict[str, Query] = field(default_factory=dict)
    rewrites: dict[tuple[str, str], str] = field(default_factory=dict)
    """``--rewrite-queries``: the rewritten text-only query by (query id, strategy)."""
    """The borderline variant of every kept candidate, by the pair id of its harmful query."""


def _query(
    pack: CulturePack,
    slot: Slot,
    texts: RequestTexts,
    pair_id: str,
    source: str,
    *,
    is_harmful: bool,
    image_prompt: str = "",
    borderline: bool = False,
) -> Query:
    topic, category = slot.topic, slot.category
    template_id = f"generated:{PROMPT_VERSION}"
    kind: tuple[str, ...] = ("borderline",) if borderline else ()  # keeps the ids of the other queries as they were
    return Query(
        id=content_id(
            "query",
            pack.code,
            "C",
            category,
            topic.id,
            template_id,
            source,
            is_harmful,
            *kind,
            texts.key_phrase,
            texts.prompt,
            texts.query,
        ),
        culture=pack.code,
        language=pack.info.language,
        subset="C",
        category=category,
        domain=pack.taxonomy.domain_of(category),
        topic_id=topic.id,
        topic=topic.name,
        template_id=template_id,
        pair_id=pair_id,
        is_harmful=is_harmful,
        key_phrase=texts.key_phrase,
        prompt=texts.prompt,
        query=texts.query,
        minors=topic.minors,
        borderline=borderline,
        source=source,
        prompt_version=PROMPT_VERSION,
        image_prompt=image_prompt,
    )


def candidate_pair(pack: CulturePack, slot: Slot, candidate: Candidate, source: str) -> QueryPair:
    """The harmful query and its plain benign twin of one generated candidate."""
    pair_id = content_id("pair", pack.code, slot.topic.id, slot.category, source, candidate.harmful.query)
    picture = candidate.image_prompt
    harmful = _query(pack, slot, candidate.harmful, pair_id, source, is_harmful=True, image_prompt=picture)
    benign = _query(pack, slot, candidate.benign, pair_id, source, is_harmful=False)
    return QueryPair(harmful=harmful, benign=benign)


def candidate_borderline(pack: CulturePack, slot: Slot, candidate: Candidate, source: str, harmful_pair: str) -> Query:
    """The borderline benign variant of one candidate, as a borderline query of its own (no harmful twin), as
    the template path makes one of each ``borderline.yaml`` entry."""
    pair_id = content_id("pair", pack.code, "borderline", source, harmful_pair)
    return _query(pack, slot, candidate.borderline, pair_id, source, is_harmful=False, borderline=True)


async def _slot(
    calls: ModelCalls, options: BuildOptions, pack: CulturePack, slot: Slot, done: Callable[[], None]
) -> tuple[SlotResult, Any]:
    assert options.generator is not None
    result = await write_slot(calls, options.generator, pack, slot, options.candidates_per_slot)
    scores = None
    if result.candidates:
        scores = await score_slot(calls, options.critic or options.generator, pack, slot, result.candidates)
    done()
    return result, scores


async def _run_all(
    calls: ModelCalls,
    options: BuildOptions,
    pack: CulturePack,
    slots: list[Slot],
    on_slot: Callable[[], None] = lambda: None,
) -> list[Any]:
    assert options.generator is not None
    try:
        calls.check_models(options.generator, options.critic or options.generator)
    except BaseException:
        await calls.close_models()
        raise
    tasks = [_slot(calls, options, pack, slot, on_slot) for slot in slots]
    try:
        return await asyncio.gather(*tasks, return_exceptions=True)  # a spent budget lets in-flight calls finish
    finally:
        await calls.close_models()


def generate_c_pairs(
    options: BuildOptions, pack: CulturePack, slots: list[Slot], on_slot: Callable[[], None] = lambda: None
) -> GenerationOutcome:
    """Run the generator and critic over ``slots`` (see the module docstring); ``on_slot`` runs as each ends."""
    assert options.generator is not None
    source = options.generator
    calls = ModelCalls(
        options.out / CALLS_JOURNAL,
        connections=options.generator_connections,
        timeout_s=options.generator_timeout_s,
        max_calls=options.max_calls,
    )
    try:
        results = asyncio.run(_run_all(calls, options, pack, slots, on_slot))
    finally:
        calls.close()
    raise_for_failures(results, calls.stats, options)
    per_category: dict[str, Counter[str]] = {}
    pairs: dict[tuple[str, str], list[QueryPair]] = {}
    kept_by_category: dict[str, list[tuple[Slot, Candidate]]] = {}
    for result, scores in results:
        counter = per_category.setdefault(result.slot.category, Counter())
        counter["slots"] += 1
        counter["refusals"] += result.refusals
        counter["repairs"] += result.repairs
        counter["invalid_candidates"] += result.invalid_candidates
        if result.fallback:
            counter[f"fallback_{result.fallback}"] += 1
            continue
        kept = apply_scores(result.candidates, scores, options.critic_min_score, counter)
        kept_by_category.setdefault(result.slot.category, []).extend((result.slot, c) for c in kept)
    records: list[dict[str, Any]] = []
    borderline: dict[str, Query] = {}
    duplicates = near_duplicates([[c.harmful.query for _, c in kept] for kept in kept_by_category.values()])
    for (category, slot_candidates), dropped in zip(kept_by_category.items(), duplicates, strict=True):
        per_category[category]["near_duplicate"] += len(dropped)
        for index, (slot, candidate) in enumerate(slot_candidates):
            if index in dropped:
                continue
            pair = candidate_pair(pack, slot, candidate, source)
            pairs.setdefault((slot.topic.id, slot.category), []).append(pair)
            borderline[pair.harmful.pair_id] = candidate_borderline(pack, slot, candidate, source, pair.harmful.pair_id)
            records.append(
                {
                    "pair_id": pair.harmful.pair_id,
                    "category": category,
                    "topic_id": slot.topic.id,
                    "source": source,
                    "prompt_version": PROMPT_VERSION,
                    **candidate.model_dump(),
                }
            )
    for result, _ in results:
        counter = per_category[result.slot.category]
        if not result.fallback and (result.slot.topic.id, result.slot.category) not in pairs:
            counter["fallback_critic"] += 1  # every candidate rejected: the templates fill the slot
    for counter in per_category.values():
        counter["generated_slots"] = counter["slots"] - sum(v for k, v in counter.items() if k.startswith("fallback_"))
        counter["fallbacks"] = counter["slots"] - counter["generated_slots"]
    counts = {
        "generator": source,
        "critic": options.critic or source,
        "prompt_version": PROMPT_VERSION,
        "category": {c: dict(sorted(v.items())) for c, v in sorted(per_category.items())},
        "totals": {
            k: sum(v.get(k, 0) for v in per_category.values()) for k in sorted(set().union(*per_category.values()))
        },
    }
    return GenerationOutcome(pairs=pairs, counts=counts, calls=calls.stats, candidates=records, borderline=borderline)


def raise_for_failures(
    results: list[Any], stats: CallStats, options: BuildOptions, *, spent: int = 0, what: str = "generator"
) -> None:
    """Raise the ``KsafeError`` a stage's failed asks call for (``spent``: new calls of earlier stages).

    Raises:
        KsafeError: the budget is spent, or some asks failed after Inspect's retries.
    """
    errors = [r for r in results if isinstance(r, BaseException)]
    if not errors:
        return
    done = f"{spent + stats.new} new answers journaled in {options.out / CALLS_JOURNAL}"
    if any(isinstance(e, BudgetSpent) for e in errors):
        raise KsafeError(
            f"--max-calls: the budget of {options.max_calls} new calls is spent ({done}); "
            "rerun with a larger --max-calls to continue"
        )
    failed = [e for e in errors if isinstance(e, CallFailed)]
    if failed:
        raise KsafeError(
            f"{what}: {len(failed)} slot(s) failed after retries ({stats.first_error}); {done}; "
            "rerun the same command to retry them"
        )
    raise errors[0]
