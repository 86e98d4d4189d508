"""Ask one guard about every pending (item, view), journaling each verdict as it arrives.

Input: a ``GuardSpec`` (format + model), its pending (journal id, conversation) pairs (``guard.work``), call
options, and the guard's journal folder. Output: journal records ``{"id": "<view>:<key>", "output": {verdict, latency_s,
t, session}}`` or ``{"id", "error": "[<fault>] <message>"}`` (``ksafe.evaluation.journal``: one atomic
line each; a later run asks again only ids without an output). Side effects: calls the guard through
Inspect's model layer (``get_model(...).generate``) or, for ``openai_moderation``, the openai SDK;
reads image files; appends to the journal.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ksafe.errors import KsafeError
from ksafe.evaluation.engine import GenerateOptions, http_client_args, inline_image, materialize, no_transcript
from ksafe.evaluation.journal import Journal
from ksafe.guard.codec import dumps_line
from ksafe.guard.faults import ProviderBlocked, classify_fault, redact, secret_values
from ksafe.guard.formats import FORMATS, Conversation, GuardFormat, GuardVerdict
from ksafe.guard.work import GuardWork

Classifier = Callable[[Conversation], Any]
"""``await classify(conversation) -> GuardVerdict`` bound to one guard model."""


@dataclass(frozen=True)
class GuardSpec:
    """One ``--guard FORMAT[:image|:text]=MODEL``."""

    spec: str
    """The option as given (the guard's name in results)."""
    format: GuardFormat
    model: str
    reads_images: bool

    @property
    def primary_view(self) -> str:
        """``image`` for guards that read images, else ``text``."""
        return "image" if self.reads_images else "text"


def parse_guard(spec: str, threshold: float = 0.5) -> GuardSpec:
    """Parse ``FORMAT=MODEL`` (``FORMAT:text=`` / ``FORMAT:image=`` overrides whether images are shown).

    Raises:
        KsafeError: no ``=``, an unknown format or modifier, or an empty model.
    """
    head, sep, model = spec.partition("=")
    name, _, modifier = head.strip().partition(":")
    if not sep or not model.strip() or not name:
        raise KsafeError(
            f"--guard {spec!r}: expected FORMAT=MODEL (e.g. llama_guard=vllm/meta-llama/Llama-Guard-4-12B)"
        )
    if modifier not in ("", "image", "text"):
        raise KsafeError(f"--guard {spec!r}: {modifier!r}: expected FORMAT:image=MODEL or FORMAT:text=MODEL")
    if not 0.0 < threshold < 1.0:
        raise KsafeError(f"--threshold {threshold}: expected a probability between 0 and 1")
    try:
        fmt = FORMATS.get(name).configured(threshold)
    except KsafeError as exc:
        raise KsafeError(f"--guard {spec!r}: {exc}") from None
    reads = fmt.reads_images if not modifier else modifier == "image"
    if fmt.images_only and not reads:
        raise KsafeError(f"--guard {spec!r}: {name} classifies images only; drop ':text'")
    return GuardSpec(spec=spec, format=fmt, model=model.strip(), reads_images=reads)


def check_guard(guard: GuardSpec, model_args: dict[str, Any] | None = None, client: str = "inspect") -> None:
    """Resolve the guard's model (no request is made): a missing key or bad model string fails here.

    Raises:
        KsafeError: one line naming the ``--guard`` and the cause.
    """
    if guard.format.backend == "openai_moderation":
        if not os.environ.get("OPENAI_API_KEY"):
            raise KsafeError(f"--guard {guard.spec}: OPENAI_API_KEY is not set (the moderation endpoint needs it)")
        return
    if client == "direct":
        from ksafe.guard.direct import endpoint

        endpoint(guard.model)
        return
    from inspect_ai.model import get_model

    try:
        get_model(guard.model, memoize=False, **(model_args or {}))
    except Exception as exc:  # Inspect's PrerequisiteError (missing key or URL) or ValueError (bad string)
        text = str(getattr(exc, "message", exc)).removeprefix("ERROR: ")
        parts = [" ".join(part.split()) for part in text.split("\n\n") if part.strip()]
        raise KsafeError(redact(f"--guard {guard.spec}: {': '.join(parts)}")) from None


@asynccontextmanager
async def inspect_classifier(
    guard: GuardSpec, options: GenerateOptions, model_args: dict[str, Any] | None
) -> AsyncIterator[Classifier]:
    """A classifier calling the guard through Inspect's ``Model.generate`` (retries, timeouts, connections)."""
    from inspect_ai.model import CachePolicy, GenerateConfig, get_model

    args = {**http_client_args(guard.model, options.http_client), **(model_args or {})}
    model = get_model(guard.model, config=options.config(), memoize=False, **args)
    base = options.config()
    configs: dict[tuple[tuple[str, Any], ...], GenerateConfig] = {}
    cache: CachePolicy | bool = CachePolicy() if options.cache else False

    async def generate(messages: list[Any], *, use_cache: bool = True, **overrides: Any) -> Any:
        key = tuple(sorted(overrides.items()))
        config = configs.get(key)
        if config is None:  # one merge per distinct override set, not per call
            config = configs[key] = base.merge(GenerateConfig(**overrides))
        policy = cache if use_cache else False
        output = await model.generate(await materialize(messages), config=config, cache=policy)
        if output.stop_reason == "content_filter":
            raise ProviderBlocked("the provider's content filter blocked the guard's reply")
        return output

    async def fresh(messages: list[Any], **overrides: Any) -> Any:
        return await generate(messages, use_cache=False, **overrides)

    async def classify(conversation: Conversation) -> GuardVerdict:
        return await guard.format.classify(conversation, fresh if conversation.fresh else generate)

    async with model:
        yield classify


@asynccontextmanager
async def moderation_classifier(guard: GuardSpec, options: GenerateOptions) -> AsyncIterator[Classifier]:
    """A classifier calling ``client.moderations.create`` of the openai SDK (key and URL from the environment)."""
    from openai import AsyncOpenAI

    from ksafe.guard.formats.openai_moderation import OpenAIModeration

    fmt = guard.format
    assert isinstance(fmt, OpenAIModeration)
    kwargs: dict[str, Any] = {}
    if options.http_client == "aiohttp":
        try:
            from openai import DefaultAioHttpClient

            kwargs["http_client"] = DefaultAioHttpClient()
        except (ImportError, RuntimeError):
            pass
    client = AsyncOpenAI(max_retries=options.max_retries, timeout=options.attempt_timeout or 600, **kwargs)
    semaphore = asyncio.Semaphore(options.max_connections)

    async def moderate(inputs: list[dict[str, Any]]) -> Any:
        async with semaphore:
            return await client.moderations.create(model=guard.model, input=inputs)  # type: ignore[arg-type]

    async def classify(conversation: Conversation) -> GuardVerdict:
        uri = await inline_image(conversation.image) if conversation.image else None
        return await fmt.moderate(conversation, moderate, uri)

    async with client:
        yield classify


@asynccontextmanager
async def direct_classifier(guard: GuardSpec, options: GenerateOptions) -> AsyncIterator[Classifier]:
    """A classifier posting to an OpenAI-compatible server with aiohttp (``--client direct``, see ``direct``)."""
    from ksafe.guard.direct import direct_generate

    store = None
    if options.cache:  # the cache of `ksafe eval --client direct`
        from ksafe.clients.response_cache import ResponseCache

        store = ResponseCache(guard.model)
    async with direct_generate(guard.model, options, cache=store) as generate:

        async def blocked_or_output(messages: list[Any], *, use_cache: bool = True, **overrides: Any) -> Any:
            output = await generate(messages, use_cache=use_cache, **overrides)
            if output.stop_reason == "content_filter":
                raise ProviderBlocked("the provider's content filter blocked the guard's reply")
            return output

        async def fresh(messages: list[Any], **overrides: Any) -> Any:
            return await blocked_or_output(messages, use_cache=False, **overrides)

        async def classify(conversation: Conversation) -> GuardVerdict:
            return await guard.format.classify(conversation, fresh if conversation.fresh else blocked_or_output)

        yield classify


CLIENTS = ("inspect", "direct")


def _classifier(guard: GuardSpec, options: GenerateOptions, model_args: dict[str, Any] | None, client: str) -> Any:
    if guard.format.backend == "openai_moderation":
        return moderation_classifier(guard, options)
    if client == "direct":
        return direct_classifier(guard, options)
    return inspect_classifier(guard, options, model_args)


async def classify_all(classify: Classifier, work: GuardWork, journal: Journal, limit: int) -> tuple[int, int]:
    """Classify every conversation with at most ``limit`` in flight; journal each result as it arrives.

    Returns:
        (verdicts, failures) counts.
    """
    pending: Iterator[tuple[str, Conversation]] = iter(work)
    counts = [0, 0]
    session = uuid.uuid4().hex[:8]
    secrets = secret_values()

    async def worker() -> None:
        with no_transcript():
            for rid, conversation in pending:
                started = time.time()
                try:
                    verdict = await classify(conversation)
                except Exception as exc:  # recorded as this item's fault; asked again by the next run
                    kind, message = classify_fault(exc, secrets)
                    failure = {"id": rid, "t": round(time.time(), 3), "error": f"[{kind}] {message}"}
                    journal.write_line(dumps_line(failure))
                    counts[1] += 1
                    continue
                record = verdict.to_json()
                if "raw" in record:
                    record["raw"] = redact(record["raw"], secrets)
                now = time.time()
                record.update(latency_s=round(now - started, 4), t=round(now, 3), session=session)
                journal.write_line(dumps_line({"id": rid, "output": record}))
                counts[0] += 1

    await asyncio.gather(*(worker() for _ in range(max(1, min(limit, len(work))))))
    return counts[0], counts[1]


GuardJob = tuple[GuardSpec, GuardWork, Path]
"""One guard's pending (journal id, conversation) pairs and its journal folder."""


def run_guard_jobs(
    jobs: Sequence[GuardJob],
    options: GenerateOptions,
    model_args: dict[str, Any] | None = None,
    client: str = "inspect",
    prefetch: Callable[[int], bool] | None = None,
) -> list[tuple[int, int]]:
    """Synchronous entry: ask every guard of ``jobs`` at the same time, in one event loop.

    Each guard has its own client, its own connection limit (``options.max_connections``) and a new journal
    file in its folder, so several ``--guard`` of one command overlap instead of running one after another.
    ``prefetch(n)`` (build ``n`` more units of the items, False when none is left: the items other workers
    ask about, which the results need) runs between replies, a few units every ``PREFETCH_PAUSE_S``, then
    at full speed once every job is done. An error there, or anything but a guard's fault in a job, stops
    every job (what was journaled stays).

    Returns:
        (verdicts, failures) per job.
    """

    async def one(guard: GuardSpec, work: GuardWork, journal_dir: Path) -> tuple[int, int]:
        if not len(work):
            return 0, 0
        with Journal(journal_dir / f"verdicts-{uuid.uuid4().hex[:8]}.jsonl") as journal:
            async with _classifier(guard, options, model_args, client) as classify:
                return await classify_all(classify, work, journal, options.max_connections)

    async def build_rest(build: Callable[[int], bool], tasks: list[asyncio.Task[tuple[int, int]]]) -> None:
        while build(PREFETCH_UNITS):
            await asyncio.sleep(0 if all(task.done() for task in tasks) else PREFETCH_PAUSE_S)

    stopped: list[int] = []

    async def main() -> list[tuple[int, int]]:
        with _cancel_on_sigterm(stopped):
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(one(*job)) for job in jobs]
                if prefetch is not None:
                    group.create_task(build_rest(prefetch, tasks))
        return [task.result() for task in tasks]

    with asyncio.Runner(loop_factory=event_loop_factory(client)) as runner:
        try:
            return runner.run(main())
        except BaseExceptionGroup as group:  # the first error of the first failing task, as raised
            raise _first(group) from None
        except asyncio.CancelledError:
            if stopped:  # a plain kill: stopped as Ctrl-C stops it (the command says so; the journal is kept)
                raise KeyboardInterrupt from None
            raise


