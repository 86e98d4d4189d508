"""Run an evaluation (several models, several judges) into a run directory, resumably.

Input: a ``RunConfig``. Output: ``run.json`` (the options, never secrets), ``samples.jsonl`` (the typed
items the run evaluates, as Inspect samples), ``RUN_DIR/journal/`` (every finished answer, error and judge
score, appended as it arrives), then, computed from those three alone (``finalize``): ``responses.jsonl``,
``results.json``, ``tables/*.csv`` and ``RUN_DIR/logs/<time>_ksafe-mm_<model-slug>.json`` (one Inspect log
per target model, an export: never read back).
Side effects: calls the target models through Inspect's model layer (``engine``; in this process, or in
worker processes when ``workers`` asks, see ``shard``) and the judges inline as Inspect scorers; writes
the run directory. A run stopped by a crash or Ctrl-C resumes with the same command: answers in the
journal are never asked again; failed items and answers a judge failed on are (docs/design/eval-engine.md).
"""

from __future__ import annotations

import gc
import json
import os
import re
import sys
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ksafe.errors import KsafeError
from ksafe.evaluation.dataset import ItemFilter
from ksafe.evaluation.dry_run import is_dry_run, model_args_for
from ksafe.evaluation.engine import CLIENTS, HTTP_CLIENTS, GenerateOptions, resolve_client
from ksafe.evaluation.evallog import model_slug
from ksafe.evaluation.journal import has_choices, read_journals, run_lock
from ksafe.evaluation.judging import JudgeSet, judge_specs
from ksafe.evaluation.run_record import (
    JOURNAL_DIR,
    LOGS_DIR,
    RUN_FILE,
    SAMPLES_FILE,
    export_log,
    finalize,
    model_states,
    read_run_record,
    run_samples,
)
from ksafe.fileio import write_text_atomic
from ksafe.schema.evaluation import RunResults
from ksafe.secrets import redact

HEURISTIC = "heuristic"
AUTO_SHARD_MIN = 200
"""With ``workers=0`` (auto), runs with at least this many pending samples use one process per core."""


@dataclass(frozen=True)
class RunConfig:
    """Everything ``ksafe eval`` needs (no API keys: those stay in the environment)."""

    benchmark: str
    models: tuple[str, ...]
    out: Path
    judges: tuple[str, ...] = (HEURISTIC,)
    """``heuristic``, plugin judges, ``scorer:REF`` and/or Inspect model strings of LLM judges."""
    items: ItemFilter = field(default_factory=ItemFilter)
    """Which items to evaluate (subset, domain, category, strategy, image kind, harmful or benign), in which G
    versions, and a seeded sample of them (``--limit``, ``--seed``)."""
    generate: GenerateOptions = field(default_factory=GenerateOptions)
    """Options of the target calls: connections, retries, timeouts, answer tokens, response cache, HTTP client."""
    text_only: bool = False
    rubric_language: str = "en"
    pack: str | None = None
    """Culture pack (code or folder) for the heuristic judge; default: the benchmark's culture."""
    count_partial: bool = False
    display: str = "full"
    """``full``: a progress bar on stderr while answers arrive; ``none``: no progress output."""
    workers: int = 1
    """Answering processes per model: 1 (default) answers in this process; N > 1 starts N worker processes;
    0 = auto (runs of ``AUTO_SHARD_MIN``+ pending samples on Linux: up to two per core, >= 8 connections each)."""
    owns_process: bool = False
    """The caller is a single-threaded program that owns this process (the ``ksafe eval`` command): workers
    may be forked from it, samples load in a forked helper, and its heap is frozen (``gc.freeze``) for the
    run. A library caller (a notebook, a threaded host) leaves it False: workers start by spawn, and nothing
    touches its heap (a script that asks for workers guards its entry point with ``if __name__ ==
    "__main__":``, as spawn requires)."""
    model_args: dict[str, Any] = field(default_factory=dict)
    """Extra model arguments (e.g. ``custom_outputs`` for ``mockllm`` in tests); never written."""


def judge_set(config: RunConfig) -> JudgeSet:
    """The run's judges, with the pack and rubric language they use."""
    pack = str(Path(config.pack).resolve()) if config.pack and Path(config.pack).is_dir() else config.pack
    return JudgeSet(judge_specs(config.judges), config.rubric_language, pack)


