"""CPU seconds of this process and its children over time, sampled from ``/proc`` (benchmark helper).

Input: pids to leave out (e.g. a fake server started by the benchmark). Output: ``(wall time, CPU seconds)``
samples, where CPU seconds = this process (all threads) + its children that were waited for + its live
children (forked workers, helpers), so CPU spent between two wall-clock moments can be read off.
Side effects: a daemon thread reads ``/proc`` every ``interval`` seconds. Linux only (elsewhere: no samples).
"""

from __future__ import annotations

import bisect
import os
import threading
import time
from collections.abc import Collection
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat_fields(pid: int | str) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()  # fields from the state on (the name may hold spaces)


def _children(pid: int) -> list[int]:
    pids: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            pids += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return pids


def tree_cpu(exclude: Collection[int] = ()) -> float:
    """CPU seconds of this process, its reaped children and its live descendants (not ``exclude``)."""
    me = _stat_fields("self")
    total = sum(int(v) for v in me[11:15])  # utime, stime, cutime, cstime
    stack = [p for p in _children(os.getpid()) if p not in exclude]
    while stack:
        pid = stack.pop()
        try:
            total += sum(int(v) for v in _stat_fields(pid)[11:13])
            stack += [p for p in _children(pid) if p not in exclude]
        except (OSError, ValueError):
            continue  # gone meanwhile: counted in cutime once waited for
    return total / TICK


class CpuTrace:
    """Sample ``tree_cpu`` in a thread; ``cpu_at(t)`` reads the CPU seconds at wall time ``t``."""

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.exclude: set[int] = set()
        self.walls: list[float] = []
        self.cpus: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> CpuTrace:
        if Path("/proc/self/stat").exists():
            self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                cpu = tree_cpu(self.exclude)
            except OSError:
                cpu = self.cpus[-1] if self.cpus else 0.0
            self.walls.append(time.time())
            self.cpus.append(cpu)
            self._stop.wait(self.interval)

    def cpu_at(self, wall: float) -> float:
        """CPU seconds at the first sample at or after ``wall`` (the last sample when none is later)."""
        if not self.walls:
            return float("nan")
        index = min(bisect.bisect_left(self.walls, wall), len(self.walls) - 1)
        return self.cpus[index]