@contextmanager
def _cancel_on_sigterm(stopped: list[int]) -> Iterator[None]:
    """While inside (in the loop's main task), ``SIGTERM`` cancels the task from within the loop.

    The command turns ``SIGTERM`` into ``KeyboardInterrupt`` (``commands.errors``), a Python-level handler that
    raises wherever the main thread is, which in a running loop is the middle of a transport's callback (uvloop
    then reports a "fatal error on transport" with a traceback). Asyncio's own ``Runner`` does the same for
    ``SIGINT``. ``stopped`` receives the signal number; the previous handler is put back on the way out.
    """
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()

    def stop() -> None:
        stopped.append(signal.SIGTERM)
        if task is not None:
            task.cancel()

    try:
        previous = signal.getsignal(signal.SIGTERM)
        loop.add_signal_handler(signal.SIGTERM, stop)
    except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or no loop signals (Windows)
        yield
        return
    try:
        yield
    finally:
        loop.remove_signal_handler(signal.SIGTERM)
        if previous is not None:  # None: a handler set outside Python, which the loop's replaced for good
            signal.signal(signal.SIGTERM, previous)


PREFETCH_UNITS = 16
PREFETCH_PAUSE_S = 0.002
"""16 benchmark lines take ~0.4 ms to parse and check: about a sixth of the loop while replies come in."""


def _first(group: BaseExceptionGroup) -> BaseException:
    error: BaseException = group
    while isinstance(error, BaseExceptionGroup):
        error = error.exceptions[0]
    return error


def event_loop_factory(client: str) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop for ``--client direct`` where installed (None: asyncio's own).

    A guard answers in one token, so the client's CPU per call sets the throughput; uvloop's loop costs
    ~15% less of it per aiohttp request (``benchmarks/bench_guard.py``). Inspect's model layer keeps
    asyncio's loop (it is not tested on another).
    """
    if client != "direct":
        return None
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def split_error(text: str) -> tuple[str, str]:
    """``"[timeout] ..."`` -> ``("timeout", "...")`` (an unprefixed error is ``error``)."""
    if text.startswith("[") and "] " in text:
        kind, _, message = text[1:].partition("] ")
        return kind, message
    return "error", text
