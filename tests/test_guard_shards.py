"""Forked guard workers share each guard's pending pairs (``ksafe.guard.shards.SharedWork``): every pair is
taken by exactly one worker, and a slower worker takes fewer."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path
from typing import Any

from ksafe.guard.formats.base import Conversation
from ksafe.guard.shards import SharedWork


def _take(work: SharedWork, out: Path, pause: float, start: Any) -> None:
    start.wait(60)  # all begin together: a worker forked late under load would otherwise find little left
    taken = []
    for rid, _ in work:
        taken.append(rid)
        time.sleep(pause)
    out.write_text("\n".join(taken))


def test_every_pair_is_taken_once_and_the_slow_worker_takes_fewer(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    pairs = [(f"text:{k}", Conversation(text=str(k))) for k in range(600)]
    work = SharedWork(pairs, context.Value("q", 0), chunk=4)
    pauses = (0.004, 0.0, 0.0)
    start = context.Barrier(len(pauses))
    processes = [
        context.Process(target=_take, args=(work, tmp_path / f"w{k}.txt", pause, start))
        for k, pause in enumerate(pauses)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
    assert [p.exitcode for p in processes] == [0, 0, 0]
    taken = [(tmp_path / f"w{k}.txt").read_text().split("\n") for k in range(3)]
    everything = [rid for part in taken for rid in part if rid]
    assert sorted(everything) == sorted(rid for rid, _ in pairs)  # all taken, none twice
    # The slow worker takes fewer than the fast ones on average (which of the two fast ones takes more is a race).
    assert len(taken[0]) < (len(taken[1]) + len(taken[2])) / 2


def test_an_empty_share_yields_nothing() -> None:
    work = SharedWork([], multiprocessing.get_context("fork").Value("q", 0))
    assert len(work) == 0 and list(work) == []
