"""Throughput of ``ksafe guard`` against the scripted guard server with a fixed latency.

Usage: ``python benchmarks/bench_guard.py [--items 5000] [--connections 128] [--latency-ms 50]
[--format binary_logprob] [--client direct|inspect] [--workers 0] [--repeat 1]``.
Builds a fixture benchmark of ``--items`` items, starts the scripted guard server (tests/guardkit, a
separate process on 127.0.0.1), runs ``ksafe guard`` in-process (``run_guards``: one guard, the main
view only (``--no-ablation``), Inspect's ``openai-api`` provider, journal, metrics, results and tables)
and prints, per repeat, the achieved throughput as a ratio of the ideal (items x latency /
connections), the serving window (first request in to last answer out, from the server's log) as a
ratio, the load average, and the peak RSS of this process. Target: ratio >= 0.8.
Side effects: temporary directories (removed), one server subprocess per repeat (stopped).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from evalkit.fixture_benchmark import write_fixture_benchmark
from guardkit.server import guard_server


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


class PhaseClock:
    """CPU and wall stamps around the calls phase of ``run_guards`` (start-up / calls / after the last)."""

    def __init__(self) -> None:
        self.stamps: list[tuple[float, float, float]] = []  # (wall, own CPU, children's CPU)

    def stamp(self) -> None:
        self.stamps.append((time.time(), _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)))

    def install(self) -> None:
        """Wrap ``ksafe.guard.run.run_guards_sharded`` (the calls: in-process or in forked workers)."""
        import ksafe.guard.run as run_module

        inner = run_module.run_guards_sharded

        def timed(*args: object, **kwargs: object) -> None:
            self.stamp()
            try:
                inner(*args, **kwargs)  # type: ignore[arg-type]
            finally:
                self.stamp()

        run_module.run_guards_sharded = timed


def run_once(args: argparse.Namespace, start_kind: str) -> float:
    """Run one guard evaluation and return its ratio to the ideal."""
    from ksafe.evaluation.dataset import ItemFilter
    from ksafe.evaluation.engine import GenerateOptions
    from ksafe.guard.run import GuardConfig, run_guards

    clock = PhaseClock()
    clock.install()

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        write_fixture_benchmark(work / "bench", copies=-(-args.items // 48))
        os.environ.update(
            FAKE_API_KEY="bench-key", INSPECT_CACHE_DIR=str(work / "cache"), XDG_DATA_HOME=str(work / "xdg")
        )
        with guard_server(work / "server", latency_ms=args.latency_ms) as server:
            os.environ["FAKE_BASE_URL"] = server.base_url
            config = GuardConfig(
                source=str(work / "bench"),
                guards=(f"{args.format}=openai-api/fake/{args.format}",),
                out=work / "run",
                item_filter=ItemFilter(sample_size=args.items),
                ablation=False,
                options=GenerateOptions(max_connections=args.connections, max_tokens=None, cache=False),
                client=args.client,
                workers=args.workers,
            )
            load = os.getloadavg()[0]
            cpu = resource.getrusage(resource.RUSAGE_SELF)
            before_children = resource.getrusage(resource.RUSAGE_CHILDREN)  # forked workers are children too
            start = time.perf_counter()
            clock.stamp()
            results = run_guards(config)
            clock.stamp()
            elapsed = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_SELF)
            while multiprocessing.active_children():  # workers report done before they exit: reap them all
                time.sleep(0.005)
            children = resource.getrusage(resource.RUSAGE_CHILDREN)
            workers_cpu = children.ru_utime + children.ru_stime - before_children.ru_utime - before_children.ru_stime
            client_cpu = after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime + workers_cpu
            served = [r for r in server.requests() if r.get("status") == 200]
        g = results.guards[0]
        decided = g.overall.n_harmful + g.overall.n_benign - g.overall.errors
        ideal = args.items * args.latency_ms / 1000 / args.connections
        window = max(r["t_done"] for r in served) - min(r["t_arrive"] for r in served) if served else float("nan")
        (w0, s0, c0), (w1, s1, c1), (w2, s2, _), (w3, s3, _) = clock.stamps[0], *clock.stamps[1:3], clock.stamps[-1]
        first = min(r["t_arrive"] for r in served) if served else w1
        last = max(r["t_done"] for r in served) if served else w2
        calls_cpu = s2 - s1 + workers_cpu  # the workers' CPU (counted once they are reaped) is all in this phase
        # each connection's cycle (window x connections / calls) = time in the server (its latency included)
        # + the rest (the client's CPU per call, run queues on the shared cores, the wire)
        cycle = window * args.connections / max(len(served), 1) * 1000
        in_server = sum(r["t_done"] - r["t_arrive"] for r in served) / max(len(served), 1) * 1000
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        after_children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the server, stopped: its CPU is counted
        server_cpu = after_children.ru_utime + after_children.ru_stime - children.ru_utime - children.ru_stime
        print(
            f"start={start_kind} client={args.client} workers={args.workers or 'auto'} items={args.items} "
            f"verdicts={decided} "
            f"connections={args.connections} client_cpu={client_cpu:.2f}s server_cpu={server_cpu:.2f}s "
            f"latency={args.latency_ms:.0f}ms elapsed={elapsed:.2f}s ideal={ideal:.2f}s "
            f"ratio={ideal / elapsed:.3f} serving_window={window:.2f}s serving_ratio={ideal / window:.3f} "
            f"throughput={decided / elapsed:.0f}/s load1={load:.2f} peak_rss={peak:.0f}MB\n"
            f"  phases: startup wall={w1 - w0:.2f}s cpu={s1 - s0 + c1 - c0:.2f}s | first request after "
            f"{first - w0:.2f}s | calls cpu={calls_cpu:.2f}s ({calls_cpu / max(decided, 1) * 1000:.3f} ms/item) | "
            f"after last answer wall={w3 - last:.2f}s cpu={s3 - s2:.2f}s\n"
            f"  cycle per call and connection {cycle:.1f} ms = {in_server:.1f} ms in the server + "
            f"{cycle - in_server:.1f} ms elsewhere (client, run queues, wire)",
            flush=True,
        )
        return ideal / elapsed


def main() -> None:
    """Parse options and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--connections", type=int, default=128)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--format", default="binary_logprob")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--client", default="direct", choices=("inspect", "direct"))
    parser.add_argument("--workers", type=int, default=0, help="0 = auto (as ksafe guard)")
    args = parser.parse_args()
    for k in range(args.repeat):
        run_once(args, "cold" if k == 0 else "warm")


if __name__ == "__main__":
    main()
