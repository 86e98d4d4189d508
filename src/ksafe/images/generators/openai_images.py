"""``openai/<model>``: pictures from any OpenAI-compatible images API (``client.images.generate``, b64_json).

Input: ``GenerationRequest``s; ``OPENAI_BASE_URL`` and ``OPENAI_API_KEY`` from the environment. Output:
``GenerationResult``s in completion order. Side effects: HTTP requests, at most ``concurrency`` in flight, on
an asyncio loop in one background thread; results cross to the caller through a bounded queue, so memory stays
flat however many images are asked. 429, 5xx and timeouts are retried by the SDK (with its backoff and the
server's Retry-After); a reply that is not an image is retried here. The API key never appears in a message.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import io
import os
import queue
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from PIL import Image, UnidentifiedImageError

from ksafe.errors import KsafeError
from ksafe.images.generators.base import (
    GenerationRequest,
    GenerationResult,
    GeneratorBackend,
    GeneratorInfo,
    GeneratorOptions,
)

DEFAULT_SIZE = 1024
_REFUSAL_CODES = ("content_policy_violation", "moderation_blocked", "content_filter")
_DONE = object()
MAX_IMAGE_PIXELS = 4096 * 4096


def redact(message: str) -> str:
    """One line of at most 300 characters with the API key (if any) removed."""
    key = os.environ.get("OPENAI_API_KEY", "")
    if len(key) >= 4:
        message = message.replace(key, "***")
    line = " ".join(message.split())
    return line[:300]


def png_from_b64(data: str | None) -> bytes:
    """Decode a b64_json image and check it is a whole picture; a PNG is kept as sent, others become PNG.

    The picture is composed into the stored image later (which re-encodes it without metadata), so a PNG
    need not be re-encoded here; JPEG or WebP replies are converted so every picture is a PNG.

    Raises:
        ValueError: missing, not base64, not an image, or implausibly large.
    """
    if not data:
        raise ValueError("the reply holds no b64_json image")
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("b64_json is not base64") from None
    try:
        with Image.open(io.BytesIO(raw)) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise ValueError(f"image of {image.width}x{image.height} pixels is too large")
            image.load()  # decodes every pixel: a truncated or corrupt picture fails here
            if image.format == "PNG":
                return raw
            rgb = image.convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError):
        raise ValueError("b64_json is not an image") from None
    buffer = io.BytesIO()
    rgb.save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()


class OpenAIImagesGenerator:
    """Concurrent client of an images endpoint."""

    def __init__(self, model: str, options: GeneratorOptions) -> None:
        check_openai(model, options)
        self.model = model
        self.options = options
        size = options.size or DEFAULT_SIZE
        self.size = f"{size}x{size}"
        base_url = os.environ.get("OPENAI_BASE_URL") or None
        self.info = GeneratorInfo(
            backend="openai",
            model=model,
            revision=None,
            deterministic=False,
            batched=False,
            concurrent=True,
            settings={"size": size},
            runtime={"base_url": _public_url(base_url)},
        )

    def _client(self) -> Any:
        from openai import AsyncOpenAI

        return AsyncOpenAI(max_retries=self.options.retries, timeout=self.options.timeout_s)

    async def _one(self, client: Any, request: GenerationRequest) -> GenerationResult:
        import openai

        params: dict[str, Any] = {"model": self.model, "prompt": request.prompt, "n": 1, "size": self.size}
        if not self.model.startswith("gpt-image"):
            params["response_format"] = "b64_json"  # gpt-image models always answer b64_json and reject it
        last = "no attempt"
        for attempt in range(self.options.retries + 1):
            if attempt:
                await asyncio.sleep(min(8.0, 0.25 * 2**attempt))
            try:
                reply = await client.images.generate(**params)
                data = getattr(reply, "data", None) or []
                if not data:
                    raise ValueError("the reply holds no image")
                png = await asyncio.to_thread(png_from_b64, getattr(data[0], "b64_json", None))
            except openai.BadRequestError as exc:
                code = str(getattr(exc, "code", "") or "")
                refused = any(c in code or c in str(exc) for c in _REFUSAL_CODES)
                return GenerationResult(request, error=redact(f"400: {exc.message}"), refused=refused)
            except (openai.AuthenticationError, openai.PermissionDeniedError, openai.NotFoundError) as exc:
                message = f"--image-generator openai/{self.model}: {exc.status_code}: {exc.message}"
                raise KsafeError(redact(message)) from None
            except openai.APIStatusError as exc:  # 429/5xx left after the SDK's own retries
                last = f"{exc.status_code}: {exc.message}"
            except (openai.APIConnectionError, openai.APITimeoutError) as exc:
                last = f"{type(exc).__name__}: {exc}"
            except (openai.APIError, ValueError, TypeError) as exc:  # a body that is not an image
                last = str(exc)
            else:
                revised = getattr(data[0], "revised_prompt", None)
                return GenerationResult(request, png=png, provenance={"revised_prompt": revised} if revised else {})
        return GenerationResult(request, error=redact(f"after {self.options.retries + 1} attempts: {last}"))

    async def _run(self, requests: Sequence[GenerationRequest], out: queue.Queue[Any]) -> None:
        client = self._client()
        todo: asyncio.Queue[GenerationRequest] = asyncio.Queue()
        for request in requests:
            todo.put_nowait(request)

        async def worker() -> None:
            while True:
                try:
                    request = todo.get_nowait()
                except asyncio.QueueEmpty:
                    return
                result = await self._one(client, request)
                await asyncio.to_thread(out.put, result)  # blocks while the consumer is behind

        try:
            workers = [asyncio.create_task(worker()) for _ in range(min(self.options.concurrency, len(requests)))]
            await asyncio.gather(*workers)
        finally:
            await client.close()

    def generate(self, requests: Sequence[GenerationRequest]) -> Iterator[GenerationResult]:
        """Yield results as requests finish; a fatal error (bad key, unknown model) is raised here."""
        if not requests:
            return
        out: queue.Queue[Any] = queue.Queue(maxsize=self.options.concurrency)
        failure: list[BaseException] = []

        def run() -> None:
            try:
                asyncio.run(self._run(requests, out))
            except BaseException as exc:  # handed to the consumer thread
                failure.append(exc)
            finally:
                out.put(_DONE)

        thread = threading.Thread(target=run, name="ksafe-openai-images", daemon=True)
        thread.start()
        while True:
            item = out.get()
            if item is _DONE:
                break
            yield item
        thread.join()
        if failure:
            exc = failure[0]
            if isinstance(exc, KsafeError):
                raise exc
            raise KsafeError(redact(f"--image-generator openai/{self.model}: {type(exc).__name__}: {exc}"))

    def close(self) -> None:
        """Nothing is held between ``generate`` calls."""


def _public_url(url: str | None) -> str | None:
    """The base URL without credentials or query (safe for the manifest)."""
    if not url:
        return None
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def check_openai(model: str, options: GeneratorOptions) -> None:
    """The API key must come from the environment."""
    if not os.environ.get("OPENAI_API_KEY"):
        raise KsafeError(
            f"--image-generator openai/{model}: set OPENAI_API_KEY (and OPENAI_BASE_URL for another server)"
        )


def open_openai(model: str, options: GeneratorOptions) -> OpenAIImagesGenerator:
    """Backend entry: check the environment and return the client (no request is sent)."""
    return OpenAIImagesGenerator(model, options)


OPENAI_BACKEND = GeneratorBackend(
    name="openai",
    description="Any OpenAI-compatible images API (OPENAI_BASE_URL, OPENAI_API_KEY); concurrent, retried.",
    open=open_openai,
    check=check_openai,
)
