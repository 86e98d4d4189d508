"""The answer loop of ``ksafe eval``: Inspect's model layer driven by a bounded asyncio pool.

Input: Inspect ``Sample`` objects (images as file paths), an Inspect model string and generate
options. Output: one journal record per sample, appended as soon as its answer (or its final error,
after Inspect's retries) arrives: ``{"id", "output"}`` (an Inspect ``ModelOutput`` as JSON) or
``{"id", "error"}``. Side effects: calls the model through ``inspect_ai.model.Model.generate``
(Inspect's provider, retries, ``max_connections`` and response cache); reads image files.

Why not ``eval_set``: Inspect's sample machinery (transcripts, sample buffer database, per-sample
events) costs ~25 ms of CPU per sample, which caps a 2-core machine far below the network's
throughput; this loop keeps only what a single-turn evaluation needs (see docs/design/eval-engine.md).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Collection, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, TypeVar

from inspect_ai.dataset import Sample
from inspect_ai.model import ChatMessage, ChatMessageUser, ContentImage, GenerateConfig, Model, get_model

from ksafe.clients.images import inline_image
from ksafe.evaluation.journal import Journal
from ksafe.evaluation.judging import JudgeSet
from ksafe.secrets import redact


@dataclass(frozen=True)
class GenerateOptions:
    """Options of the target calls (mirrors the ``ksafe eval`` flags)."""

    max_connections: int = 16
    max_retries: int = 6
    timeout: int | None = 300
    attempt_timeout: int | None = 120
    max_tokens: int | None = 1024
    cache: bool = True
    http_client: str = "aiohttp"
    """HTTP client of ``openai-api/...`` targets under Inspect: ``aiohttp`` (the openai SDK's aiohttp
    transport) or ``httpx``."""
    client: str = "auto"
    """``inspect`` (Inspect's model layer), ``direct`` (ksafe's lean aiohttp client, ``openai-api/...`` only)
    or ``auto`` (direct for ``openai-api/<service>/<model>`` targets, Inspect otherwise)."""
    temperature: float | None = None
    top_p: float | None = None
    seed: int | None = None
    """Sampling options, sent as given (None: the server's default)."""

    def config(self) -> GenerateConfig:
        """The Inspect ``GenerateConfig`` of the target model."""
        return GenerateConfig(
            max_connections=self.max_connections,
            max_retries=self.max_retries,
            timeout=self.timeout,
            attempt_timeout=self.attempt_timeout,
            max_tokens=self.max_tokens,
            temperature=self.temperature,
            top_p=self.top_p,
            seed=self.seed,
        )


CLIENTS = ("auto", "inspect", "direct")
DIRECT_PREFIX = "openai-api/"


def resolve_client(model_name: str, client: str, model_args: dict[str, Any] | None = None) -> str:
    """``direct`` or ``inspect``: the client that calls ``model_name`` (``auto``: direct for ``openai-api/...``).

    Model arguments (``model_args``, e.g. ``custom_outputs`` of ``mockllm``) are Inspect's: with them,
    ``auto`` is Inspect.

    Raises:
        ValueError: ``client`` is none of ``CLIENTS``.
    """
    if client not in CLIENTS:
        raise ValueError(f"--client: {client!r}: expected one of {', '.join(CLIENTS)}")
    if client == "auto":
        return "direct" if model_name.startswith(DIRECT_PREFIX) and not model_args else "inspect"
    return client


HTTP_CLIENTS = ("aiohttp", "httpx")
AIOHTTP_PROVIDERS = ("openai-api/",)
"""Model-string prefixes whose Inspect provider takes an openai SDK ``http_client`` (OpenAI-compatible servers)."""


def http_client_args(model_name: str, http_client: str) -> dict[str, Any]:
    """Model args that send an OpenAI-compatible target's requests through aiohttp, or ``{}``.

    The openai SDK ships an aiohttp transport for its client (``DefaultAioHttpClient``, the
    ``openai[aiohttp]`` extra) "for improved concurrency performance": at 64 connections it takes
    less CPU per request than the default httpx pool (docs/design/eval-engine.md). Inspect's own
    timeouts, pool size and system trust store are kept; proxies come from the environment as with
    httpx. ``httpx`` (or a provider outside ``AIOHTTP_PROVIDERS``) leaves Inspect's default client.
    Call inside the event loop that will use the client.
    """
    if http_client not in HTTP_CLIENTS:
        raise ValueError(f"--http-client: {http_client!r}: expected one of {', '.join(HTTP_CLIENTS)}")
    if http_client != "aiohttp" or not model_name.startswith(AIOHTTP_PROVIDERS):
        return {}
    try:
        from openai import DefaultAioHttpClient
    except ImportError:  # openai without its aiohttp transport: Inspect's default client
        return {}
    from ksafe.evaluation.inspect_compat import http_client_defaults

    try:
        return {"http_client": DefaultAioHttpClient(**http_client_defaults())}
    except RuntimeError:  # the aiohttp extra is not installed
        return {}


SDK_RETRY_PROVIDERS = ("openai/", "openai-api/", "vllm/", "ollama/", "together/", "groq/", "anthropic/")
"""Providers whose SDK client retries on its own (``max_retries``, 2 by default) under Inspect's retries."""


def sdk_retry_args(model_name: str) -> dict[str, Any]:
    """Model args that turn the provider SDK's own retries off: Inspect's are the one retry layer.

    Without this, ``--max-retries N`` would send (N + 1) x 3 requests for a failing item (the openai SDK
    retries twice inside each of Inspect's attempts). Providers outside ``SDK_RETRY_PROVIDERS`` are not
    touched.
    """
    return {"max_retries": 0} if model_name.startswith(SDK_RETRY_PROVIDERS) else {}


class _DropEvents:
    """A model-event sink that keeps no transcript (events would hold the inlined images)."""

    def on_pending(self, event: Any) -> None:
        """Ignore the pending event."""

    def on_complete(self, event: Any) -> None:
        """Ignore the completed event."""


def no_transcript() -> AbstractContextManager[None]:
    """Drop Inspect's model events while inside (so a transcript never keeps inlined images)."""
    from ksafe.evaluation.inspect_compat import model_event_sink

    return model_event_sink(_DropEvents())


async def materialize(messages: Sequence[ChatMessage]) -> list[ChatMessage]:
    """Return ``messages`` with image file paths inlined as data URIs (for the request only)."""
    result: list[ChatMessage] = []
    for message in messages:
        content = message.content
        if isinstance(content, str) or not any(isinstance(c, ContentImage) for c in content):
            result.append(message)
            continue
        parts = [
            ContentImage(image=await inline_image(c.image), detail=c.detail) if isinstance(c, ContentImage) else c
            for c in content
        ]
        result.append(ChatMessageUser(content=parts))
    return result


def error_text(error: BaseException) -> str:
    """``Type: message`` of a failed call, secrets redacted; a retry wrapper shows its last attempt's error.

    Inspect raises tenacity's ``RetryError`` once its retries are spent, whose text is only a future's
    repr; the error that made the last attempt fail is what a user can act on.
    """
    last: Any = getattr(error, "last_attempt", None)  # tenacity.RetryError
    inner = last.exception() if last is not None and getattr(last, "failed", False) else None
    attempts = ""
    if isinstance(inner, BaseException):
        count = int(last.attempt_number)
        attempts = f" (after {count} attempt{'s' if count != 1 else ''})"
        error = inner
    given_up = getattr(error, "ksafe_attempts", None)  # the direct client's retries, spent
    if isinstance(given_up, int):
        attempts = f" (after {given_up} attempt{'s' if given_up != 1 else ''})"
    text = f"{type(error).__name__}: {error}"
    root = error
    for _ in range(10):  # down to the transport's own words, e.g. the host it could not reach
        if root.__cause__ is None:
            break
        root = root.__cause__
    if root is not error and str(root) and str(root) not in text:
        text += f", caused by {type(root).__name__}: {root}"
    return redact(text + attempts)


class MalformedReplyError(Exception):
    """A provider reply that parsed but holds no answer (e.g. ``{"choices": []}``): an error, retried."""


def checked_output(output: Any) -> Any:
    """Return ``output`` when it holds an answer; raise ``MalformedReplyError`` when it does not.

    A reply without choices, or one Inspect marked with an error and no text, is not a final answer:
    it is journaled as an error so the next run asks again.
    """
    if not getattr(output, "choices", None):
        raise MalformedReplyError("the provider's reply holds no choices (no answer)")
    if getattr(output, "error", None) and not output.completion.strip():
        raise MalformedReplyError(f"the provider's reply is an error: {str(output.error)[:500]}")
    return output


def answer_record(sample_id: str, output: Any = None, error: BaseException | None = None) -> dict[str, Any]:
    """The journal record of one finished sample (an error's text has every known secret redacted)."""
    record: dict[str, Any] = {"id": sample_id, "t": round(time.time(), 3)}
    if error is not None:
        record["error"] = error_text(error)[:2000]
    else:
        record["output"] = output.model_dump(mode="json", exclude_none=True)
    return record


def without_secrets(output: Any, secrets: Sequence[str]) -> Any:
    """``output``, or a copy with every known secret redacted when its answer echoes one of ``secrets``.

    A server may quote the request's key back in an answer; the answer is journaled, judged (a judge may
    quote it) and exported, so it is redacted before any of that.
    """
    if not secrets or not any(secret in output.completion for secret in secrets):
        return output
    import json

    return type(output).model_validate(json.loads(redact(json.dumps(output.model_dump(mode="json")))))


Judges = Sequence[tuple[str, Any]]
"""(name, Inspect ``Scorer``) pairs: the run's judges."""


async def judge(model_name: str, sample: Sample, output: Any, judges: Judges) -> dict[str, Any]:
    """Score one answer with every judge (the scorers ``ksafe_mm`` uses), as JSON-ready dicts."""
    from inspect_ai.model import ModelName
    from inspect_ai.scorer import Target
    from inspect_ai.solver import TaskState

    target = Target(sample.target)
    answer = [output.message] if output.choices else []  # a logged reply may hold none (older runs)
    state = TaskState(
        model=ModelName(model_name),
        sample_id=sample.id if sample.id is not None else "",
        epoch=1,
        input=sample.input,
        messages=[*([] if isinstance(sample.input, str) else sample.input), *answer],
        target=target,
        output=output,
        metadata=dict(sample.metadata or {}),
        completed=True,
    )
    scores: dict[str, Any] = {}
    for name, scorer in judges:
        try:
            score = await scorer(state, target)
        except Exception as exc:  # a judge's failure is recorded as judge_error (re-judged by the next run)
            score = judge_failure(name, exc)
        scores[name] = score.model_dump(mode="json", exclude_none=True)
    return scores


def judge_failure(name: str, error: BaseException) -> Any:
    """The ``judge_error`` score of a judge that raised instead of giving a verdict."""
    from inspect_ai.scorer import Score

    return Score(value="judge_error", explanation=f"judge failed: {error_text(error)[:500]}", metadata={"judge": name})


def scores_record(sample_id: str, scores: dict[str, Any]) -> dict[str, Any]:
    """The journal record of one sample's judge scores."""
    return {"id": sample_id, "scores": scores}


Ask = Callable[[Sequence[ChatMessage], bool], Awaitable[Any]]
"""``ask(messages, use_cache) -> ModelOutput``: one call of the target (a client's generate)."""


def inspect_ask(model: Model, options: GenerateOptions) -> Ask:
    """``Ask`` through Inspect's ``Model.generate`` (images inlined here; Inspect's response cache)."""
    from inspect_ai.model import CachePolicy

    config = options.config()
    cache: CachePolicy | bool = CachePolicy() if options.cache else False

    async def ask(messages: Sequence[ChatMessage], use_cache: bool) -> Any:
        return await model.generate(await materialize(messages), config=config, cache=cache if use_cache else False)

    return ask


async def answer_all(
    ask: Ask,
    model_name: str,
    samples: Sequence[Sample],
    journal: Journal,
    options: GenerateOptions,
    judges: Judges = (),
    uncached: Collection[str] = (),
) -> tuple[int, int]:
    """Answer every sample with at most ``max_connections`` in flight, then judge it.

    The answer is journaled as soon as it arrives (before any judge runs), the scores right after.
    Samples in ``uncached`` (their last call failed) bypass the response cache, which may hold the
    malformed reply that failed them.

    Returns:
        (answered, errors) counts.
    """
    from ksafe.secrets import secret_list

    pending: Iterator[Sample] = iter(samples)
    counts = [0, 0]
    secrets = secret_list()

    async def worker() -> None:
        for sample in pending:
            sample_id = str(sample.id)
            try:
                output = checked_output(await ask(sample.input, sample_id not in uncached))  # type: ignore[arg-type]
            except Exception as exc:  # recorded as the sample's error (never as an answer)
                journal.append(answer_record(sample_id, error=exc))
                counts[1] += 1
                continue
            output = without_secrets(output, secrets)
            journal.append(answer_record(sample_id, output))
            counts[0] += 1
            if judges:
                journal.append(scores_record(sample_id, await judge(model_name, sample, output, judges)))

    workers = max(1, min(options.max_connections, len(samples)))
    await asyncio.gather(*(worker() for _ in range(workers)))
    return counts[0], counts[1]


T = TypeVar("T")


async def for_each(items: Sequence[T], limit: int, step: Callable[[T], Awaitable[None]]) -> None:
    """Await ``step(item)`` for every item, at most ``limit`` at once (one shared iterator, no task per item)."""
    pending = iter(items)

    async def worker() -> None:
        for item in pending:
            await step(item)

    await asyncio.gather(*(worker() for _ in range(max(1, min(limit, len(items))))))


async def judge_missing(
    model_name: str,
    samples: Sequence[Sample],
    outputs: dict[str, Any],
    journal: Journal,
    judges: Judges,
    limit: int,
    needs: dict[str, set[str]] | None = None,
) -> None:
    """Judge answers that lack scores: a crash came between answer and judge, or a judge failed.

    ``needs`` maps a sample id to the judge names to run on it (default: every judge).
    """

    async def step(sample: Sample) -> None:
        sample_id = str(sample.id)
        wanted = [(n, s) for n, s in judges if needs is None or n in needs.get(sample_id, set())]
        scores = await judge(model_name, sample, outputs[sample_id], wanted)
        journal.append(scores_record(sample_id, scores))

    await for_each(samples, limit, step)


def run_answers(
    model_name: str,
    samples: Sequence[Sample],
    journal: Journal,
    options: GenerateOptions,
    model_args: dict[str, Any] | None = None,
    judges: JudgeSet | None = None,
    uncached: Collection[str] = (),
) -> tuple[int, int]:
    """Synchronous entry: resolve the Inspect model, answer and judge ``samples`` into ``journal``.

    The judges' analyzers for the samples' languages load first (before any request is in flight).
    """
    if judges is not None:
        judges.prepare(sample_languages(samples))

    async def main() -> tuple[int, int]:
        scoring = (judges or JudgeSet()).open(options.config())
        if resolve_client(model_name, options.client, model_args) == "direct":
            from ksafe.clients.openai_direct import body_options, direct_generate
            from ksafe.clients.response_cache import ResponseCache

            store = ResponseCache(model_name) if options.cache else None
            body = body_options(options.config())
            async with direct_generate(model_name, options, defaults=body, cache=store) as generate, scoring as scorers:

                async def ask(messages: Sequence[ChatMessage], use_cache: bool) -> Any:
                    return await generate(messages, use_cache=use_cache)

                return await answer_all(ask, model_name, samples, journal, options, scorers, frozenset(uncached))
        args = {**sdk_retry_args(model_name), **http_client_args(model_name, options.http_client), **(model_args or {})}
        model = get_model(model_name, config=options.config(), memoize=False, **args)
        with no_transcript():
            async with model, scoring as scorers:
                call = inspect_ask(model, options)
                return await answer_all(call, str(model), samples, journal, options, scorers, frozenset(uncached))

    return asyncio.run(main())


def sample_languages(samples: Sequence[Sample]) -> set[str]:
    """The item languages of ``samples`` (``metadata["language"]``), e.g. ``{"ko", "en"}``."""
    return {str((sample.metadata or {}).get("language", "en")).split("-")[0] for sample in samples}


def run_judge_missing(
    model_name: str,
    samples: Sequence[Sample],
    outputs: dict[str, Any],
    journal: Journal,
    judges: JudgeSet,
    options: GenerateOptions,
    needs: dict[str, set[str]] | None = None,
) -> None:
    """Synchronous entry of ``judge_missing``."""

    judges.prepare(sample_languages(samples))

    async def main() -> None:
        async with judges.open(options.config()) as scorers:
            await judge_missing(model_name, samples, outputs, journal, scorers, options.max_connections, needs)

    asyncio.run(main())
