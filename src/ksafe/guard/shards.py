"""Ask the guards of one command in 1..N forked processes (Python uses one core per process).

Input: ``GuardJob``s (a ``GuardSpec``, its ``GuardWork``, its journal folder), call options. Output: one
journal file per guard per worker (``runner.run_guard_jobs``: every guard of the command at once in each
worker). Side effects: forks workers that die with their parent (``PR_SET_PDEATHSIG`` and
end-of-file on a pipe, as eval's shards do: ``ksafe.processes``), so a crashed run leaves nobody asking.
"""

from __future__ import annotations

import dataclasses
import gc
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any

from ksafe.errors import KsafeError
from ksafe.evaluation.engine import GenerateOptions
from ksafe.guard.faults import cannot_write, redact
from ksafe.guard.runner import GuardJob, event_loop_factory, run_guard_jobs
from ksafe.guard.sources import ItemSource
from ksafe.guard.work import SharedCounter

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


def _shard_worker(
    read_end: int,
    write_end: int,
    jobs: Sequence[GuardJob],
    options: GenerateOptions,
    model_args: dict[str, Any] | None,
    client: str,
    done: Any,
) -> None:
    from ksafe.processes import die_with_parent  # imported by the parent before the fork

    os.close(write_end)  # only the parent holds the write end: end of file means it is gone
    die_with_parent(read_end)
    # the parent handles Ctrl-C (it reaches the whole process group) and stops its workers with SIGTERM: a worker
    # just ends (each journal line is one atomic write), with no handler raising inside its event loop
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        run_guard_jobs(jobs, options, model_args, client)
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group; the parent says so, in one line
        return
    except Exception as exc:  # one line for the parent to raise (never a traceback on the user's terminal)
        done.send_bytes(b"error " + worker_error(exc).encode("utf-8", "replace"))
        return
    done.send_bytes(b"done")  # the journals are closed (fsynced): the parent need not wait for this exit


def worker_error(exc: BaseException) -> str:
    """The one-line message of a worker's failure."""
    if isinstance(exc, KsafeError):
        return str(exc)
    if isinstance(exc, OSError):
        return cannot_write(exc, "journal")
    return redact(f"a guard worker failed: {type(exc).__name__}: {exc}".splitlines()[0])


PREPARE_DELAY_S = 0.04
"""How long ``while_waiting`` waits before it starts: the first requests leave first (an import holds the
interpreter lock, and the event loop would wait up to a switch interval, 5 ms, at each step of opening its
connections; eight alternating cold runs of ``run_guards`` set up as ``bench_guard.py`` sets it up, a process
each: median ratio 0.848 with the delay, 0.838 without)."""


def _quietly(work: Callable[[], None]) -> None:
    """Run ``work`` after ``PREPARE_DELAY_S``, ignoring its failure (what it prepares is redone, and its error
    raised, where needed)."""
    time.sleep(PREPARE_DELAY_S)
    try:
        work()
    except Exception:  # e.g. an import: the results retry it and report its error themselves
        pass


def _finished(process: Any, done: Any) -> tuple[int, str]:
    """(0, "") once the worker reports its journals closed (it may still be exiting), else its exit code and
    its one-line error (empty when it ended without one, e.g. killed)."""
    try:
        report = done.recv_bytes()
    except EOFError:  # it ended without reporting: a failure (its verdicts so far are journaled)
        process.join()
        return (1 if not process.exitcode else process.exitcode), ""
    finally:
        done.close()
    if report.startswith(b"error "):
        return 1, report[6:].decode("utf-8", "replace")
    return 0, ""


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

    Each worker asks every guard at once, with its share of each guard's connections, taking the next units
    of each guard's work as it needs them (``GuardWork`` with a ``SharedCounter``) and building only those
    (``ItemSource``). This process is the first worker: it starts asking as soon as the others are forked (a
    fork takes ~10 ms each, and an idle parent would hold a core's share of nothing), and between replies it
    builds the units the others take (the results need every item). Forked workers die with the parent
    (``PR_SET_PDEATHSIG`` and a pipe, as eval's shards do: ``ksafe.processes``). ``while_waiting`` runs in a thread
    of this process once the others are forked, while its event loop waits on replies (work that would
    otherwise wait for the last answer, such as imports the results need: ~25 ms cold that would delay this
    process's first requests).

    Raises:
        KsafeError: a worker failed (its verdicts so far are journaled; rerun to resume): its own one-line
            error where it gave one.
    """
    import multiprocessing

    if workers <= 1 or sum(work.estimate() for _, work, _ in jobs) < 2:
        run_guard_jobs(jobs, options, model_args, client)
        return
    import ctypes  # noqa: F401  # what each worker's first lines import, imported once before the fork

    import ksafe.evaluation.inspect_compat  # (each worker's `no_transcript`)
    import ksafe.processes  # noqa: F401

    event_loop_factory(client)  # imports uvloop (where installed and used) once, not in each worker

    context = multiprocessing.get_context("fork")
    heap = ExitStack()
    heap.enter_context(frozen_heap())  # the children's collector skips the inherited heap
    read_end, write_end = os.pipe()
    processes: list[Any] = []
    readers: list[Any] = []
    ended: list[tuple[int, str]] = []
    journal_dirs = sorted({str(journal_dir) for _, _, journal_dir in jobs})
    shared: list[GuardJob] = [
        (guard, work.shared(SharedCounter(context.Value("q", 0))), journal_dir) for guard, work, journal_dir in jobs
    ]
    sources = list({id(work.source): work.source for _, work, _ in jobs}.values())
    try:
        own_options = options
        for shard in range(workers):
            connections = options.max_connections // workers + (shard < options.max_connections % workers)
            shard_options = dataclasses.replace(options, max_connections=max(1, connections))
            if shard == 0:  # this process asks the first share itself, once the others are forked
                own_options = shard_options
                continue
            reports, done = context.Pipe(duplex=False)
            process = context.Process(
                target=_shard_worker,
                args=(read_end, write_end, shared, shard_options, model_args, client, done),
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
        run_guard_jobs(shared, own_options, model_args, client, prefetch=lambda n: _prefetch(sources, n))
        if helper is not None:
            helper.join()
        ended = [_finished(process, reports) for process, reports in zip(processes, readers, strict=True)]
    finally:
        heap.close()
        os.close(read_end)
        os.close(write_end)
        exiting = [p for p, (code, _) in zip(processes, ended, strict=False) if code == 0 and p.is_alive()]
        for process in processes:
            if process.is_alive() and process not in exiting:
                process.terminate()
                process.join()
        if exiting:  # reaped while the results are written (the kernel frees a forked heap in ~20-40 ms)
            threading.Thread(target=lambda: [p.join() for p in exiting], daemon=True).start()
    messages = [message for _, message in ended if message]
    if messages:
        raise KsafeError(messages[0])
    if any(code for code, _ in ended):
        codes = [code for code, _ in ended]
        raise KsafeError(
            f"{', '.join(journal_dirs)}: a guard worker failed (exit codes {codes}); run the same command again"
        )


def _prefetch(sources: Sequence[ItemSource], count: int) -> bool:
    """Build ``count`` more units of the first source with some left; False once all are built."""
    return any(source.prefetch(count) for source in sources)
