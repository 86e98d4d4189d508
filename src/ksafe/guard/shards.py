"""Ask the guards of one command in 1..N forked processes (Python uses one core per process).

Input: ``GuardJob``s (a ``GuardSpec``, its pending (journal id, conversation) pairs, its journal folder), call
options. Output: one journal file per guard per worker (``runner.run_guard_jobs``: every guard of the command
at once in each worker). Side effects: forks workers that die with their parent (``PR_SET_PDEATHSIG`` and
end-of-file on a pipe, as ``ksafe.evaluation.shard`` does), so a crashed run leaves nobody asking.
"""

from __future__ import annotations

import dataclasses
import gc
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any, overload

from ksafe.errors import KsafeError
from ksafe.evaluation.engine import GenerateOptions
from ksafe.guard.formats.base import Conversation
from ksafe.guard.runner import GuardJob, event_loop_factory, run_guard_jobs

_FREEZES: list[None] = []
"""One entry per ``frozen_heap`` open now (``gc.get_freeze_count`` walks the whole frozen heap: ~20 ms)."""


@contextmanager
def frozen_heap(paused: bool = False) -> Iterator[Callable[[], None]]:
    """Keep what is loaded out of the cyclic collector; yields ``freeze`` to call after loading more.

    The collector's full passes walk every live object (the benchmark's records, Inspect's modules): on
    5,000 items they cost ~1 s of CPU, more than all the guard calls. Frozen objects are skipped (and
    shared copy-on-write by forked workers); the outermost ``frozen_heap`` hands them back at its end
    (unless someone else had frozen the heap before). With ``paused``, the collector is off until the first
    ``freeze()``: loading 5,000 items allocates ~10^5 objects that live to the end, and the passes they
    trigger on the way find nothing to collect (~50 ms).
    """
    owned = not _FREEZES and gc.get_freeze_count() == 0  # cheap while nothing is frozen
    enabled = gc.isenabled()
    _FREEZES.append(None)
    gc.freeze()
    if paused:
        gc.disable()

    def freeze() -> None:
        gc.freeze()
        if enabled:
            gc.enable()

    try:
        yield freeze
    finally:
        _FREEZES.pop()
        if enabled:
            gc.enable()
        if owned:
            gc.unfreeze()


class SharedWork(Sequence[tuple[str, Conversation]]):
    """One guard's pending pairs, shared by the forked workers: each takes the next ``chunk`` when it needs work.

    Every worker holds the same list (inherited by the fork) and one counter in shared memory, so a worker
    that gets less CPU (the machine's other load, a later start) asks fewer pairs instead of finishing last
    with the other idle. Each pair is taken by exactly one worker (the counter moves under its lock).
    """

    def __init__(self, work: Sequence[tuple[str, Conversation]], counter: Any, chunk: int = 8) -> None:
        self.work = work
        self.counter = counter
        """A ``multiprocessing.Value`` (with its lock): the index of the next pair nobody has taken."""
        self.chunk = chunk

    def __len__(self) -> int:
        return len(self.work)

    @overload
    def __getitem__(self, index: int) -> tuple[str, Conversation]: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[tuple[str, Conversation]]: ...

    def __getitem__(self, index: int | slice) -> tuple[str, Conversation] | Sequence[tuple[str, Conversation]]:
        return self.work[index]

    def __iter__(self) -> Iterator[tuple[str, Conversation]]:
        """The pairs this worker takes, chunk by chunk, until every pair is taken."""
        while True:
            with self.counter.get_lock():
                start = self.counter.value
                self.counter.value = start + self.chunk
            if start >= len(self.work):
                return
            yield from self.work[start : start + self.chunk]


def _shard_worker(
    read_end: int,
    write_end: int,
    jobs: Sequence[GuardJob],
    options: GenerateOptions,
    model_args: dict[str, Any] | None,
    client: str,
    done: Any,
) -> None:
    from ksafe.evaluation.shard import die_with_parent  # imported by the parent before the fork

    os.close(write_end)  # only the parent holds the write end: end of file means it is gone
    die_with_parent(read_end)
    run_guard_jobs(jobs, options, model_args, client)
    done.send_bytes(b"done")  # the journals are closed (fsynced): the parent need not wait for this exit


