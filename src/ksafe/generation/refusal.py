"""Is a generator's reply a refusal? Reuses the offline judge's refusal-act finder.

Input: a reply that did not parse as the expected JSON, its stop reason, the pack's refusal phrases. Output:
whether the model declined to write the data. Side effects: loads the Korean or Japanese analyzer on first use.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

_ANALYZER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ksafe-refusal")
"""One thread runs the morphological analyzer (its first use loads a model for seconds), off the event loop."""

ENGLISH_FALLBACK = ("i can't", "i cannot", "i won't", "i'm sorry", "i am sorry", "unable to help", "not able to")
"""Used only when the structural judge is not importable."""


def is_refusal(reply: str, stop_reason: str = "stop", phrases: Sequence[str] = ()) -> bool:
    """Whether ``reply`` declines the task (a content filter, an empty reply, or a decline act)."""
    if stop_reason == "content_filter" or not reply.strip():
        return True
    if reply.lstrip().startswith(("{", "```")):
        return False  # an attempt at the JSON, however broken: repair it, do not reframe
    try:
        from ksafe.evaluation.structural.refusal import find_acts
        from ksafe.evaluation.structural.sentences import split_sentences
    except ImportError:  # pragma: no cover - the judge ships with ksafe; this guards a trimmed install
        lowered = reply.lower()
        return any(p in lowered for p in ENGLISH_FALLBACK) or any(p in reply for p in phrases)
    acts = find_acts(split_sentences(reply), phrases)
    return any(a.act.kind == "decline" for a in acts)


async def refusal_of(reply: str, stop_reason: str = "stop", phrases: Sequence[str] = ()) -> bool:
    """``is_refusal`` on the analyzer's thread, so the event loop keeps serving the calls in flight."""
    if stop_reason == "content_filter" or not reply.strip() or reply.lstrip().startswith(("{", "```")):
        return is_refusal(reply, stop_reason, phrases)
    return await asyncio.get_running_loop().run_in_executor(_ANALYZER, is_refusal, reply, stop_reason, tuple(phrases))
