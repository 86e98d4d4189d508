"""A lean OpenAI-compatible chat-completions client (``ksafe eval`` and ``ksafe guard`` ``--client direct``).

Inspect's model layer costs ~5 ms of client CPU per call (the openai SDK ~2.2 ms, Inspect's wrapper the rest;
``benchmarks/bench_call_overhead.py``), a raw aiohttp POST ~0.1 ms: on a 2-core machine the model layer,
not the server, caps throughput (docs/design/eval-engine.md). This client posts the same request with
aiohttp and builds the same Inspect ``ModelOutput`` (text, finish reason, logprobs, usage), with its own
retries: 408/409/429/5xx, attempt timeouts and connection errors are retried with jittered exponential
backoff, up to ``max_retries`` and within ``timeout`` seconds. Only ``openai-api/<service>/<model>``
targets (Inspect's convention: ``<SERVICE>_BASE_URL``, ``<SERVICE>_API_KEY``).

Input: chat messages and generate options. Output: ``ModelOutput``. Side effects: HTTP requests; reads
image files (inlined as data URIs); with a ``ResponseCache``, reads and writes its files.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from inspect_ai.model import (
    ChatCompletionChoice,
    ChatMessage,
    ChatMessageAssistant,
    ContentImage,
    ContentText,
    Logprob,
    Logprobs,
    ModelOutput,
    ModelUsage,
    TopLogprob,
)
from pydantic import ValidationError

from ksafe.clients.codec import dumps, loads

try:  # here, not per call: imported before workers fork, they share it
    from ksafe.clients import http11
except ImportError:  # pragma: no cover - httptools is a dependency; aiohttp does the same work
    http11 = None  # type: ignore[assignment]
from ksafe.clients.images import inline_image

if TYPE_CHECKING:
    from ksafe.clients.response_cache import ResponseCache

PREFIX = "openai-api/"
_IDS = (f"ksafe-direct-{n}" for n in itertools.count())
STOP_REASONS = {"stop": "stop", "length": "max_tokens", "content_filter": "content_filter", "tool_calls": "tool_calls"}
RETRY_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})
BODY_FIELDS = {
    "max_tokens": "max_tokens",
    "temperature": "temperature",
    "top_p": "top_p",
    "seed": "seed",
    "stop_seqs": "stop",
    "frequency_penalty": "frequency_penalty",
    "presence_penalty": "presence_penalty",
    "logprobs": "logprobs",
    "top_logprobs": "top_logprobs",
}
"""Inspect ``GenerateConfig`` field -> chat-completions body field (what the request passes through)."""


class HTTPStatusError(Exception):
    """The server answered with an error status (``Error code: 503 - ...``, read by ``classify_fault``)."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(f"Error code: {status} - {text[:300]}")
        self.status = status


class AttemptTimeoutError(RuntimeError):
    """One attempt took longer than ``attempt_timeout`` (retried; Inspect's name and words for it)."""

    def __init__(self, timeout: float | None) -> None:
        super().__init__(f"attempt_timeout '{timeout or 0:g}' exceeded.")


class MalformedBodyError(ValueError):
    """HTTP 200 whose body is not a JSON object (the item's fault: not retried)."""


def endpoint_problem(model: str) -> str | None:
    """Why ``model`` cannot be called directly (one line naming the variable or the form), or None."""
    service, _, name = model.removeprefix(PREFIX).partition("/")
    if not model.startswith(PREFIX) or not service or not name:
        return "expected openai-api/<service>/<model> (use --client inspect)"
    env = service.upper().replace("-", "_")
    for variable in (f"{env}_BASE_URL", f"{env}_API_KEY"):
        value = os.environ.get(variable, "").strip()  # a trailing newline from a key file is no part of it
        if not value:
            return f"{variable} is not set"
        if not value.isascii() or not value.isprintable() or " " in value:
            # sent in the request line or a header: a line break would inject one (the value is never shown)
            return f"{variable} holds a space, a line break or a non-ASCII character"
    if not os.environ[f"{env}_BASE_URL"].strip().startswith(("http://", "https://")):
        return f"{env}_BASE_URL must start with http:// or https://"
    return None


