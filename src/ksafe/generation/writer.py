"""The generator's turn for one (topic, category) slot: ask, validate, re-ask, or give the slot back.

Input: the journaled calls, the generator's model string, the pack, a topic and a category. Output: a
``SlotResult`` with the valid candidates, or a fallback reason (the build then uses the pack's templates for
the slot). Side effects: model calls (journaled).

The loop: a refusal is re-asked once with the benchmark-construction framing; a reply that is not valid JSON
for the schema, or whose candidates break the pack's checks, is re-asked with the error (at most
``MAX_REPAIRS`` times); a second refusal or a reply still invalid after the repairs falls back.
"""

from __future__ import annotations

from dataclasses import dataclass

from ksafe.cultures.loader import CulturePack
from ksafe.generation.calls import ModelCalls
from ksafe.generation.prompts import query_messages, reframed, repaired
from ksafe.generation.refusal import refusal_of
from ksafe.generation.replies import Candidate, CandidateBatch, ReplyError, check_candidate, parse_reply
from ksafe.schema.records import Topic

MAX_REPAIRS = 2
"""Re-asks with the validation error before a slot falls back to the templates."""


@dataclass(frozen=True)
class Slot:
    """A (topic, category) pair the build writes queries for."""

    topic: Topic
    category: str


@dataclass
class SlotResult:
    """What the generator gave for one slot."""

    slot: Slot
    candidates: list[Candidate]
    fallback: str | None = None
    """``refused`` or ``invalid`` when the slot falls back to the templates."""
    refusals: int = 0
    repairs: int = 0
    invalid_candidates: int = 0
    """Schema-valid candidates dropped by the pack checks (language, topic)."""


def topic_terms(topic: Topic) -> tuple[str, ...]:
    """Words of which the harmful query must hold one: the topic's name and keywords."""
    return tuple(dict.fromkeys([topic.name, *topic.keywords]))


async def write_slot(calls: ModelCalls, model: str, pack: CulturePack, slot: Slot, count: int) -> SlotResult:
    """Ask ``model`` for ``count`` candidates for ``slot``."""
    category = next(c for c in pack.taxonomy.categories if c.id == slot.category)
    example = next((t for t in pack.templates.templates if t.category == slot.category), None)
    messages = query_messages(pack, slot.topic, category, count, example)
    phrases = pack.refusals.refusal_phrases
    result = SlotResult(slot=slot, candidates=[])
    reframed_once = False
    while True:
        answer = await calls.ask(model, messages, CandidateBatch, kind="queries")
        if await refusal_of(answer.text, answer.stop_reason, phrases):
            result.refusals += 1
            if reframed_once:
                result.fallback = "refused"
                return result
            reframed_once = True
            messages = reframed(messages, answer.text)
            continue
        try:
            batch = parse_reply(answer.text, CandidateBatch)
            problems = [check_candidate(c, pack.info.script, topic_terms(slot.topic)) for c in batch.candidates]
            good = [c for c, problem in zip(batch.candidates, problems, strict=True) if problem is None]
            if not good:
                raise ReplyError("; ".join(dict.fromkeys(p for p in problems if p)))
        except ReplyError as exc:
            if result.repairs >= MAX_REPAIRS:
                result.fallback = "invalid"
                return result
            result.repairs += 1
            messages = repaired(messages, answer.text, str(exc))
            continue
        result.invalid_candidates = len(batch.candidates) - len(good)
        result.candidates = _distinct(good)[:count]
        return result


def _distinct(candidates: list[Candidate]) -> list[Candidate]:
    seen: set[str] = set()
    out: list[Candidate] = []
    for candidate in candidates:
        if candidate.harmful.query not in seen:
            seen.add(candidate.harmful.query)
            out.append(candidate)
    return out