def task_args(config: RunConfig, specs: list[str]) -> dict[str, Any]:
    """The ``ksafe_mm`` task arguments of a run (plain strings and numbers, as ``inspect eval -T`` takes them)."""
    f = config.items
    choices = (
        ("subset", f.subsets),
        ("domain", f.domains),
        ("category", f.categories),
        ("strategy", f.strategies),
        ("image_kind", f.image_kinds),
    )
    args: dict[str, Any] = {name: ",".join(values) for name, values in choices if values}
    if f.harmful is not None:
        args["harmful"] = "harmful" if f.harmful else "benign"
    args.update(
        g_version=",".join(f.g_versions),
        benchmark=str(Path(config.benchmark).resolve()) if Path(config.benchmark).exists() else config.benchmark,
        judges=",".join(specs),
        rubric_language=config.rubric_language,
        text_only=config.text_only,
        seed=f.seed,
    )
    if f.sample_size is not None:
        args["sample_size"] = f.sample_size
    if config.pack:
        args["pack"] = str(Path(config.pack).resolve()) if Path(config.pack).is_dir() else config.pack
    return args


def _check_same_run(out: Path, record: dict[str, Any]) -> None:
    path = out / RUN_FILE
    if not path.exists():
        return
    previous = read_run_record(out)
    keys = ("benchmark", "task_args", "judges")
    changed = [k for k in keys if previous.get(k) != record.get(k)]
    if changed:
        raise KsafeError(f"{path}: {changed[0]}: differs from this command; use a new --out to start another run")


def run_eval(config: RunConfig) -> RunResults:
    """Evaluate every model of ``config`` and write the run directory; resume when it exists."""
    if not config.models:
        raise KsafeError("--model: give at least one model (e.g. openai/gpt-4o-mini)")
    if config.generate.http_client not in HTTP_CLIENTS:
        raise KsafeError(f"--http-client: {config.generate.http_client!r}: expected one of {', '.join(HTTP_CLIENTS)}")
    if config.generate.client not in CLIENTS:
        raise KsafeError(f"--client: {config.generate.client!r}: expected one of {', '.join(CLIENTS)}")
    judges = judge_set(config)
    specs, roles = [j.name for j in judges.judges], judges.roles
    args = task_args(config, specs)
    # Validates the benchmark and filters before any model is called. Large runs build the samples in
    # a forked helper while this process imports the first model's provider (both are ~CPU-bound).
    loaded = _load_task(config, args)
    check_models(config, roles)  # a missing key or unknown provider fails here, before the run directory is touched
    out = config.out
    record: dict[str, Any] = {
        "benchmark": args["benchmark"],
        "task_args": args,
        "judges": list(config.judges),
        "models": sorted(set(config.models)),
        "options": _options(config),
        "culture": str(loaded.metadata.get("culture", "")),
        "task_metadata": loaded.metadata,
        "dataset_name": loaded.dataset_name,
    }
    _check_same_run(out, record)
    with run_lock(out):
        old = read_run_record(out) if (out / RUN_FILE).exists() else {}
        record["models"] = sorted(set(old.get("models", [])) | set(config.models))
        record["run_id"] = old.get("run_id") or uuid.uuid4().hex[:22]
        _write_json(out / RUN_FILE, record)
        if not (out / SAMPLES_FILE).exists():  # the same task args (checked above) select the same samples
            from ksafe.evaluation.samples import write_samples

            write_samples(out / SAMPLES_FILE, loaded.samples)
        states: dict[str, dict[str, Any]] = {}
        # The CLI's samples and modules live for the whole run: the collector's full passes (triggered by
        # the log and results built at the end) skip them instead of walking them (~0.3 s each). Only when
        # the caller owns the process: a library call never changes its caller's collector.
        owned = config.owns_process and gc.get_freeze_count() == 0
        if owned:
            gc.freeze()
        exports: list[Callable[[], None]] = []
        failures: list[KsafeError] = []
        try:
            for model in dict.fromkeys(config.models):
                states[model] = _evaluate_model(config, model, loaded, record, judges, exports)
            results = finalize(out, loaded.samples, states)  # while the logs are written
        finally:
            for wait in exports:  # every export child is waited for, even when the run failed
                try:
                    wait()
                except KsafeError as exc:
                    failures.append(exc)
            if owned:
                gc.unfreeze()
        if failures:
            raise failures[0]
        return results