def endpoint(model: str) -> tuple[str, str, str]:
    """(chat completions URL, API key, model name) of an ``openai-api/<service>/<model>`` model.

    Raises:
        KsafeError: another provider, or ``<SERVICE>_BASE_URL`` / ``<SERVICE>_API_KEY`` unset.
    """
    problem = endpoint_problem(model)
    if problem is not None:
        from ksafe.errors import KsafeError

        raise KsafeError(f"--client direct: {model}: {problem}")
    service, _, name = model.removeprefix(PREFIX).partition("/")
    env = service.upper().replace("-", "_")
    base, key = os.environ[f"{env}_BASE_URL"].strip().rstrip("/"), os.environ[f"{env}_API_KEY"].strip()
    return base + "/chat/completions", key, name


def body_options(config: Any) -> dict[str, Any]:
    """The chat-completions body fields of an Inspect ``GenerateConfig`` (the ones set, see ``BODY_FIELDS``)."""
    return {body: value for field, body in BODY_FIELDS.items() if (value := getattr(config, field, None)) is not None}


async def message_json(message: ChatMessage) -> dict[str, Any]:
    """One chat message as the API takes it (images inlined as data URIs)."""
    if isinstance(message.content, str):
        return {"role": message.role, "content": message.content}
    parts: list[dict[str, Any]] = []
    for part in message.content:
        if isinstance(part, ContentText):
            parts.append({"type": "text", "text": part.text})
        elif isinstance(part, ContentImage):
            image: dict[str, Any] = {"url": await inline_image(part.image)}
            if part.detail != "auto":
                image["detail"] = part.detail
            parts.append({"type": "image_url", "image_url": image})
    if message.role == "assistant":
        return {"role": "assistant", "content": "".join(p.get("text", "") for p in parts)}
    return {"role": message.role, "content": parts}


def _logprobs(choice: Mapping[str, Any]) -> Logprobs | None:
    content = (choice.get("logprobs") or {}).get("content")
    if not content:
        return None
    try:  # one validation of the whole list in pydantic's core, as Inspect's provider does (``bytes`` kept)
        return Logprobs.model_validate({"content": content})
    except ValidationError:  # a token that is not text, a missing logprob...: read leniently, field by field
        pass
    return Logprobs(
        content=[
            Logprob(
                token=str(t.get("token", "")),
                logprob=float(t.get("logprob", 0.0)),
                top_logprobs=[
                    TopLogprob(token=str(top.get("token", "")), logprob=float(top.get("logprob", 0.0)))
                    for top in t.get("top_logprobs") or []
                ],
            )
            for t in content
        ]
    )


def _usage(body: Mapping[str, Any]) -> ModelUsage | None:
    usage = body.get("usage")
    if not isinstance(usage, dict):
        return None
    tokens = {k: v if isinstance(v, int) else 0 for k, v in usage.items()}
    return ModelUsage(
        input_tokens=tokens.get("prompt_tokens", 0),
        output_tokens=tokens.get("completion_tokens", 0),
        total_tokens=tokens.get("total_tokens", 0),
    )


