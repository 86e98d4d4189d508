"""Ask the guards of one command in 1..N forked processes (Python uses one core per process).

Input: ``GuardJob``s (a ``GuardSpec``, its pending (journal id, conversation) pairs, its journal folder), call
options. Output: one journal file per guard per worker (``runner.run_guard_jobs``: every guard of the command
at once in each worker). Side effects: forks workers that die with their parent (``PR_SET_PDEATHSIG`` and
end-of-file on a pipe, as ``ksafe.evaluation.shard`` does), so a crashed run leaves nobody asking.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from typing import Any

from ksafe.errors import KsafeError
from ksafe.evaluation.engine import GenerateOptions
from ksafe.guard.runner import GuardJob, event_loop_factory, run_guard_jobs


def _shard_worker(
    read_end: int,
    write_end: int,
    jobs: Sequence[GuardJob],
    options: GenerateOptions,
    model_args: dict[str, Any] | None,
    client: str,
) -> None:
    from ksafe.evaluation.shard import die_with_parent  # imported by the parent before the fork

    os.close(write_end)  # only the parent holds the write end: end of file means it is gone
    die_with_parent(read_end)
    run_guard_jobs(jobs, options, model_args, client)


def run_guards_sharded(
    jobs: Sequence[GuardJob],
    options: GenerateOptions,
    workers: int,
    model_args: dict[str, Any] | None = None,
    client: str = "inspect",
    while_waiting: Callable[[], None] | None = None,
) -> None:
    """Classify every job's work in ``workers`` forked processes, every guard in each, splitting the connections.

    Each worker asks its share (every ``workers``-th pair) of every guard at once, with its share of each
    guard's connections. Workers die with the parent (``PR_SET_PDEATHSIG`` and a pipe, as
    ``ksafe.evaluation.shard`` does). ``while_waiting`` runs in the parent once the workers are started
    (work that would otherwise wait for the last answer, such as imports the results need).

    Raises:
        KsafeError: a worker failed (its verdicts so far are journaled; rerun to resume).
    """
    import gc
    import multiprocessing

    if workers <= 1 or sum(len(work) for _, work, _ in jobs) < 2:
        run_guard_jobs(jobs, options, model_args, client)
        return
    import ctypes  # noqa: F401  # what each worker's first lines import, imported once before the fork

    import ksafe.evaluation.shard  # noqa: F401

    event_loop_factory(client)  # imports uvloop (where installed and used) once, not in each worker

    context = multiprocessing.get_context("fork")
    owned = gc.get_freeze_count() == 0
    gc.freeze()  # the children's collector skips the inherited heap
    read_end, write_end = os.pipe()
    processes = []
    journal_dirs = sorted({str(journal_dir) for _, _, journal_dir in jobs})
    try:
        for shard in range(workers):
            connections = options.max_connections // workers + (shard < options.max_connections % workers)
            shard_options = dataclasses.replace(options, max_connections=max(1, connections))
            shard_jobs = [(guard, list(work[shard::workers]), journal_dir) for guard, work, journal_dir in jobs]
            process = context.Process(
                target=_shard_worker,
                args=(read_end, write_end, shard_jobs, shard_options, model_args, client),
                daemon=True,
            )
            process.start()
            processes.append(process)
        if while_waiting is not None:
            while_waiting()
        for process in processes:
            process.join()
        codes = [process.exitcode for process in processes]
    finally:
        if owned:
            gc.unfreeze()
        os.close(read_end)
        os.close(write_end)
        for process in processes:
            if process.is_alive():
                process.terminate()
                process.join()
    if any(codes):
        raise KsafeError(
            f"{', '.join(journal_dirs)}: a guard worker failed (exit codes {codes}); run the same command again"
        )