_MARKUP = re.compile(r"\[/?(?:bold|blue|red|green|yellow|italic|dim)(?: [a-z]+)*\]")


def check_models(config: RunConfig, roles: dict[str, str]) -> None:
    """Resolve every target and LLM judge with Inspect (no request is made).

    Raises:
        KsafeError: one line naming the option and model: an unknown provider, a malformed model string or a
            missing environment variable (``<NAME>_API_KEY``, ``<NAME>_BASE_URL``).
    """
    targets = list(dict.fromkeys(config.models))
    direct = [m for m in targets if resolve_client(m, config.generate.client, config.model_args) == "direct"]
    for model in direct:  # ksafe's own client: checked without importing Inspect's provider
        from ksafe.clients.openai_direct import endpoint_problem

        problem = endpoint_problem(model)
        if problem is not None:
            raise KsafeError(f"--model {model}: {problem} (--client direct)")
    named = [("--model", m, config.model_args) for m in targets if m not in direct]
    named += [("--judge", m, {}) for m in roles.values()]
    _resolve_models(named)


def check_judges(roles: dict[str, str]) -> None:
    """Resolve every LLM judge with Inspect (no request); a missing key is one line naming the ``--judge``."""
    _resolve_models([("--judge", m, {}) for m in roles.values()])


def _resolve_models(named: list[tuple[str, str, dict[str, Any]]]) -> None:
    from inspect_ai.model import get_model

    for option, name, given in named:
        try:
            get_model(name, memoize=False, **model_args_for(name, given))
        except Exception as exc:  # Inspect's PrerequisiteError (missing key or URL) or ValueError (bad string)
            text = redact(_MARKUP.sub("", str(getattr(exc, "message", exc))).removeprefix("ERROR: "))
            parts = [" ".join(part.split()) for part in text.split("\n\n") if part.strip()]
            raise KsafeError(f"{option} {name}: {': '.join(parts)}") from None


@dataclass(frozen=True)
class LoadedTask:
    """What a run needs of the ``ksafe_mm`` task: its samples, metadata and dataset name."""

    samples: list[Any]
    metadata: dict[str, Any]
    dataset_name: str


def _build_task(args: dict[str, Any]) -> LoadedTask:
    from ksafe.evaluation.task import ksafe_mm

    task = ksafe_mm(**args)
    return LoadedTask(list(task.dataset), dict(task.metadata or {}), str(task.dataset.name or "ksafe"))


def _load_task(config: RunConfig, args: dict[str, Any]) -> LoadedTask:
    from ksafe.evaluation.evallog import log_path

    unlogged = [m for m in dict.fromkeys(config.models) if not log_path(config.out / LOGS_DIR, m).exists()]
    sharding = (
        config.owns_process and config.workers != 1 and not config.model_args and sys.platform.startswith("linux")
    )
    if (
        not unlogged
        or not sharding
        or (config.items.sample_size is not None and config.items.sample_size < AUTO_SHARD_MIN)
    ):
        return _build_task(args)
    if all(resolve_client(m, config.generate.client, config.model_args) == "direct" for m in unlogged):
        # Nothing to overlap: the direct client's start-up is a few imports, and sending ~2,000 samples back
        # from a helper (pickled pydantic objects) costs more than building them here (0.45 s vs 1.15 s).
        return _build_task(args)
    from ksafe.evaluation.shard import load_while, warm_provider

    options = config.generate
    return load_while(lambda: _build_task(args), lambda: warm_provider(unlogged[0], options))


