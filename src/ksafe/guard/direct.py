"""The guard's ``--client direct``: the shared OpenAI-compatible client (``ksafe.clients.openai_direct``).

Guards answer in one token, so with Inspect's model layer the client's CPU caps throughput far below what a
guard server gives (docs/design/eval-engine.md). Input: chat messages and generate overrides. Output:
``ModelOutput``. Side effects: HTTP requests; reads image files (inlined as data URIs); with ``--cache``, reads
and writes the response cache (``ksafe.clients.response_cache``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from ksafe.clients.openai_direct import (
    PREFIX,
    RETRY_STATUS,
    STOP_REASONS,
    Generate,
    HTTPStatusError,
    endpoint,
    to_output,
)
from ksafe.clients.openai_direct import direct_generate as _direct_generate

if TYPE_CHECKING:
    from ksafe.clients.response_cache import ResponseCache

GUARD_FIELDS = frozenset({"max_tokens", "temperature", "logprobs", "top_logprobs"})
"""Body fields a guard format's call may set (a guard's own generate options; the run's are not sent)."""


@asynccontextmanager
async def direct_generate(model: str, options: Any, cache: ResponseCache | None = None) -> AsyncIterator[Generate]:
    """A ``generate(messages, *, use_cache=True, **overrides)`` posting to the guard's OpenAI-compatible server
    with aiohttp; with ``cache``, replies are kept in (and read from) the direct client's response cache."""
    async with _direct_generate(model, options, allowed=GUARD_FIELDS, cache=cache) as generate:
        yield generate


__all__ = ["PREFIX", "RETRY_STATUS", "STOP_REASONS", "HTTPStatusError", "direct_generate", "endpoint", "to_output"]