def to_output(body: Mapping[str, Any], model: str, elapsed: float | None = None) -> ModelOutput:
    """An Inspect ``ModelOutput`` from a chat-completions response body."""
    name = str(body.get("model") or model)
    choices = []
    for choice in body.get("choices") or []:
        message = choice.get("message") or {} if isinstance(choice, dict) else {}
        choices.append(
            ChatCompletionChoice(
                # an explicit id: Inspect would otherwise draw a random one per message (~40 us of urandom)
                message=ChatMessageAssistant(
                    content=str(message.get("content") or ""), model=name, source="generate", id=next(_IDS)
                ),
                stop_reason=STOP_REASONS.get(str(choice.get("finish_reason")), "unknown"),  # type: ignore[arg-type]
                logprobs=_logprobs(choice),
            )
        )
    usage = _usage(body)
    reply_id = body.get("id")
    return ModelOutput(
        model=name,
        choices=choices,
        usage=usage,
        input_context_tokens=usage.input_tokens if usage is not None else None,  # as Inspect's layer records it
        response_id=reply_id if isinstance(reply_id, str) else None,
        time=elapsed,
    )


def _proxy_for(url: str) -> str | None:
    """The proxy the environment names for ``url`` (``HTTPS_PROXY``, ``NO_PROXY``...), or None."""
    from urllib.parse import urlsplit
    from urllib.request import getproxies, proxy_bypass

    parts = urlsplit(url)
    if parts.hostname and proxy_bypass(parts.hostname):
        return None
    return getproxies().get(parts.scheme)


def _retryable(exc: BaseException) -> bool:
    return not isinstance(exc, HTTPStatusError) or exc.status in RETRY_STATUS


def gave_up(exc: BaseException, attempts: int) -> BaseException:
    """Mark ``exc`` as the last of ``attempts`` retried attempts (``engine.error_text`` writes "after N attempts")."""
    exc.ksafe_attempts = attempts  # type: ignore[attr-defined]
    return exc


Generate = Callable[..., Awaitable[ModelOutput]]
"""``generate(messages, *, use_cache=True, **overrides) -> ModelOutput``."""


Send = Callable[[bytes, float], Awaitable[tuple[int, bytes]]]
"""``send(body, timeout) -> (status, reply body)``: one attempt (``TimeoutError`` past ``timeout`` seconds)."""

HTTP_CLIENTS = ("auto", "lean", "aiohttp")
"""``lean``: ``ksafe.clients.http11`` (httptools); ``aiohttp``; ``auto``: lean unless a proxy is set or the URL is
neither http nor https."""


def _lean_usable(address: str, proxy: str | None) -> bool:
    """Whether the lean pool can post to ``address``: http(s), and no proxy (``ALL_PROXY`` included) for it."""
    if http11 is None or proxy is not None or not address.startswith(("http://", "https://")):
        return False
    from urllib.parse import urlsplit
    from urllib.request import getproxies, proxy_bypass

    host = urlsplit(address).hostname
    return "all" not in getproxies() or bool(host and proxy_bypass(host))


@asynccontextmanager
async def _lean_send(
    address: str, headers: dict[str, str], limit: int
) -> AsyncIterator[tuple[Send, tuple[type[Exception], ...]]]:
    assert http11 is not None
    pool = http11.Pool(address, {**headers, "User-Agent": "ksafe"}, limit)
    try:
        yield pool.post, (ConnectionError,)  # post(body, timeout): TimeoutError past it
    finally:
        pool.close()


@asynccontextmanager
async def _aiohttp_send(
    address: str, headers: dict[str, str], limit: int, proxy: str | None
) -> AsyncIterator[tuple[Send, tuple[type[Exception], ...]]]:
    import aiohttp
    from yarl import URL

    url = URL(address)  # parsed once, not per request
    connector = aiohttp.TCPConnector(limit=limit, ttl_dns_cache=300)
    async with aiohttp.ClientSession(
        connector=connector,
        headers=headers,  # merged once per request by aiohttp; no per-call dict
        cookie_jar=aiohttp.DummyCookieJar(),  # an inference server sets no cookies worth keeping
    ) as session:

        async def send(data: bytes, timeout: float) -> tuple[int, bytes]:
            limit = aiohttp.ClientTimeout(total=timeout)
            async with session.post(url, data=data, proxy=proxy, timeout=limit) as response:
                return response.status, await response.read()

        yield send, (aiohttp.ClientError,)


