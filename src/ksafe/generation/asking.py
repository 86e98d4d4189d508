"""One structured ask with its refusal and repair loop, and a journaled session of such asks.

Input: the journaled calls, a model string, the first messages, the reply schema and a check of the parsed
reply. Output: an ``Asked`` holding the valid reply, or the fallback reason (``refused`` or ``invalid``) with
the number of refusals and repairs it took. Side effects: model calls (journaled). ``run_session`` runs a list
of such asks in one event loop under the build's budget and raises a ``KsafeError`` naming what to rerun.

The loop is the one step 2 uses (``writer.write_slot``): a refusal is re-asked once with the
benchmark-construction framing; a reply that is not valid JSON for the schema, or that the check rejects, is
re-asked with the error (at most ``MAX_REPAIRS`` times); a second refusal or a reply still invalid after the
repairs gives the slot back to the pack's data.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ksafe.build.options import BuildOptions
from ksafe.generation.calls import CallStats, ModelCalls
from ksafe.generation.prompts import Message, reframed, repaired
from ksafe.generation.refusal import refusal_of
from ksafe.generation.replies import ReplyError, ReplyModel, parse_reply
from ksafe.generation.writer import MAX_REPAIRS

R = TypeVar("R", bound=ReplyModel)
T = TypeVar("T")


@dataclass
class Asked(Generic[R]):
    """The outcome of one ask."""

    reply: R | None
    fallback: str | None = None
    """``refused`` or ``invalid`` when ``reply`` is ``None``."""
    refusals: int = 0
    repairs: int = 0


async def ask_valid(
    calls: ModelCalls,
    model: str,
    messages: list[Message],
    schema: type[R],
    kind: str,
    refusal_phrases: Sequence[str],
    check: Callable[[R], str | None] = lambda reply: None,
) -> Asked[R]:
    """Ask until the reply parses into ``schema`` and ``check`` finds nothing wrong (see the module docstring)."""
    outcome: Asked[R] = Asked(reply=None)
    reframed_once = False
    while True:
        answer = await calls.ask(model, messages, schema, kind=kind)
        if await refusal_of(answer.text, answer.stop_reason, refusal_phrases):
            outcome.refusals += 1
            if reframed_once:
                outcome.fallback = "refused"
                return outcome
            reframed_once = True
            messages = reframed(messages, answer.text)
            continue
        try:
            reply = parse_reply(answer.text, schema)
            problem = check(reply)
            if problem:
                raise ReplyError(problem)
        except ReplyError as exc:
            if outcome.repairs >= MAX_REPAIRS:
                outcome.fallback = "invalid"
                return outcome
            outcome.repairs += 1
            messages = repaired(messages, answer.text, str(exc))
            continue
        outcome.reply = reply
        return outcome


def run_session(
    options: BuildOptions,
    asks: Callable[[ModelCalls], list[Awaitable[T]]],
    models: tuple[str, ...],
    spent: int = 0,
    what: str = "generator",
) -> tuple[list[T], CallStats]:
    """Run ``asks(calls)`` in one event loop with the build's journal, connections and what is left of the
    budget after ``spent`` new calls of earlier stages.

    Raises:
        KsafeError: the budget is spent, or calls failed after Inspect's retries (every answer so far is
            journaled, so the same command resumes).
    """
    from ksafe.generation.stage import CALLS_JOURNAL, raise_for_failures

    budget = None if options.max_calls is None else max(0, options.max_calls - spent)
    calls = ModelCalls(
        options.out / CALLS_JOURNAL,
        connections=options.generator_connections,
        timeout_s=options.generator_timeout_s,
        max_calls=budget,
    )

    async def run_all() -> list[Any]:
        try:
            calls.check_models(*models)
            return await asyncio.gather(*asks(calls), return_exceptions=True)
        finally:
            await calls.close_models()

    try:
        results = asyncio.run(run_all())
    finally:
        calls.close()
    raise_for_failures(results, calls.stats, options, spent=spent, what=what)
    return results, calls.stats


def add_stats(total: CallStats, more: CallStats) -> None:
    """Add ``more``'s counts to ``total`` (one build's stages)."""
    total.new += more.new
    total.journaled += more.journaled
    total.failed += more.failed
    total.input_tokens += more.input_tokens
    total.output_tokens += more.output_tokens
    total.first_error = total.first_error or more.first_error
    for kind, count in more.by_kind.items():
        total.by_kind[kind] = total.by_kind.get(kind, 0) + count