def _workers(config: RunConfig, pending: int, model: str = "") -> int:
    if is_dry_run(model):
        return 1  # the mock model's answers are supplied in this process
    if config.workers > 0:
        return config.workers if not config.model_args else 1
    if config.model_args or pending < AUTO_SHARD_MIN or not sys.platform.startswith("linux"):
        return 1  # automatic only where workers start cheaply
    # Two processes per core: each event loop stays lightly loaded, so answers are read promptly.
    return max(1, min(2 * (os.cpu_count() or 1), config.generate.max_connections // 8))


def unjudged(samples: list[Any], state: dict[str, dict[str, Any]], judges: JudgeSet) -> dict[str, set[str]]:
    """Judge names to run per answered sample: scores missing (a crash) or ``judge_error`` (a failed judge)."""
    needs: dict[str, set[str]] = {}
    for sample in samples:
        entry = state.get(str(sample.id), {})
        if entry.get("output") is None:
            continue
        scores = entry.get("scores") or {}
        names = {
            j.name
            for j in judges.judges
            if not isinstance(scores.get(j.name), dict) or scores[j.name].get("value") == "judge_error"
        }
        if names:
            needs[str(sample.id)] = names
    return needs


def _evaluate_model(
    config: RunConfig,
    model: str,
    loaded: LoadedTask,
    record: dict[str, Any],
    judges: JudgeSet,
    exports: list[Callable[[], None]],
) -> dict[str, dict[str, Any]]:
    """Answer the samples of ``model`` without an answer, judge those without a verdict, export its log.

    The export may still be running when this returns: ``exports`` gets the call that waits for it.

    The journal is the state: a rerun asks exactly the samples whose call failed or never ran, and
    re-judges exactly the answers a judge failed on (or never saw); nothing else is sent.

    Returns:
        The model's journal state per sample id (what its results are computed from).
    """
    from ksafe.evaluation.engine import run_judge_missing
    from ksafe.evaluation.evallog import log_path
    from ksafe.evaluation.journal import Journal
    from ksafe.evaluation.progress import JournalProgress
    from ksafe.evaluation.shard import answer_in_process, answer_sharded, export_log_while, journal_file

    path = log_path(config.out / LOGS_DIR, model)
    journal_dir = config.out / JOURNAL_DIR / model_slug(model)
    if path.exists() and not journal_dir.is_dir():
        raise KsafeError(
            f"{journal_dir}: missing: {config.out} was written by a ksafe before the journal; use a new --out"
        )
    samples = loaded.samples
    state = read_journals(journal_dir, is_answer=has_choices) if journal_dir.is_dir() else {}
    pending = [s for s in samples if state.get(str(s.id), {}).get("output") is None]
    if path.exists() and not pending and not unjudged(samples, state, judges):
        return state  # answered, judged and exported by an earlier run of this command: nothing is sent
    journal_dir.mkdir(parents=True, exist_ok=True)
    options = config.generate
    if pending:
        uncached = {str(s.id) for s in pending if str(s.id) in state}  # failed before: the cache may hold why
        workers = _workers(config, len(pending), model)
        progress = JournalProgress(journal_dir, len(pending), model, enabled=config.display != "none")
        with progress.deferred() if workers > 1 else progress:  # a fork happens before the progress thread
            if workers > 1:
                fork = config.owns_process
                answer_sharded(model, pending, journal_dir, options, workers, judges, uncached, fork, progress.start)
            else:
                given = model_args_for(model, config.model_args)
                answer_in_process(model, pending, journal_dir, options, given, judges, uncached)
        state = read_journals(journal_dir, is_answer=has_choices)
    needs = unjudged(samples, state, judges)
    if needs:  # a crash came between an answer and its judges, or a judge failed on an earlier run
        from inspect_ai.model import ModelOutput

        todo = [s for s in samples if str(s.id) in needs]
        outputs = {str(s.id): ModelOutput.model_validate(state[str(s.id)]["output"]) for s in todo}
        with Journal(journal_file(journal_dir, 0)) as journal:
            run_judge_missing(model, todo, outputs, journal, judges, options, needs)
        state = read_journals(journal_dir, is_answer=has_choices)
    exports.append(export_log_while(config, lambda: export_log(config.out, model, samples, state, record, judges)))
    return state


def _options(config: RunConfig) -> dict[str, Any]:
    """``run.json`` ``options``: the generate options and the run's switches, flat (the filter is in ``task_args``)."""
    skipped = ("model_args", "out", "display", "items", "generate")
    values = {k: v for k, v in asdict(config).items() if k not in skipped}
    values.update(asdict(config.generate))
    return json.loads(json.dumps(values, default=str))


def _write_json(path: Path, value: Any) -> None:
    write_text_atomic(path, json.dumps(value, ensure_ascii=False, indent=2) + "\n")


__all__ = [
    "JOURNAL_DIR",
    "LOGS_DIR",
    "RUN_FILE",
    "SAMPLES_FILE",
    "RunConfig",
    "export_log",
    "finalize",
    "model_states",
    "read_run_record",
    "run_eval",
    "run_samples",
]