@asynccontextmanager
async def direct_generate(
    model: str,
    options: Any,
    *,
    defaults: Mapping[str, Any] | None = None,
    allowed: frozenset[str] | None = None,
    cache: ResponseCache | None = None,
    http: str = "auto",
) -> AsyncIterator[Generate]:
    """A ``generate(messages, *, use_cache=True, **overrides)`` posting to the model's OpenAI-compatible server.

    Args:
        model: ``openai-api/<service>/<model>``.
        options: The run's limits: ``max_connections``, ``max_retries``, ``timeout`` and ``attempt_timeout``
            (a ``GenerateOptions``).
        defaults: Body fields of every request (e.g. ``body_options(GenerateConfig)``).
        allowed: Body fields a call's ``overrides`` may set (default: those of ``BODY_FIELDS``).
        cache: Answers on disk: a request seen before (same model, base URL and body) is answered from it
            when the call's ``use_cache`` is true; answers are stored only then too.
        http: The HTTP client (``HTTP_CLIENTS``): ``auto`` is the lean one (``ksafe.clients.http11``) unless
            the environment names a proxy for the URL or it is neither http nor https, then aiohttp.
    """
    address, key, name = endpoint(model)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    attempt_timeout = options.attempt_timeout
    fields = allowed if allowed is not None else frozenset(BODY_FIELDS.values())
    base = dict(defaults or {})
    proxy = _proxy_for(address)  # once: aiohttp's trust_env looks it (and .netrc) up in a thread per request
    lean = http == "lean" or (http == "auto" and _lean_usable(address, proxy))
    transport = (
        _lean_send(address, headers, options.max_connections)
        if lean
        else _aiohttp_send(address, headers, options.max_connections, proxy)
    )
    async with transport as (send, transport_errors):
        retried: tuple[type[Exception], ...] = (*transport_errors, AttemptTimeoutError, HTTPStatusError)

        async def post(data: bytes) -> tuple[Mapping[str, Any], bytes]:
            deadline = time.monotonic() + (options.timeout or 1e9)
            for attempt in range(options.max_retries + 1):
                try:
                    left = deadline - time.monotonic()
                    try:
                        status, raw = await send(data, left if attempt_timeout is None else min(left, attempt_timeout))
                    except TimeoutError as exc:
                        raise AttemptTimeoutError(attempt_timeout or left) from exc
                    if status >= 400:
                        raise HTTPStatusError(status, raw.decode("utf-8", errors="replace"))
                    try:
                        body = loads(raw)
                    except ValueError:
                        body = None
                    if not isinstance(body, dict):
                        raise MalformedBodyError(f"the reply is not a JSON object: {raw[:200]!r}")
                    return body, raw
                except retried as exc:
                    wait = min(30.0, 0.5 * 2**attempt) * random.uniform(0.5, 1.0)
                    if not _retryable(exc):
                        raise
                    if attempt == options.max_retries or time.monotonic() + wait > deadline:
                        raise gave_up(exc, attempt + 1) from None
                    await asyncio.sleep(wait)
            raise AssertionError("unreachable")  # pragma: no cover

        async def generate(messages: list[ChatMessage], *, use_cache: bool = True, **overrides: Any) -> ModelOutput:
            payload = {"model": name, "messages": [await message_json(m) for m in messages], **base}
            payload.update({k: v for k, v in overrides.items() if k in fields and v is not None})
            data = dumps(payload)
            store = cache if use_cache else None
            entry = store.key(address, data) if store is not None else ""
            if store is not None and (hit := store.get(entry)) is not None:
                return to_output(hit, model, 0.0)
            started = time.monotonic()
            body, raw = await post(data)
            output = to_output(body, model, round(time.monotonic() - started, 3))
            if store is not None and output.choices:
                store.put(entry, raw)  # never raises: a cache that cannot be written loses no answer
            return output

        yield generate
