"""``ksafe build --plan``: the calls and tokens a generated build will make, before any is made.

Input: build options with a generator. Output: a ``GenerationPlan`` (slots, calls already journaled, the
fewest and most new calls, an estimate of tokens). Side effects: reads the pack, the topics and the journal;
calls no model and writes nothing.

Token estimate: one token per 3 UTF-8 bytes of prompt (a coarse rule that holds within about a factor of two
for Hangul, kana and Latin text under common tokenizers), ``OUTPUT_TOKENS_PER_CANDIDATE`` for each candidate
written and ``CRITIC_TOKENS_PER_CANDIDATE`` for each scored, ``OUTPUT_TOKENS_PER_G_PAIR`` for each G pair and
``OUTPUT_TOKENS_PER_WRAPPER`` for each wrapper text asked.
"""

from __future__ import annotations

from dataclasses import dataclass

from ksafe.build.options import BuildOptions
from ksafe.generation.replies import CandidateBatch
from ksafe.generation.stage import CALLS_JOURNAL
from ksafe.generation.writer import MAX_REPAIRS

OUTPUT_TOKENS_PER_CANDIDATE = 260
CRITIC_TOKENS_PER_CANDIDATE = 45
CRITIC_PROMPT_TOKENS_PER_CANDIDATE = 250
OUTPUT_TOKENS_PER_G_PAIR = 420
"""Two versions of a harmful and a benign request (three texts each) and the swaps."""
OUTPUT_TOKENS_PER_WRAPPER = 120
OUTPUT_TOKENS_PER_REWRITE = 200


@dataclass(frozen=True)
class GenerationPlan:
    """What a generated build will ask."""

    slots: int
    journaled: int
    """First prompts already answered in ``OUT/generation/calls.jsonl`` (free), over every prompt kind."""
    min_calls: int
    """New calls when every reply is valid: one generator and one critic call per unanswered slot, one call per
    unanswered G pair and per unanswered wrapper strategy."""
    max_calls: int
    """New calls when every ask needs its reframe and repairs."""
    input_tokens: int
    output_tokens: int
    """Estimates for ``min_calls``."""
    g_pairs: int = 0
    """G query pairs whose literal and contextualized versions the generator writes."""
    wrapper_strategies: int = 0
    """Jailbreak strategies the generator writes new wrapper texts for."""
    rewrites: int = 0
    """``--rewrite-queries``: jailbreak units whose standard queries the generator rewrites (always counted as
    new calls: their prompts hold generated text, so the plan cannot look them up in the journal)."""


def _prompt_bytes(messages: list[tuple[str, str]]) -> int:
    return sum(len(text.encode("utf-8")) for _, text in messages)


