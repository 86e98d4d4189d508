"""Time ``ksafe --help`` (issue 10: ~0.1 s) against the same help with rich's Markdown/Traceback imported.

Usage: ``python benchmarks/bench_help.py [--runs 15] [--args "--help"]``. Runs, alternating, the interpreter
alone (``-c pass``), ``ksafe --help`` as users get it, and the same with ``ksafe.lazy_rich`` disabled (what it
cost before), each ``--runs`` times in a fresh process; prints the fastest and median wall time and the
CPU time (user + system) of each, the ratio to the disabled variant, and checks the help texts are equal.
Side effects: none (subprocesses only).
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import statistics
import subprocess
import sys
import time

HELP = "import sys; sys.argv = ['ksafe', *sys.argv[1:]]; from ksafe.cli import main; main()"
VARIANTS = {
    "python -c pass": "pass",
    "ksafe --help": HELP,
    "without lazy_rich": "import ksafe.lazy_rich as l; l.install = lambda: None; " + HELP,
}


def _run(code: str, args: list[str]) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu, done.stdout


def main() -> None:
    """Parse options, time each variant, print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--args", default="--help")
    options = parser.parse_args()
    args = shlex.split(options.args)
    os.environ.setdefault("COLUMNS", "120")
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in VARIANTS}
    texts: dict[str, str] = {}
    for _ in range(options.runs):
        for name, code in VARIANTS.items():
            wall, cpu, text = _run(code, args)
            times[name].append((wall, cpu))
            texts[name] = text
    base = min(cpu for _, cpu in times["without lazy_rich"])
    print(f"load1={os.getloadavg()[0]:.2f} runs={options.runs} args={options.args!r}")
    for name, samples in times.items():
        walls, cpus = [w for w, _ in samples], [c for _, c in samples]
        print(
            f"{name:18s} wall min={min(walls):.3f}s median={statistics.median(walls):.3f}s | "
            f"cpu min={min(cpus):.3f}s median={statistics.median(cpus):.3f}s ({min(cpus) / base:.2f} of without)"
        )
    same = texts["ksafe --help"] == texts["without lazy_rich"]
    print(f"help text identical: {same}")


if __name__ == "__main__":
    main()
