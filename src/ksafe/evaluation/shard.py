"""Answer a model's pending samples in 1..N processes (Python uses one core per process).

Input: a model string, the pending samples, generate options and the judges. Output: journal files
``<journal_dir>/answers-<k>-<nonce>.jsonl`` (see ``journal``). Side effects: with ``workers > 1``,
starts worker processes (forked when the CLI allows it: they inherit the loaded samples and modules,
so start in milliseconds; else by spawn, safe for threaded and notebook callers), and one process
for the offline judge (``judge_process``: ``answers-judge-<nonce>.jsonl``), that
die with their parent (``PR_SET_PDEATHSIG`` on Linux, and end-of-file on a pipe from the parent), so
a crashed ``ksafe eval`` leaves no process answering behind it.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import multiprocessing
import os
import pickle
import sys
import uuid
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any, TypeVar

from inspect_ai.dataset import Sample
from inspect_ai.model import get_model

from ksafe.errors import KsafeError
from ksafe.evaluation.engine import GenerateOptions, resolve_client, run_answers
from ksafe.evaluation.journal import Journal
from ksafe.evaluation.judge_process import JudgeProcess, start_judge_process
from ksafe.evaluation.judging import JudgeSet
from ksafe.processes import die_with_parent


def journal_file(journal_dir: Path, shard: int | str) -> Path:
    """The journal file a shard (or the judge process, ``judge``) appends to (a new file per run attempt)."""
    return journal_dir / f"answers-{shard}-{uuid.uuid4().hex[:8]}.jsonl"


def answer_in_process(
    model: str,
    samples: Sequence[Sample],
    journal_dir: Path,
    options: GenerateOptions,
    model_args: dict[str, Any],
    judges: JudgeSet | None = None,
    uncached: Collection[str] = (),
) -> None:
    """Answer and judge ``samples`` in this process (``uncached``: ids asked past the response cache)."""
    with Journal(journal_file(journal_dir, 0)) as journal:
        run_answers(model, samples, journal, options, model_args, judges, uncached)


PRELOAD = (
    "anyio._backends._asyncio",
    "httpcore",
    "httpcore2",
    "truststore",
    "openai.resources.chat.completions.completions",
    "openai.lib._chat_completion_resources",
)
"""Modules the providers import lazily on their first request."""


def preload(model: Any) -> None:
    """Do once, before forking, the lazy work of a provider's first request (workers inherit it).

    Without this every worker does it at the same moment when the run starts (~0.4 s of CPU each on
    a 2-core machine): importing ``PRELOAD`` (the ones installed) and parsing Inspect's model-info
    database (YAML, read on the first ``generate``).
    """
    from inspect_ai.model import get_model_info

    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
    with contextlib.suppress(Exception):  # a warm-up only: the workers' own lookups report real problems
        get_model_info(model)


T = TypeVar("T")


def prepare_client(model: str, options: GenerateOptions) -> None:
    """Resolve ``model`` and do its client's first-call imports once (before forking: workers inherit them).

    Inspect's model layer: ``get_model`` and ``preload`` (provider imports and model-info database, ~1.5 s of
    CPU). The direct client: its endpoint check and its modules (aiohttp); no Inspect provider is imported.

    Raises:
        KsafeError: a direct target's base URL or key is not set.
        Exception: Inspect's, for a bad model string or a missing key.
    """
    if resolve_client(model, options.client) == "direct":
        from ksafe.clients import openai_direct, response_cache  # noqa: F401  (imported once, before forking)

        openai_direct.endpoint(model)
        return
    preload(get_model(model, config=options.config(), memoize=False))


def warm_provider(model: str, options: GenerateOptions) -> None:
    """``prepare_client`` that never raises (a bad model string is reported where it is resolved for real)."""
    with contextlib.suppress(Exception):
        prepare_client(model, options)


def load_while(load: Callable[[], T], warm: Callable[[], None]) -> T:
    """Return ``load()`` computed in a forked child while this process runs ``warm()`` (both cores busy).

    ``warm`` is the provider's start-up (imports, which must happen in this process); ``load`` is
    independent CPU work (building the samples) whose result comes back pickled. Where fork is not
    available both run here, one after the other. Exceptions of ``load`` are raised here.
    """
    if not sys.platform.startswith("linux"):
        warm()
        return load()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, leave without running the parent's exit handlers
        os.close(read_end)
        code = 0
        try:
            try:
                data = pickle.dumps((True, load()), protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException as exc:  # handed to the parent, which raises it
                data = pickle.dumps((False, _picklable(exc)), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
        except BaseException:  # the parent sees end-of-file and reports it
            code = 1
        os._exit(code)
    os.close(write_end)
    reader = os.fdopen(read_end, "rb")
    try:
        warm()
        data = reader.read()
    finally:
        reader.close()  # interrupted before reading: the child's write fails instead of blocking forever
        os.waitpid(pid, 0)
    if not data:
        raise KsafeError("ksafe eval: loading the benchmark failed in a helper process (no result)")
    ok, value = pickle.loads(data)
    if not ok:
        raise value
    return value


def export_log_while(config: Any, export: Callable[[], Any]) -> Callable[[], None]:
    """Run ``export`` (writing a model's Inspect log) in a forked child and return the call that waits for it.

    Only where the caller owns its process (the CLI) on Linux: the parent computes the results meanwhile
    (~0.25 s of 2,000 samples' 0.5 s export overlapped on a second core). Elsewhere ``export`` runs here and
    the waiter does nothing. The log is written atomically by ``export``: a child killed midway leaves none,
    and the next run writes it.

    Raises:
        KsafeError: (from the waiter) the child failed; its one-line reason, or its exit status.
    """
    if not (config.owns_process and sys.platform.startswith("linux")):
        export()
        return lambda: None
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: export, report a failure in one line, leave without the parent's exit handlers
        os.close(read_end)
        code = 0
        try:
            export()
        except BaseException as exc:
            code = 1
            with contextlib.suppress(BaseException):
                os.write(write_end, _one_line(exc).encode())
        os._exit(code)
    os.close(write_end)

    def wait() -> None:
        with os.fdopen(read_end, "rb") as reader:
            reason = reader.read().decode(errors="replace")
        _, status = os.waitpid(pid, 0)
        if status != 0:
            raise KsafeError(reason or f"ksafe eval: writing the Inspect log failed (exit status {status})")

    return wait


def _one_line(exc: BaseException) -> str:
    """A failure as the CLI prints it: ``FILE: reason`` for an OS error, else the first line of the message."""
    if isinstance(exc, OSError) and exc.filename:
        return f"{exc.filename}: {exc.strerror or exc}"[:300]
    return (str(exc).splitlines() or [type(exc).__name__])[0][:300]


def _picklable(exc: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # an exception class pickle cannot rebuild: keep its message
        return KsafeError(str(exc)) if isinstance(exc, KsafeError) else RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def _worker(
    reader: Any,
    writer: Any,
    model: str,
    samples: Sequence[Sample],
    path: Path,
    options: GenerateOptions,
    judges: JudgeSet | None,
    uncached: Collection[str],
) -> None:
    if writer is not None:
        writer.close()  # a forked child inherits the write end: only the parent may hold it
    die_with_parent(reader)
    with Journal(path) as journal:
        run_answers(model, samples, journal, options, None, judges, uncached)


def start_method(fork: bool) -> str:
    """``fork`` when the caller allows it (the CLI), else ``spawn``.

    Forking copies the caller's whole process, its threads' locks included: safe only for a
    single-threaded program that owns its heap, such as the ``ksafe eval`` command. A library caller (a
    notebook, a threaded server) gets workers started as fresh interpreters (``spawn``: ~1-2 s of imports
    each), which also see the environment as it is now (a forkserver would keep the environment of its
    first use, e.g. an API key set later would be missing).
    """
    return "fork" if fork and "fork" in multiprocessing.get_all_start_methods() else "spawn"


def answer_sharded(
    model: str,
    samples: Sequence[Sample],
    journal_dir: Path,
    options: GenerateOptions,
    workers: int,
    judges: JudgeSet | None = None,
    uncached: Collection[str] = (),
    fork: bool = False,
    started: Callable[[], None] | None = None,
) -> None:
    """Answer ``samples`` in ``workers`` processes, splitting ``max_connections`` between them.

    Args:
        model: Inspect model string of the target.
        samples: The samples to answer (interleaved across workers).
        journal_dir: Where each worker appends its journal file.
        options: Generate options (``max_connections`` is the total over the workers).
        workers: Number of worker processes.
        judges: The judges: the offline one runs in a judge process of its own (``judge_process``), the
            others (LLM judges) in each worker on its answers.
        uncached: Sample ids asked past Inspect's response cache.
        fork: Fork this process (fast: workers inherit the loaded modules; the heap is frozen meanwhile so
            their collectors skip it). Only for a single-threaded caller that owns its heap (the CLI);
            otherwise workers start with spawn.
        started: Called once every worker has started (e.g. to start a progress thread after forking).

    Raises:
        KsafeError: A worker failed (its answers so far are journaled; rerun to resume).
    """
    journal_dir.mkdir(parents=True, exist_ok=True)
    method = start_method(fork)
    context: Any = multiprocessing.get_context(method)
    # Resolve the model once here: a wrong model string or a missing key fails before any worker starts,
    # and (forking) the provider's modules are imported once instead of once per worker.
    prepare_client(model, options)
    owned = method == "fork" and gc.get_freeze_count() == 0  # else the caller froze the heap and unfreezes it
    if owned:
        gc.freeze()  # the children's collector skips the inherited heap (no traversal, no copy-on-write faults)
    reader, writer = context.Pipe(duplex=False)
    processes = []
    codes: list[int | None] = []
    files = [journal_file(journal_dir, shard) for shard in range(workers)]
    # The offline judge (seconds of GIL-holding analyzer loading) runs in a process of its own, which
    # judges the answers as the workers journal them; the workers run only the other judges (LLM judges).
    offline = judges.offline if judges is not None else JudgeSet()
    inline = judges.without(offline) if judges is not None else None
    judging: JudgeProcess | None = None
    try:
        for shard in range(workers):
            connections = options.max_connections // workers + (shard < options.max_connections % workers)
            shard_options = GenerateOptions(**{**options.__dict__, "max_connections": max(1, connections)})
            process = context.Process(
                target=_worker,
                args=(
                    reader,
                    writer if method == "fork" else None,
                    model,
                    list(samples[shard::workers]),
                    files[shard],
                    shard_options,
                    inline,
                    frozenset(uncached),
                ),
                daemon=True,
            )
            process.start()
            processes.append(process)
        if offline.judges:  # after the workers: its analyzer load never delays their first requests
            pipe = (reader, writer if method == "fork" else None)
            score_file = journal_file(journal_dir, "judge")
            judging = start_judge_process(context, pipe, model, samples, files, score_file, offline, options)
        if owned:
            gc.unfreeze()
            owned = False
        if started is not None:
            started()
        for process in processes:
            process.join()
        codes = [process.exitcode for process in processes]
        if judging is not None:
            rows, judging = judging.finish(), None
            if rows is not None:
                from ksafe.evaluation.judge_quality import adopt_offline_quality

                adopt_offline_quality(rows)
    finally:
        if owned:
            gc.unfreeze()
        if judging is not None:
            judging.stop()
        reader.close()
        writer.close()
        for process in processes:
            if process.is_alive():
                process.terminate()
                process.join()
    if any(codes):
        raise KsafeError(f"{journal_dir}: a worker failed (exit codes {codes}); run the same command again to resume")
