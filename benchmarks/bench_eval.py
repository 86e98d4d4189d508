"""Throughput of ``ksafe eval`` against a local OpenAI-compatible server with a fixed latency.

Usage: ``python benchmarks/bench_eval.py [--items 2000] [--connections 64] [--latency-ms 200]
[--workers 0] [--repeat 1] [--client auto|direct|inspect]``.
Builds a fixture benchmark of ``--items`` items, starts the fake server (tests/evalkit, a separate
process on 127.0.0.1), runs ``ksafe eval`` in-process (``run_eval``: ksafe's direct client by default, or
Inspect's ``openai-api`` provider with ``--client inspect``; heuristic judge, Inspect log, results and
tables) and prints, per repeat, the achieved throughput as a ratio of the ideal (items x latency /
connections), the machine's load average, and the peak RSS of this process and of the largest child
process (a forked answering worker, or the server). The timed span is the whole ``run_eval`` call (not the
import of ksafe and Inspect before it, ~1.5 s of a ``ksafe eval`` command). The first repeat is
``start=cold`` (the first call of a process: with ``--client inspect`` the provider is imported and Inspect's
model data parsed inside the timed span); later repeats are ``start=warm``.
It also prints the CPU seconds of ksafe's processes (this one and its workers; not the server) before the
first request, per answered item inside the serving window, and after the last answer: unlike the ratios,
they hardly change with other jobs on a shared machine (``cputrace``).
Side effects: temporary directories (removed), one server subprocess per repeat (stopped).
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cputrace import CpuTrace

from evalkit.fixture_benchmark import write_fixture_benchmark, write_refusals_pack
from evalkit.server import fake_server


def run_once(args: argparse.Namespace, cold: bool) -> float:
    """Run one evaluation and return its ratio to the ideal."""
    from ksafe.evaluation.dataset import ItemFilter
    from ksafe.evaluation.engine import GenerateOptions
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
                items=ItemFilter(sample_size=args.items),
                generate=GenerateOptions(max_connections=args.connections, cache=False, client=args.client),
                judges=tuple(args.judge) if args.judge != ["none"] else (),
                display="none",
                pack=str(pack),
                workers=args.workers,
                owns_process=not args.library,  # as `ksafe eval` runs it, unless --library
            )
            load = os.getloadavg()[0]
            with CpuTrace() as trace:
                trace.exclude.add(server.process.pid)
                start = time.perf_counter()
                start_wall = time.time()
                results = run_eval(config)
                elapsed = time.perf_counter() - start
                end_wall = time.time()
                time.sleep(2 * trace.interval)  # one sample after the end
            served = [r for r in server.requests() if r["kind"] == "target" and r["status"] == 200]
            answered = len(served)
            # The serving window: first request in to last answer out, as the server saw it (no imports,
            # dataset loading or log writing): the steady-state throughput of the answer loop.
            first_in, last_out = min(r["t_arrive"] for r in served), max(r["t_answer"] for r in served)
            window = last_out - first_in
            cpu = [trace.cpu_at(t) for t in (start_wall, first_in, last_out, end_wall)]
    n = results.models[0].overall.n_harmful + results.models[0].overall.n_benign if results.models else answered
    ideal = n * (args.latency_ms / 1000.0) / args.connections
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"items={n} answered={answered} connections={args.connections} latency_ms={args.latency_ms:g} "
        f"load1_before={load:.2f} start={'cold' if cold else 'warm'} client={args.client} "
        f"judges={','.join(args.judge)}"
    )
    print(
        f"elapsed_s={elapsed:.2f} ideal_s={ideal:.2f} ratio={ideal / elapsed:.3f} "
        f"peak_rss_mb={peak_mb:.0f} peak_child_rss_mb={child_mb:.0f}",
        flush=True,
    )
    print(
        f"serving_window_s={window:.2f} serving_ratio={ideal / window:.3f} "
        f"before_first_request_s={first_in - start_wall:.2f} after_last_answer_s={end_wall - last_out:.2f}",
        flush=True,
    )
    # CPU seconds of ksafe's processes (this one and its workers, not the server): independent of other jobs
    # on a shared machine, unlike the ratios above.
    print(
        f"cpu_total_s={cpu[3] - cpu[0]:.2f} cpu_before_first_request_s={cpu[1] - cpu[0]:.2f} "
        f"cpu_serving_ms_per_item={(cpu[2] - cpu[1]) * 1000 / max(1, answered):.2f} "
        f"cpu_after_last_answer_s={cpu[3] - cpu[2]:.2f}",
        flush=True,
    )
    return ideal / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--latency-ms", type=float, default=200.0)
    parser.add_argument("--workers", type=int, default=0, help="answering processes (0 = ksafe eval's auto)")
    parser.add_argument(
        "--library",
        action="store_true",
        help="run as a library caller would (owns_process=False: workers by spawn, no gc.freeze)",
    )
    parser.add_argument(
        "--judge", action="append", default=None, help="eval's --judge (repeat; default heuristic; none: no judge)"
    )
    parser.add_argument("--client", default="auto", choices=("auto", "direct", "inspect"), help="eval's --client")
    parser.add_argument("--repeat", type=int, default=1, help="measure this many times and print the range")
    args = parser.parse_args()
    args.judge = args.judge or ["heuristic"]
    ratios = [run_once(args, cold=k == 0) for k in range(max(1, args.repeat))]
    if len(ratios) > 1:
        print(f"ratio_min={min(ratios):.3f} ratio_max={max(ratios):.3f} runs={len(ratios)}")


if __name__ == "__main__":
    main()
