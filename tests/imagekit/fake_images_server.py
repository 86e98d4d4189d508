"""A fake OpenAI-compatible images server (``POST /v1/images/generations``, b64_json), run as a process.

Usage: ``python fake_images_server.py --port-file P --log L [--latency-ms 200] [--faults F.json]``.

Input: HTTP requests on 127.0.0.1. Output: a deterministic abstract picture (one of 64 cached variants, chosen by the
prompt's hash and how often it was asked) of the requested size; one JSON line per finished request in
``--log`` (prompt, status, fault, in-flight count). Faults (``--faults``: a JSON object mapping a marker found
in the prompt to a fault): ``429_once`` / ``500_once`` (fail the first request with that prompt),
``timeout_once`` (the first request hangs for 30 s), ``not_image_once`` (b64_json of bytes that are not an
image), ``html_once`` (a 200 with an HTML body), ``refuse`` (400 ``moderation_blocked`` every time),
``echo_key`` (a 500 whose message echoes the Authorization header).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import functools
import hashlib
import io
import json
import time
from pathlib import Path
from typing import Any

from aiohttp import web
from PIL import Image, ImageDraw

VARIANTS = 64
"""Distinct pictures per size (cached, so the server spends little CPU in throughput benchmarks)."""


@functools.lru_cache(maxsize=1024)
def _b64_picture(variant: int, size: tuple[int, int]) -> str:
    return base64.b64encode(picture(f"variant {variant}", 0, size)).decode()


def picture(prompt: str, count: int, size: tuple[int, int]) -> bytes:
    """A deterministic abstract PNG for ``prompt`` (the ``count``-th time it was asked)."""
    digest = hashlib.sha256(f"{prompt}\0{count}".encode()).digest()
    width, height = size
    image = Image.new("RGB", (width, height), (digest[0], digest[1], digest[2]))
    draw = ImageDraw.Draw(image)
    for i in range(6):
        a, b, c, d = digest[4 + 4 * i : 8 + 4 * i]
        x, y = a * width // 256, b * height // 256
        r = 10 + c * min(width, height) // 512
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(d, c, a))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


class FakeImages:
    """Request handler with fault injection and a request log."""

    def __init__(self, log: Path, latency_s: float, faults: dict[str, str]) -> None:
        self.log = log.open("a", encoding="utf-8")
        self.latency_s = latency_s
        self.faults = faults
        self.seen: dict[str, int] = {}
        self.in_flight = 0
        self.max_in_flight = 0

    def _write(self, entry: dict[str, Any]) -> None:
        self.log.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self.log.flush()

    async def generate(self, request: web.Request) -> web.Response:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        started = time.monotonic()
        try:
            body = await request.json()
            prompt = str(body.get("prompt", ""))
            count = self.seen.get(prompt, 0)
            self.seen[prompt] = count + 1
            fault = next((f for marker, f in self.faults.items() if marker in prompt), None)
            if fault and fault.endswith("_once") and count > 0:
                fault = None
            if self.latency_s:
                await asyncio.sleep(self.latency_s)
            status, response = self._answer(request, body, prompt, count, fault)
            if fault == "timeout_once":
                await asyncio.sleep(30)
            self._write(
                {
                    "prompt": prompt,
                    "status": status,
                    "fault": fault,
                    "count": count,
                    "in_flight": self.in_flight,
                    "max_in_flight": self.max_in_flight,
                    "elapsed_s": round(time.monotonic() - started, 3),
                }
            )
            return response
        finally:
            self.in_flight -= 1

    def _answer(
        self, request: web.Request, body: dict[str, Any], prompt: str, count: int, fault: str | None
    ) -> tuple[int, web.Response]:
        headers = {"retry-after-ms": "20"}
        if fault == "429_once":
            return 429, web.json_response(
                {"error": {"message": "rate limited", "type": "rate_limit"}}, status=429, headers=headers
            )
        if fault == "500_once":
            return 500, web.json_response({"error": {"message": "server error"}}, status=500, headers=headers)
        if fault == "echo_key":
            echoed = request.headers.get("Authorization", "")
            return 500, web.json_response(
                {"error": {"message": f"bad gateway for {echoed}"}}, status=500, headers=headers
            )
        if fault == "refuse":
            return 400, web.json_response(
                {
                    "error": {
                        "message": "Your request was rejected by the safety system.",
                        "type": "invalid_request_error",
                        "code": "moderation_blocked",
                    }
                },
                status=400,
            )
        if fault == "html_once":
            return 200, web.Response(text="<html><body>maintenance</body></html>", content_type="text/html")
        if fault == "not_image_once":
            junk = base64.b64encode(b"this is not an image").decode()
            return 200, web.json_response({"created": 0, "data": [{"b64_json": junk}]})
        width, height = (int(v) for v in str(body.get("size", "256x256")).split("x"))
        variant = hashlib.sha256(f"{prompt}\0{count}".encode()).digest()[0] % VARIANTS
        return 200, web.json_response({"created": 0, "data": [{"b64_json": _b64_picture(variant, (width, height))}]})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", type=Path, required=True)
    parser.add_argument("--log", type=Path, required=True)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--faults", type=Path)
    args = parser.parse_args()
    faults = json.loads(args.faults.read_text(encoding="utf-8")) if args.faults else {}
    handler = FakeImages(args.log, args.latency_ms / 1000, faults)
    app = web.Application(client_max_size=1 << 20)
    app.router.add_post("/v1/images/generations", handler.generate)

    async def serve() -> None:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        tmp = args.port_file.with_suffix(".tmp")
        tmp.write_text(str(port))
        tmp.replace(args.port_file)
        await asyncio.Event().wait()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