def plan_generation(options: BuildOptions) -> GenerationPlan:
    """Plan a generated build's calls (see the module docstring)."""
    from ksafe.build.pipeline import (
        MAX_G_FILLS_PER_SEED,
        _capped,
        c_image_kinds,
        image_kind_lists,
        strategy_lists,
        target_counts,
    )
    from ksafe.build.plan import plan_units
    from ksafe.cultures.loader import load_pack, load_shared_data
    from ksafe.cultures.pack_model import STRATEGY_NONE
    from ksafe.evaluation.journal import read_journal
    from ksafe.generation.build_hook import planned_slots
    from ksafe.generation.calls import call_key
    from ksafe.generation.g_stage import planned_g_pairs
    from ksafe.generation.g_translation import GTranslationReply, g_messages
    from ksafe.generation.prompts import query_messages
    from ksafe.generation.rewrites import rewrite_messages, rewrite_units
    from ksafe.generation.wrappers import WRAPPERS_PER_STRATEGY, WrapperBatch, wrapper_messages
    from ksafe.jailbreaks.registry import get_strategy
    from ksafe.queries.c_queries import make_c_queries
    from ksafe.queries.g_queries import fills_per_seed, make_g_queries
    from ksafe.topics.curated import select_topics

    assert options.generator is not None
    model = options.generator
    pack = load_pack(options.culture)
    shared = load_shared_data()
    g_target, c_target = target_counts(options, pack)
    topics = select_topics(pack, options.topics_file)
    c_strategies, g_strategies = strategy_lists(pack, shared)
    c_kinds, g_kinds = c_image_kinds(options), image_kind_lists()[1]
    c_pairs = make_c_queries(pack, topics, options.seed)
    fills = min(fills_per_seed(g_target, len(shared.g_seeds.seeds), len(g_strategies)), MAX_G_FILLS_PER_SEED)
    g_pairs = make_g_queries(pack, shared, options.seed, fills) if g_target else {}
    g_target, c_target = _capped(g_target, c_target, g_pairs, c_pairs, g_strategies, c_strategies, lambda _: None)
    units = plan_units(c_pairs, c_target, c_strategies, c_kinds, options.seed, "C")
    g_units = plan_units(g_pairs, g_target, g_strategies, g_kinds, options.seed, "G") if g_target else []
    slots = planned_slots(units, topics)
    answered = {str(r.get("key")) for r in read_journal(options.out / CALLS_JOURNAL)}
    count = options.candidates_per_slot
    journaled = 0
    prompt_bytes = 0
    c_todo = 0
    for slot in slots:
        category = next(c for c in pack.taxonomy.categories if c.id == slot.category)
        example = next((t for t in pack.templates.templates if t.category == slot.category), None)
        messages = query_messages(pack, slot.topic, category, count, example)
        if call_key(model, messages, CandidateBatch) in answered:
            journaled += 1
            continue
        c_todo += 1
        prompt_bytes += _prompt_bytes(messages)
    other_todo = 0
    output_tokens = c_todo * count * (OUTPUT_TOKENS_PER_CANDIDATE + CRITIC_TOKENS_PER_CANDIDATE)
    g_planned = planned_g_pairs(g_units)
    for pair in g_planned:
        messages = g_messages(pack, pair)
        if call_key(model, messages, GTranslationReply) in answered:
            journaled += 1
            continue
        other_todo += 1
        prompt_bytes += _prompt_bytes(messages)
        output_tokens += OUTPUT_TOKENS_PER_G_PAIR
    table = pack.jailbreaks.jailbreaks
    strategies = [n for n in c_strategies if n != STRATEGY_NONE and n in table]
    for name in strategies:
        messages = wrapper_messages(pack, name, table[name], get_strategy(name).description)
        if call_key(model, messages, WrapperBatch) in answered:
            journaled += 1
            continue
        other_todo += 1
        prompt_bytes += _prompt_bytes(messages)
        output_tokens += WRAPPERS_PER_STRATEGY * OUTPUT_TOKENS_PER_WRAPPER
    rewrites = rewrite_units(g_units + units) if options.rewrite_queries else []
    for pair, strategy in rewrites:
        # A rewrite's prompt holds the generated query, unknown before the build: sized on the template pair's
        # and always counted as new (a resumed build may find some in the journal).
        messages = rewrite_messages(pack, pair, strategy, get_strategy(strategy).description)
        other_todo += 1
        prompt_bytes += _prompt_bytes(messages)
        output_tokens += OUTPUT_TOKENS_PER_REWRITE
    critic_prompt = c_todo * count * CRITIC_PROMPT_TOKENS_PER_CANDIDATE
    return GenerationPlan(
        slots=len(slots),
        journaled=journaled,
        min_calls=2 * c_todo + other_todo,
        max_calls=c_todo * (2 + MAX_REPAIRS) + c_todo * (1 + MAX_REPAIRS) + other_todo * (2 + MAX_REPAIRS),
        input_tokens=prompt_bytes // 3 + critic_prompt,
        output_tokens=output_tokens,
        g_pairs=len(g_planned),
        wrapper_strategies=len(strategies),
        rewrites=len(rewrites),
    )
