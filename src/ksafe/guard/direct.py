"""A lean OpenAI-compatible chat-completions client for guards (``ksafe guard --client direct``).

Guards answer in one token, so with Inspect's model layer the client's CPU (~3 ms a call through the
openai SDK and Inspect's wrapper, docs/design/eval-engine.md) caps throughput far below what a guard
server gives. This client posts the same request with aiohttp and builds the same Inspect
``ModelOutput`` the formats read (text, finish reason, logprobs), with its own retries: 429, 5xx,
timeouts and connection errors are retried with jittered exponential backoff, up to ``max_retries``
and within ``timeout`` seconds. Only ``openai-api/<service>/<model>`` guards (Inspect's convention:
``<SERVICE>_BASE_URL``, ``<SERVICE>_API_KEY``). Input: chat messages and generate overrides. Output:
``ModelOutput``. Side effects: HTTP requests; reads image files (inlined as data URIs).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp  # here, not per call: imported before ``shards`` forks, the workers share it (~0.3 s each)
from inspect_ai.model import (
    ChatCompletionChoice,
    ChatMessage,
    ChatMessageAssistant,
    ContentImage,
    ContentText,
    Logprob,
    Logprobs,
    ModelOutput,
    TopLogprob,
)

from ksafe.errors import KsafeError
from ksafe.evaluation.engine import GenerateOptions, inline_image
from ksafe.guard.codec import dumps, loads
from ksafe.guard.formats.base import Generate

PREFIX = "openai-api/"
_IDS = (f"ksafe-guard-{n}" for n in itertools.count())
STOP_REASONS = {"stop": "stop", "length": "max_tokens", "content_filter": "content_filter", "tool_calls": "tool_calls"}
RETRY_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})


class HTTPStatusError(Exception):
    """The server answered with an error status (``Error code: 503 - ...``, read by ``classify_fault``)."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(f"Error code: {status} - {text[:300]}")
        self.status = status


def endpoint(model: str) -> tuple[str, str, str]:
    """(chat completions URL, API key, model name) of an ``openai-api/<service>/<model>`` guard.

    Raises:
        KsafeError: another provider, or ``<SERVICE>_BASE_URL`` / ``<SERVICE>_API_KEY`` unset.
    """
    service, _, name = model.removeprefix(PREFIX).partition("/")
    if not model.startswith(PREFIX) or not service or not name:
        raise KsafeError(f"--client direct: {model}: expected openai-api/<service>/<model> (use --client inspect)")
    env = service.upper().replace("-", "_")
    base, key = os.environ.get(f"{env}_BASE_URL"), os.environ.get(f"{env}_API_KEY")
    if not base:
        raise KsafeError(f"--client direct: {model}: {env}_BASE_URL is not set")
    if not key:
        raise KsafeError(f"--client direct: {model}: {env}_API_KEY is not set")
    return base.rstrip("/") + "/chat/completions", key, name


async def _message(message: ChatMessage) -> dict[str, Any]:
    if isinstance(message.content, str):
        return {"role": message.role, "content": message.content}
    parts: list[dict[str, Any]] = []
    for part in message.content:
        if isinstance(part, ContentText):
            parts.append({"type": "text", "text": part.text})
        elif isinstance(part, ContentImage):
            parts.append({"type": "image_url", "image_url": {"url": await inline_image(part.image)}})
    if message.role == "assistant":
        return {"role": "assistant", "content": "".join(p.get("text", "") for p in parts)}
    return {"role": message.role, "content": parts}


def to_output(body: dict[str, Any], model: str) -> ModelOutput:
    """An Inspect ``ModelOutput`` from a chat-completions response body."""
    choices = []
    for choice in body.get("choices") or []:
        message = choice.get("message") or {}
        logprobs = None
        content = (choice.get("logprobs") or {}).get("content")
        if content:
            logprobs = Logprobs(
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
        choices.append(
            ChatCompletionChoice(
                # an explicit id: Inspect would otherwise draw a random one per message (~40 us of urandom)
                message=ChatMessageAssistant(content=str(message.get("content") or ""), model=model, id=next(_IDS)),
                stop_reason=STOP_REASONS.get(str(choice.get("finish_reason")), "unknown"),  # type: ignore[arg-type]
                logprobs=logprobs,
            )
        )
    return ModelOutput(model=model, choices=choices)


def _proxy_for(url: str) -> str | None:
    """The proxy the environment names for ``url`` (``HTTPS_PROXY``, ``NO_PROXY``...), or None."""
    from urllib.parse import urlsplit
    from urllib.request import getproxies, proxy_bypass

    parts = urlsplit(url)
    if parts.hostname and proxy_bypass(parts.hostname):
        return None
    return getproxies().get(parts.scheme)


@asynccontextmanager
async def direct_generate(model: str, options: GenerateOptions) -> AsyncIterator[Generate]:
    """A ``generate(messages, **overrides)`` posting to the guard's OpenAI-compatible server with aiohttp."""
    from yarl import URL

    address, key, name = endpoint(model)
    url = URL(address)  # parsed once, not per request
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    connector = aiohttp.TCPConnector(limit=options.max_connections, ttl_dns_cache=300)
    attempt_timeout = aiohttp.ClientTimeout(total=options.attempt_timeout)
    allowed = ("max_tokens", "temperature", "logprobs", "top_logprobs")

    proxy = _proxy_for(address)  # once: aiohttp's trust_env looks it (and .netrc) up in a thread per request
    async with aiohttp.ClientSession(
        connector=connector,
        timeout=attempt_timeout,
        headers=headers,  # merged once per request by aiohttp; no per-call dict
        cookie_jar=aiohttp.DummyCookieJar(),  # a guard server sets no cookies worth keeping
    ) as session:

        async def generate(messages: list[ChatMessage], **overrides: Any) -> ModelOutput:
            payload = {"model": name, "messages": [await _message(m) for m in messages]}
            payload.update({k: v for k, v in overrides.items() if k in allowed and v is not None})
            data = dumps(payload)
            deadline = time.monotonic() + (options.timeout or 1e9)
            for attempt in range(options.max_retries + 1):
                try:
                    async with session.post(url, data=data, proxy=proxy) as response:
                        if response.status >= 400:
                            raise HTTPStatusError(response.status, await response.text())
                        raw = await response.read()
                    body = loads(raw)  # not JSON: a ValueError, the item's fault (not retried)
                    if not isinstance(body, dict):
                        raise ValueError(f"the reply is not a JSON object: {raw[:200]!r}")
                    return to_output(body, model)
                except (aiohttp.ClientError, TimeoutError, HTTPStatusError) as exc:
                    retry = not isinstance(exc, HTTPStatusError) or exc.status in RETRY_STATUS
                    wait = min(30.0, 0.5 * 2**attempt) * random.uniform(0.5, 1.0)
                    if not retry or attempt == options.max_retries or time.monotonic() + wait > deadline:
                        raise
                    await asyncio.sleep(wait)
            raise AssertionError("unreachable")  # pragma: no cover

        yield generate
