"""Throughput of ``ksafe eval`` against a local OpenAI-compatible server with a fixed latency.

Usage: ``python benchmarks/bench_eval.py [--items 2000] [--connections 64] [--latency-ms 200]``.
Builds a fixture benchmark of ``--items`` items, starts the fake server (tests/evalkit) on 127.0.0.1,
runs ``ksafe eval`` in-process with the heuristic judge and prints the achieved throughput as a
ratio of the ideal (items x latency / connections) and the peak RSS of this process.
Side effects: temporary directories (removed), one server subprocess (stopped).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from evalkit.fixture_benchmark import write_fixture_benchmark, write_refusals_pack
from evalkit.server import fake_server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--latency-ms", type=float, default=200.0)
    parser.add_argument("--workers", type=int, default=0, help="answering processes (0 = ksafe eval's auto)")
    args = parser.parse_args()

    from ksafe.evaluation.run import RunConfig, run_eval

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        copies = -(-args.items // 48)
        write_fixture_benchmark(work / "bench", copies=copies)
        pack = write_refusals_pack(work / "pack")
        os.environ.update(
            FAKE_API_KEY="bench-key", INSPECT_CACHE_DIR=str(work / "cache"), XDG_DATA_HOME=str(work / "xdg")
        )
        with fake_server(work / "server", latency_ms=args.latency_ms) as server:
            os.environ["FAKE_BASE_URL"] = server.base_url
            config = RunConfig(
                benchmark=str(work / "bench"),
                models=("openai-api/fake/target",),
                out=work / "run",
                sample_size=args.items,
                max_connections=args.connections,
                display="none",
                pack=str(pack),
                cache=False,
                workers=args.workers,
            )
            start = time.perf_counter()
            results = run_eval(config)
            elapsed = time.perf_counter() - start
            answered = sum(1 for r in server.requests() if r["kind"] == "target" and r["status"] == 200)
    n = results.models[0].overall.n_harmful + results.models[0].overall.n_benign
    ideal = n * (args.latency_ms / 1000.0) / args.connections
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"items={n} answered={answered} connections={args.connections} latency_ms={args.latency_ms:g}")
    print(f"elapsed_s={elapsed:.2f} ideal_s={ideal:.2f} ratio={ideal / elapsed:.3f} peak_rss_mb={peak_mb:.0f}")


if __name__ == "__main__":
    main()
