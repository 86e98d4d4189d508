"""Step 2 for subset G with a generator: the planned G pairs' literal and contextualized versions by the model.

Input: the build options, the pack, the template path's G pairs by category and its G plan. Output: the G
pairs with every planned pair's literal and contextualized versions written by the generator (the English
source version kept), or the pack's ``g_translations.yaml`` version of that pair where the generator refused
or never replied validly, plus the manifest counts. Side effects: model calls journaled in
``OUT/generation/calls.jsonl``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

from ksafe.build.options import BuildOptions
from ksafe.build.plan import PlannedUnit
from ksafe.cultures.loader import CulturePack
from ksafe.generation.asking import Asked, ask_valid, run_session
from ksafe.generation.calls import CallStats, ModelCalls
from ksafe.generation.g_translation import (
    G_PROMPT_VERSION,
    GTexts,
    GTranslationReply,
    check_translation,
    g_messages,
)
from ksafe.generation.replies import RequestTexts
from ksafe.queries.c_queries import QueryPair
from ksafe.queries.sentences import changed_sentences
from ksafe.schema.base import content_id
from ksafe.schema.records import Contextualization, Query


@dataclass
class GOutcome:
    """What the generator produced for G."""

    pairs: dict[str, list[QueryPair]]
    counts: dict[str, Any]
    calls: CallStats


def planned_g_pairs(units: list[PlannedUnit]) -> list[QueryPair]:
    """The G pairs ``units`` use, in plan order, each once."""
    return list({u.pair.harmful.pair_id: u.pair for u in units}.values())


def _rewritten(
    query: Query, texts: RequestTexts, source: str, contextualization: Contextualization | None = None
) -> Query:
    assert query.g_version is not None
    return query.model_copy(
        update={
            "id": content_id(
                "query",
                query.culture,
                "G",
                query.pair_id,
                query.g_version,
                query.is_harmful,
                source,
                G_PROMPT_VERSION,
                texts.key_phrase,
                texts.prompt,
                texts.query,
            ),
            "key_phrase": texts.key_phrase,
            "prompt": texts.prompt,
            "query": texts.query,
            "contextualization": contextualization,
            "source": source,
            "prompt_version": G_PROMPT_VERSION,
        }
    )


def generated_pair(pack: CulturePack, pair: QueryPair, reply: GTranslationReply, source: str) -> QueryPair:
    """``pair`` with its literal and contextualized versions taken from ``reply`` (the English source kept)."""
    english = next(v for v in pair.variants if v.harmful.g_version == "source_en")
    literal = next(v for v in pair.variants if v.harmful.g_version == "literal")
    swaps = tuple((s.what, s.literal, s.local) for s in reply.swaps)

    def versioned(template: QueryPair, texts: GTexts, contextualized: bool) -> QueryPair:
        sides = []
        for query, new, lit in (
            (template.harmful, texts.harmful, reply.literal.harmful),
            (template.benign, texts.benign, reply.literal.benign),
        ):
            context = None
            if contextualized:
                changed, count = changed_sentences(lit.query, new.query, pack.info.sentence_end)
                context = Contextualization(
                    literal=lit.query,
                    contextualized=new.query,
                    swaps=swaps if new.query != lit.query else (),
                    changed_sentences=changed,
                    sentence_count=count,
                )
            sides.append(_rewritten(query, new, source, context))
        return QueryPair(harmful=sides[0], benign=sides[1])

    main = versioned(pair, reply.contextualized, contextualized=True)
    return QueryPair(
        harmful=main.harmful,
        benign=main.benign,
        variants=(english, versioned(literal, reply.literal, contextualized=False)),
    )


def generated_g_pairs(
    options: BuildOptions,
    pack: CulturePack,
    g_pairs: dict[str, list[QueryPair]],
    units: list[PlannedUnit],
    spent: int = 0,
) -> GOutcome:
    """Rewrite the planned G pairs through the generator (see the module docstring); ``spent``: new calls of
    the earlier stages (the ``--max-calls`` budget is the build's)."""
    assert options.generator is not None
    model, source = options.generator, options.generator
    planned = planned_g_pairs(units)
    phrases = pack.refusals.refusal_phrases
    script = pack.info.script

    def asks(calls: ModelCalls) -> list[Awaitable[Asked[GTranslationReply]]]:
        return [
            ask_valid(
                calls,
                model,
                g_messages(pack, pair),
                GTranslationReply,
                "g-translate",
                phrases,
                lambda reply: check_translation(reply, script),
            )
            for pair in planned
        ]

    if not planned:
        return GOutcome(pairs=g_pairs, counts={"prompt_version": G_PROMPT_VERSION, "pairs": 0}, calls=CallStats())
    results, stats = run_session(options, asks, (model,), spent=spent, what="generator (G)")
    counter: Counter[str] = Counter(dict.fromkeys(("generated", "refusals", "repairs", "swaps"), 0))
    replaced: dict[str, QueryPair] = {}
    for pair, asked in zip(planned, results, strict=True):
        counter["pairs"] += 1
        counter["refusals"] += asked.refusals
        counter["repairs"] += asked.repairs
        if asked.reply is None:
            counter[f"fallback_{asked.fallback}"] += 1
            continue
        counter["generated"] += 1
        counter["swaps"] += len(asked.reply.swaps)
        replaced[pair.harmful.pair_id] = generated_pair(pack, pair, asked.reply, source)
    counter["fallbacks"] = counter["pairs"] - counter["generated"]
    pairs = {c: [replaced.get(p.harmful.pair_id, p) for p in ps] for c, ps in g_pairs.items()}
    counts = {"prompt_version": G_PROMPT_VERSION, **dict(sorted(counter.items()))}
    return GOutcome(pairs=pairs, counts=counts, calls=stats)
