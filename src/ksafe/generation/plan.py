"""``ksafe build --plan``: the calls and tokens a generated build will make, before any is made.

Input: build options with a generator. Output: a ``GenerationPlan`` (slots, calls already journaled, the
fewest and most new calls, an estimate of tokens). Side effects: reads the pack, the topics and the journal;
calls no model and writes nothing.

Token estimate: one token per 3 UTF-8 bytes of prompt (a coarse rule that holds within about a factor of two
for Hangul, kana and Latin text under common tokenizers), ``OUTPUT_TOKENS_PER_CANDIDATE`` for each candidate
written and ``CRITIC_TOKENS_PER_CANDIDATE`` for each scored.
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


@dataclass(frozen=True)
class GenerationPlan:
    """What a generated build will ask."""

    slots: int
    journaled: int
    """First prompts already answered in ``OUT/generation/calls.jsonl`` (free)."""
    min_calls: int
    """New calls when every reply is valid: one generator and one critic call per unanswered slot."""
    max_calls: int
    """New calls when every slot needs its reframe and repairs."""
    input_tokens: int
    output_tokens: int
    """Estimates for ``min_calls``."""


def plan_generation(options: BuildOptions) -> GenerationPlan:
    """Plan a generated build's calls (see the module docstring)."""
    from ksafe.build.pipeline import image_kind_lists, strategy_lists, target_counts
    from ksafe.build.plan import plan_units
    from ksafe.cultures.loader import load_pack, load_shared_data
    from ksafe.evaluation.journal import read_journal
    from ksafe.generation.build_hook import planned_slots
    from ksafe.generation.calls import call_key
    from ksafe.generation.prompts import query_messages
    from ksafe.queries.c_queries import make_c_queries
    from ksafe.topics.curated import select_topics

    assert options.generator is not None
    pack = load_pack(options.culture)
    _, c_target = target_counts(options, pack)
    topics = select_topics(pack, options.topics_file)
    c_strategies, _ = strategy_lists(pack, load_shared_data())
    c_kinds, _ = image_kind_lists()
    units = plan_units(make_c_queries(pack, topics, options.seed), c_target, c_strategies, c_kinds, options.seed, "C")
    slots = planned_slots(units, topics)
    answered = {str(r.get("key")) for r in read_journal(options.out / CALLS_JOURNAL)}
    count = options.candidates_per_slot
    journaled = 0
    prompt_bytes = 0
    for slot in slots:
        category = next(c for c in pack.taxonomy.categories if c.id == slot.category)
        example = next((t for t in pack.templates.templates if t.category == slot.category), None)
        messages = query_messages(pack, slot.topic, category, count, example)
        if call_key(options.generator, messages, CandidateBatch) in answered:
            journaled += 1
            continue
        prompt_bytes += sum(len(text.encode("utf-8")) for _, text in messages)
    todo = len(slots) - journaled
    critic_prompt = todo * count * CRITIC_PROMPT_TOKENS_PER_CANDIDATE
    return GenerationPlan(
        slots=len(slots),
        journaled=journaled,
        min_calls=2 * todo,
        max_calls=todo * (2 + MAX_REPAIRS) + todo * (1 + MAX_REPAIRS),
        input_tokens=prompt_bytes // 3 + critic_prompt,
        output_tokens=todo * count * (OUTPUT_TOKENS_PER_CANDIDATE + CRITIC_TOKENS_PER_CANDIDATE),
    )
