"""Journaled model calls: every answered prompt is kept, so a killed build never asks it again.

Input: a model string, chat messages and the reply schema. Output: the reply text and stop reason, from the
journal when the same prompt was answered before, else from the model through Inspect's model layer (its
provider, retries and connection limit). Side effects: appends one line per answer to the journal
(``ksafe.evaluation.journal.Journal``: one ``write`` per line, a torn last line is skipped on read).
"""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ksafe.errors import KsafeError
from ksafe.evaluation.journal import Journal, read_journal
from ksafe.generation.prompts import Message
from ksafe.generation.replies import ReplyModel
from ksafe.schema.base import content_id


class BudgetSpent(Exception):
    """The ``--max-calls`` budget allows no new call."""


class CallFailed(Exception):
    """A call failed after Inspect's retries (timeout, server error); rerunning retries it."""


@dataclass(frozen=True)
class Answer:
    """A reply to one prompt."""

    text: str
    stop_reason: str
    journaled: bool
    """True when it came from the journal (no call was made)."""


@dataclass
class CallStats:
    """What the calls of one build cost."""

    new: int = 0
    journaled: int = 0
    failed: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    first_error: str = ""
    by_kind: dict[str, int] = field(default_factory=dict)


@functools.cache
def _response_config(schema: type[ReplyModel]) -> Any:
    """Inspect's ``GenerateConfig`` asking for JSON that follows ``schema`` (built once per schema)."""
    from inspect_ai.model import GenerateConfig, ResponseSchema
    from inspect_ai.util import json_schema

    return GenerateConfig(
        response_schema=ResponseSchema(name=schema.__name__, json_schema=json_schema(schema), strict=False)
    )


def call_key(model: str, messages: list[Message], schema: type[ReplyModel]) -> str:
    """The journal key of a prompt: a hash of the model string, every message and the reply schema's name."""
    return content_id("generation-call", model, [list(m) for m in messages], schema.__name__, length=32)


class ModelCalls:
    """Asks models through Inspect, at most ``connections`` at once, journaling every answer."""

    def __init__(self, journal: Path | None, *, connections: int, timeout_s: int, max_calls: int | None) -> None:
        self._answers: dict[str, dict[str, Any]] = {
            str(r["key"]): r for r in (read_journal(journal) if journal else []) if isinstance(r.get("reply"), str)
        }
        self._journal = Journal(journal) if journal else None
        self._connections = connections
        self._timeout_s = timeout_s
        self._max_calls = max_calls
        self._models: dict[str, Any] = {}
        self._semaphore: asyncio.Semaphore | None = None
        self._inflight: dict[str, asyncio.Future[Answer]] = {}
        self.stats = CallStats()

    def is_answered(self, model: str, messages: list[Message], schema: type[ReplyModel]) -> bool:
        """Whether the journal holds the answer to this prompt."""
        return call_key(model, messages, schema) in self._answers

    def _model(self, name: str) -> Any:
        if name not in self._models:
            from inspect_ai.model import GenerateConfig, get_model

            from ksafe.evaluation.dry_run import model_args_for
            from ksafe.evaluation.engine import http_client_args

            config = GenerateConfig(
                max_connections=self._connections,
                timeout=self._timeout_s * 4,
                attempt_timeout=self._timeout_s,
                max_retries=3,
            )
            # OpenAI-compatible servers go through the openai SDK's aiohttp transport, as in eval (less CPU a
            # call); the client is bound to the running event loop, so models are made inside it.
            args = {**model_args_for(name, {}), **http_client_args(name, "aiohttp")}
            try:
                self._models[name] = get_model(name, config=config, memoize=False, **args)
            except Exception as exc:  # unknown provider, missing API key or package: the user can fix it
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise KsafeError(f"model {name!r}: {first}") from None
        return self._models[name]

    def check_models(self, *names: str) -> None:
        """Resolve ``names`` now (inside the event loop), so a bad model string fails before any call.

        Raises:
            KsafeError: a model string Inspect cannot resolve (unknown provider, missing key or package).
        """
        for name in names:
            self._model(name)

    async def ask(self, model: str, messages: list[Message], schema: type[ReplyModel], kind: str) -> Answer:
        """The reply to ``messages`` (journaled, or asked now).

        Raises:
            BudgetSpent: the prompt is not journaled and the budget allows no new call.
            CallFailed: the call failed after Inspect's retries.
        """
        key = call_key(model, messages, schema)
        known = self._answers.get(key)
        if known is not None:
            self.stats.journaled += 1
            return Answer(str(known["reply"]), str(known.get("stop_reason", "stop")), journaled=True)
        if key in self._inflight:  # the same prompt asked twice at once: one call
            return await asyncio.shield(self._inflight[key])
        if self._max_calls is not None and self.stats.new >= self._max_calls:
            raise BudgetSpent
        self.stats.new += 1
        self.stats.by_kind[kind] = self.stats.by_kind.get(kind, 0) + 1
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            answer = await self._call(model, messages, schema, key, kind)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved here: a waiter may not exist
            raise
        finally:
            self._inflight.pop(key, None)
        future.set_result(answer)
        return answer

    async def _call(self, model: str, messages: list[Message], schema: type[ReplyModel], key: str, kind: str) -> Answer:
        from inspect_ai.model import (
            ChatMessage,
            ChatMessageAssistant,
            ChatMessageSystem,
            ChatMessageUser,
        )

        from ksafe.secrets import redact_values, secret_list

        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self._connections)
        chat: list[ChatMessage] = []
        for role, text in messages:
            if role == "system":
                chat.append(ChatMessageSystem(content=text))
            elif role == "assistant":
                chat.append(ChatMessageAssistant(content=text))
            else:
                chat.append(ChatMessageUser(content=text))
        config = _response_config(schema)
        async with self._semaphore:
            try:
                output = await self._model(model).generate(chat, config=config)
            except Exception as exc:  # Inspect raised after its retries: not journaled, so a rerun asks again
                self.stats.failed += 1
                self.stats.first_error = (
                    self.stats.first_error or redact_values(f"{type(exc).__name__}: {exc}", secret_list())[:300]
                )
                raise CallFailed(str(exc)) from None
        text = redact_values(
            output.completion or "", secret_list()
        )  # a server may echo a key back: never journaled or built in
        stop = str(output.stop_reason or "stop")
        if output.usage is not None:
            self.stats.input_tokens += output.usage.input_tokens
            self.stats.output_tokens += output.usage.output_tokens
        record = {"key": key, "kind": kind, "model": model, "reply": text, "stop_reason": stop}
        if self._journal is not None:
            self._journal.append(record)
        self._answers[key] = record
        return Answer(text, stop, journaled=False)

    async def close_models(self) -> None:
        """Close the models' HTTP clients (call in the event loop that made them)."""
        models, self._models = list(self._models.values()), {}
        for model in models:
            await model.__aexit__(None, None, None)

    def close(self) -> None:
        """Close the journal (fsync)."""
        if self._journal is not None:
            self._journal.close()


def check_model_strings(*names: str) -> None:
    """Resolve Inspect model strings without calling them, before a build touches its folder.

    Raises:
        KsafeError: a model string Inspect cannot resolve (unknown provider, missing key or package).
    """
    calls = ModelCalls(None, connections=1, timeout_s=1, max_calls=0)

    async def resolve() -> None:
        try:
            calls.check_models(*names)
        finally:
            await calls.close_models()

    asyncio.run(resolve())
