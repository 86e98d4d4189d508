"""The critic pass: scores each slot's candidates, drops those below the bar, then drops near-duplicates.

Input: the journaled calls, the critic's model string, the pack and each slot's candidates. Output: the kept
candidates and a count of every rejection reason. Side effects: model calls (journaled); the near-duplicate
check loads the multilingual sentence encoder topic mining uses (``ksafe.topics.mining.encoders``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from ksafe.cultures.loader import CulturePack
from ksafe.generation.calls import ModelCalls
from ksafe.generation.prompts import critic_messages, repaired
from ksafe.generation.refusal import refusal_of
from ksafe.generation.replies import CRITERIA, Candidate, CriticBatch, CriticScore, ReplyError, parse_reply
from ksafe.generation.writer import MAX_REPAIRS, Slot

NEAR_DUPLICATE_COSINE = 0.9
"""Two harmful queries of one category this similar (cosine of sentence vectors) count as one."""


async def score_slot(
    calls: ModelCalls, critic: str, pack: CulturePack, slot: Slot, candidates: list[Candidate]
) -> dict[int, CriticScore] | None:
    """The critic's scores by candidate index, or ``None`` when it refuses or never replies validly."""
    category = next(c for c in pack.taxonomy.categories if c.id == slot.category)
    messages = critic_messages(pack, slot.topic, category, candidates)
    for _ in range(MAX_REPAIRS + 1):
        answer = await calls.ask(critic, messages, CriticBatch, kind="critic")
        if await refusal_of(answer.text, answer.stop_reason, pack.refusals.refusal_phrases):
            return None
        try:
            batch = parse_reply(answer.text, CriticBatch)
        except ReplyError as exc:
            messages = repaired(messages, answer.text, str(exc))
            continue
        return {s.index: s for s in batch.scores if s.index < len(candidates)}
    return None


def apply_scores(
    candidates: list[Candidate], scores: dict[int, CriticScore] | None, min_score: int, reasons: Counter[str]
) -> list[Candidate]:
    """Keep the candidates scoring at least ``min_score`` on every criterion; count why the others went.

    Without scores (the critic refused or failed) every candidate is kept and counted ``critic_unavailable``;
    a candidate the critic skipped is kept and counted ``critic_unscored``.
    """
    if scores is None:
        reasons["critic_unavailable"] += len(candidates)
        return list(candidates)
    kept: list[Candidate] = []
    for index, candidate in enumerate(candidates):
        score = scores.get(index)
        if score is None:
            reasons["critic_unscored"] += 1
            kept.append(candidate)
            continue
        low = [name for name in CRITERIA if getattr(score, name) < min_score]
        for name in low:
            reasons[f"low_{name}"] += 1
        if not low:
            kept.append(candidate)
    return kept


def near_duplicates(groups: Sequence[Sequence[str]], threshold: float = NEAR_DUPLICATE_COSINE) -> list[set[int]]:
    """For each group of texts, the indices too similar to an earlier one of the same group (greedy, in order).

    Every text is encoded in one batch by the shipped multilingual sentence encoder (loaded once).
    """
    if all(len(g) < 2 for g in groups):
        return [set() for _ in groups]
    from ksafe.topics.mining.encoders import encoder_for

    vectors = encoder_for("auto").encode([t for g in groups for t in g])
    out: list[set[int]] = []
    start = 0
    for group in groups:
        block = vectors[start : start + len(group)]
        start += len(group)
        similarity = block @ block.T
        dropped: set[int] = set()
        for i in range(len(group)):
            if i in dropped:
                continue
            for j in range(i + 1, len(group)):
                if j not in dropped and similarity[i, j] >= threshold:
                    dropped.add(j)
        out.append(dropped)
    return out
