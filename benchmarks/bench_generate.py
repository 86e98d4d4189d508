"""Generation throughput against the scripted generator server with injected latency, as a ratio of the ideal.

Usage: python benchmarks/bench_generate.py [--slots 64] [--latency-ms 200] [--connections 16] [--stage c|g]

Runs the generator and critic turns of ``slots`` (topic, category) slots (``ksafe.generation.stage``: one
generator call and one critic call per slot, each reply parsed and validated, every answer journaled) against
``tests/genkit/scripted_generator.py`` on 127.0.0.1, through Inspect's ``openai-api`` provider. Ideal time =
calls x latency / connections; prints the measured time, calls/s and ratio = ideal / measured (target >= 0.8).
``--stage g`` instead asks the G translation prompt for ``slots`` G pairs (``generation.asking.ask_valid``, one
call per pair, each reply parsed and checked), the loop G, the wrappers and ``--rewrite-queries`` share.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # tests/serverkit.py, the launcher the test servers share


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--slots", type=int, default=64)
    parser.add_argument("--latency-ms", type=float, default=200.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--stage", choices=("c", "g"), default="c")
    args = parser.parse_args()

    from tests.genkit.server import MODEL, scripted_generator

    from ksafe.build import BuildOptions
    from ksafe.cultures.loader import load_pack
    from ksafe.generation.calls import ModelCalls
    from ksafe.generation.stage import _run_all
    from ksafe.generation.writer import Slot
    from ksafe.topics.curated import select_topics

    pack = load_pack("ko")
    topics = select_topics(pack, None)
    slots = [Slot(topic=t, category=c) for t in topics for c in t.categories][: args.slots]
    with tempfile.TemporaryDirectory() as tmp, scripted_generator(Path(tmp) / "server", args.latency_ms) as server:
        os.environ.update(server.env)
        options = BuildOptions(
            culture="ko", out=Path(tmp) / "out", generator=MODEL, generator_connections=args.connections
        )
        calls = ModelCalls(Path(tmp) / "calls.jsonl", connections=args.connections, timeout_s=60, max_calls=None)

        from ksafe.cultures.loader import load_shared_data
        from ksafe.generation.asking import ask_valid
        from ksafe.generation.g_translation import GTranslationReply, check_translation, g_messages
        from ksafe.queries.g_queries import make_g_queries

        g_pairs = [p for ps in make_g_queries(pack, load_shared_data(), 0, 4).values() for p in ps][: args.slots]
        phrases, script = pack.refusals.refusal_phrases, pack.info.script

        async def run_g(subset: list[object]) -> list[object]:
            calls.check_models(MODEL)
            try:
                asks = [
                    ask_valid(
                        calls,
                        MODEL,
                        g_messages(pack, p),  # type: ignore[arg-type]
                        GTranslationReply,
                        "g-translate",
                        phrases,
                        lambda r: check_translation(r, script),
                    )
                    for p in subset
                ]
                return list(await asyncio.gather(*asks, return_exceptions=True))
            finally:
                await calls.close_models()

        async def run(subset: list[object]) -> list[object]:
            if args.stage == "g":
                return await run_g(subset)
            return list(await _run_all(calls, options, pack, subset))  # type: ignore[arg-type]

        work: list[object] = list(g_pairs) if args.stage == "g" else list(slots)

        async def timed() -> tuple[list[object], float, float, int]:
            await run(work[-1:])  # warm-up outside the timing: client, imports
            warm = calls.stats.new
            start, cpu = time.perf_counter(), time.process_time()
            results = await run(work[:-1])
            return results, time.perf_counter() - start, time.process_time() - cpu, calls.stats.new - warm

        results, elapsed, cpu, made = asyncio.run(timed())
        calls.close()
        errors = [r for r in results if isinstance(r, BaseException)]
    ideal = made * args.latency_ms / 1000 / args.connections
    print(
        f"stage={args.stage} units={len(work) - 1} calls={made} errors={len(errors)} latency_ms={args.latency_ms:g} "
        f"connections={args.connections}"
    )
    print(f"client_cpu_per_call_ms={cpu / made * 1000:.1f} (this process; load average {os.getloadavg()[0]:.1f})")
    print(f"measured={elapsed:.2f}s ideal={ideal:.2f}s calls_per_s={made / elapsed:.1f} ratio={ideal / elapsed:.2f}")


if __name__ == "__main__":
    main()
