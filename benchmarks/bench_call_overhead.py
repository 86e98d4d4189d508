"""Client CPU per chat-completion call, layer by layer, against the local fake server (no latency).

Usage: ``python benchmarks/bench_call_overhead.py [--calls 1000] [--concurrency 16]``.
Sends the same one-turn image + text request (a fixture PNG as a data URI) through:
``aiohttp`` (a raw POST: the floor), ``openai-sdk`` (``AsyncOpenAI.chat.completions.create`` with the
SDK's default httpx client), ``openai-sdk+aiohttp`` (the SDK's ``DefaultAioHttpClient``),
``ksafe-direct`` (ksafe's own client, ``ksafe.clients.openai_direct``: ``ksafe eval``'s default for
``openai-api/...`` targets, building the same Inspect ``ModelOutput``, on its lean HTTP/1.1 pool
``ksafe.clients.http11``), ``ksafe-direct+aiohttp`` (the same client on aiohttp, its fallback behind a
proxy), ``inspect`` (Inspect's
``Model.generate`` through the ``openai-api`` provider, as ``ksafe eval --client inspect --http-client
httpx`` calls it) and ``inspect+aiohttp`` (``--client inspect``'s default). Prints, per layer,
the CPU time of this process per call (user + system, after a warm-up round) and its ratio to the raw
aiohttp floor measured in the same run. This is the cost that bounds ``bench_eval.py`` on a 2-core
machine (docs/design/eval-engine.md). Side effects: a temporary directory and one server subprocess.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import resource
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from evalkit.fixture_benchmark import write_fixture_benchmark
from evalkit.server import fake_server

LAYERS = (
    "aiohttp",
    "ksafe-direct",
    "ksafe-direct+aiohttp",
    "openai-sdk",
    "openai-sdk+aiohttp",
    "inspect",
    "inspect+aiohttp",
)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _pool(call: Callable[[int], Awaitable[None]], calls: int, concurrency: int) -> float:
    """CPU milliseconds per call of ``calls`` calls, ``concurrency`` at a time."""
    pending = iter(range(calls))

    async def worker() -> None:
        for i in pending:
            await call(i)

    start = _cpu()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return (_cpu() - start) / calls * 1000


async def measure(layer: str, image: str, base_url: str, calls: int, concurrency: int) -> float:
    """Warm up ``layer`` with one round, then return its CPU ms per call."""

    def user_turn(i: int) -> list[dict[str, object]]:
        return [
            {
                "role": "user",
                "content": [{"type": "image_url", "image_url": {"url": image}}, {"type": "text", "text": f"q {i}"}],
            }
        ]

    if layer == "aiohttp":
        import aiohttp

        async with aiohttp.ClientSession() as session:

            async def post(i: int) -> None:
                body = json.dumps({"model": "target", "max_tokens": 1024, "messages": user_turn(i)})
                headers = {"content-type": "application/json", "authorization": "Bearer bench"}
                async with session.post(f"{base_url}/chat/completions", data=body, headers=headers) as response:
                    response.raise_for_status()
                    json.loads(await response.read())

            await _pool(post, concurrency, concurrency)
            return await _pool(post, calls, concurrency)
    if layer.startswith("openai-sdk"):
        from openai import AsyncOpenAI, DefaultAioHttpClient

        http_client = DefaultAioHttpClient() if layer.endswith("aiohttp") else None
        async with AsyncOpenAI(base_url=base_url, api_key="bench", http_client=http_client) as client:

            async def create(i: int) -> None:
                await client.chat.completions.create(model="target", max_tokens=1024, messages=user_turn(i))  # type: ignore[arg-type]

            await _pool(create, concurrency, concurrency)
            return await _pool(create, calls, concurrency)
    from inspect_ai.model import ChatMessageUser, ContentImage, ContentText, GenerateConfig, get_model

    if layer.startswith("ksafe-direct"):
        from ksafe.clients.openai_direct import direct_generate
        from ksafe.evaluation.engine import GenerateOptions

        options = GenerateOptions(max_connections=concurrency)
        http = layer.partition("+")[2] or "lean"
        async with direct_generate("openai-api/fake/target", options, http=http) as ask:

            async def direct(i: int) -> None:
                await ask(
                    [ChatMessageUser(content=[ContentImage(image=image), ContentText(text=f"q {i}")])], max_tokens=1024
                )

            await _pool(direct, concurrency, concurrency)
            return await _pool(direct, calls, concurrency)

    from ksafe.evaluation.engine import http_client_args, no_transcript

    config = GenerateConfig(max_connections=concurrency, max_tokens=1024)
    name = "openai-api/fake/target"
    model = get_model(name, config=config, memoize=False, **http_client_args(name, layer.partition("+")[2] or "httpx"))

    async def generate(i: int) -> None:
        message = ChatMessageUser(content=[ContentImage(image=image), ContentText(text=f"q {i}")])
        with no_transcript():
            await model.generate([message], config=config, cache=False)

    async with model:
        await _pool(generate, concurrency, concurrency)
        return await _pool(generate, calls, concurrency)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        write_fixture_benchmark(work / "bench", copies=1)
        png = sorted((work / "bench" / "images").rglob("*.png"))[0]
        image = "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode("ascii")
        os.environ.update(FAKE_API_KEY="bench", INSPECT_CACHE_DIR=str(work / "cache"), XDG_DATA_HOME=str(work / "xdg"))
        with fake_server(work / "server") as server:
            os.environ["FAKE_BASE_URL"] = server.base_url
            floor = None
            for layer in LAYERS:
                ms = asyncio.run(measure(layer, image, server.base_url, args.calls, args.concurrency))
                floor = floor or ms
                print(f"layer={layer} cpu_ms_per_call={ms:.2f} ratio_to_raw_aiohttp={ms / floor:.1f}", flush=True)


if __name__ == "__main__":
    main()