def _quietly(work: Callable[[], None]) -> None:
    """Run ``work``, ignoring its failure (what it prepares is redone, and its error raised, where needed)."""
    try:
        work()
    except Exception:  # e.g. an import: the results retry it and report its error themselves
        pass


def _finished(process: Any, done: Any) -> int:
    """0 once the worker reports its journals closed (it may still be exiting), else its exit code."""
    try:
        done.recv_bytes()
        return 0
    except EOFError:  # it ended without reporting: a failure (its verdicts so far are journaled)
        process.join()
        return 1 if process.exitcode is None else process.exitcode
    finally:
        done.close()


def run_guards_sharded(
    jobs: Sequence[GuardJob],
    options: GenerateOptions,
    workers: int,
    model_args: dict[str, Any] | None = None,
    client: str = "inspect",
    while_waiting: Callable[[], None] | None = None,
) -> None:
    """Classify every job's work in ``workers`` processes (this one and ``workers - 1`` forked), every guard in
    each, splitting the connections.

    Each worker asks every guard at once, with its share of each guard's connections, taking the next pairs
    of each guard's list as it needs them (``SharedWork``). This process is the first worker: it starts
    asking as soon as the others are forked (a fork of the loaded heap takes ~10 ms each, and an idle parent
    would hold a core's share of nothing). Forked workers die with the parent (``PR_SET_PDEATHSIG`` and a
    pipe, as ``ksafe.evaluation.shard`` does). ``while_waiting`` runs in a thread of this process once the
    others are forked, while its event loop waits on replies (work that would otherwise wait for the last
    answer, such as imports the results need: ~25 ms cold that would delay this process's first requests).

    Raises:
        KsafeError: a worker failed (its verdicts so far are journaled; rerun to resume).
    """
    import multiprocessing

    if workers <= 1 or sum(len(work) for _, work, _ in jobs) < 2:
        run_guard_jobs(jobs, options, model_args, client)
        return
    import ctypes  # noqa: F401  # what each worker's first lines import, imported once before the fork

    import ksafe.evaluation.shard  # noqa: F401

    event_loop_factory(client)  # imports uvloop (where installed and used) once, not in each worker

    context = multiprocessing.get_context("fork")
    heap = ExitStack()
    heap.enter_context(frozen_heap())  # the children's collector skips the inherited heap
    read_end, write_end = os.pipe()
    processes: list[Any] = []
    readers: list[Any] = []
    codes: list[int] = []
    journal_dirs = sorted({str(journal_dir) for _, _, journal_dir in jobs})
    shared = [(guard, SharedWork(work, context.Value("q", 0)), journal_dir) for guard, work, journal_dir in jobs]
    try:
        own_options = options
        for shard in range(workers):
            connections = options.max_connections // workers + (shard < options.max_connections % workers)
            shard_options = dataclasses.replace(options, max_connections=max(1, connections))
            if shard == 0:  # this process asks the first share itself, once the others are forked
                own_options = shard_options
                continue
            shard_jobs: list[GuardJob] = list(shared)
            reports, done = context.Pipe(duplex=False)
            process = context.Process(
                target=_shard_worker,
                args=(read_end, write_end, shard_jobs, shard_options, model_args, client, done),
                daemon=True,
            )
            process.start()
            done.close()  # the worker holds the only write end: end of file means it ended without reporting
            processes.append(process)
            readers.append(reports)
        helper = None
        if while_waiting is not None:  # in a thread: it runs while this process's event loop waits on replies
            helper = threading.Thread(target=_quietly, args=(while_waiting,), name="ksafe-prepare", daemon=True)
            helper.start()
        run_guard_jobs(shared, own_options, model_args, client)
        if helper is not None:
            helper.join()
        codes = [_finished(process, reports) for process, reports in zip(processes, readers, strict=True)]
    finally:
        heap.close()
        os.close(read_end)
        os.close(write_end)
        exiting = [p for p, code in zip(processes, codes, strict=False) if code == 0 and p.is_alive()]
        for process in processes:
            if process.is_alive() and process not in exiting:
                process.terminate()
                process.join()
        if exiting:  # reaped while the results are written (the kernel frees a forked heap in ~20-40 ms)
            threading.Thread(target=lambda: [p.join() for p in exiting], daemon=True).start()
    if any(codes):
        raise KsafeError(
            f"{', '.join(journal_dirs)}: a guard worker failed (exit codes {codes}); run the same command again"
        )
