"""Journal state -> an Inspect ``EvalLog`` written to the run directory.

Input: the task's samples (images as file paths), the journal's state per sample (answer or error,
judge scores) and the task's metadata. Output: ``RUN_DIR/logs/<time>_ksafe-mm_<model-slug>.json``, a standard
Inspect log in JSON format written by Inspect's ``write_eval_log`` (~30x faster than ``.eval`` for large runs;
listed by ``inspect log list``, shown by ``inspect view``, read by ``read_eval_log``) with one ``EvalSample``
per sample (input, messages, output or error, one score per judge) and ``results`` (each judge's metrics).
It is an export: the journal is the run's record, and the log is rebuilt from it.
Side effects: writes the log file.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from inspect_ai.dataset import Sample
from inspect_ai.log import (
    EvalConfig,
    EvalDataset,
    EvalError,
    EvalLog,
    EvalResults,
    EvalSample,
    EvalSpec,
    EvalStats,
)
from inspect_ai.model import ModelOutput
from inspect_ai.scorer import Score

TASK_NAME = "ksafe_mm"


def model_slug(model: str) -> str:
    """A file-name-safe, collision-free form of a model string (``a/b:8b`` and ``a/b_8b`` differ)."""
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", model).strip("_")
    return f"{readable}-{hashlib.sha256(model.encode('utf-8')).hexdigest()[:8]}"


def log_path(logs_dir: Path, model: str) -> Path:
    """The log file of ``model`` in a run, or where a new one goes when there is none.

    Names follow Inspect's convention (``<ISO time>_<task>_<id>.json``), so ``inspect log list`` and
    ``inspect view`` find them; the id is the model's slug, so a run keeps one log per target model.
    Logs named ``ksafe_mm_<slug>.json`` (written before this convention) are still found.
    """
    found = model_logs(logs_dir, model)
    if found:
        return found[-1]
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H-%M-%S+00-00")
    return logs_dir / f"{stamp}_{TASK_NAME.replace('_', '-')}_{model_slug(model)}.json"


def model_logs(logs_dir: Path, model: str) -> list[Path]:
    """Every log of ``model`` in ``logs_dir``, oldest name first."""
    slug = model_slug(model)
    patterns = (f"*_{TASK_NAME.replace('_', '-')}_{slug}.json", f"{TASK_NAME}_{slug}.json")
    return sorted({path for pattern in patterns for path in logs_dir.glob(pattern)}, key=lambda p: p.name)


def log_results(samples: Sequence[EvalSample], judges: Sequence[str]) -> EvalResults:
    """Inspect's ``results`` of a log: per judge, the task's metrics over the samples it scored.

    These are the metrics ``inspect eval ksafe/ksafe_mm`` reports (``inspect view`` and ``inspect log
    list`` show them); the run's own numbers, with intervals and breakdowns, are in ``results.json``.
    """
    from inspect_ai.log import EvalMetric, EvalScore
    from inspect_ai.scorer import SampleScore

    from ksafe.evaluation.inspect_metrics import asr, judge_errors, over_refusal

    metrics = {"asr": asr(), "over_refusal": over_refusal(), "judge_errors": judge_errors()}
    scores = []
    for name in judges:
        scored = [
            SampleScore(score=s.scores[name], sample_id=s.id, sample_metadata=s.metadata)
            for s in samples
            if s.scores and name in s.scores
        ]
        values = {key: EvalMetric(name=key, value=float(metric(scored))) for key, metric in metrics.items()}  # type: ignore[arg-type]
        scores.append(
            EvalScore(
                name=name,
                scorer="heuristic" if name == "heuristic" else "llm_judge",
                scored_samples=len(scored),
                unscored_samples=len(samples) - len(scored),
                metrics=values,
            )
        )
    completed = sum(1 for s in samples if s.error is None)
    return EvalResults(total_samples=len(samples), completed_samples=completed, scores=scores)


def eval_sample(sample: Sample, record: dict[str, Any] | None, judges: Sequence[str] | None = None) -> EvalSample:
    """One logged sample: the request as given (file paths, no base64) and its answer or error.

    ``judges``: the score names to keep (the run's judges; scores of judges it no longer has are left out).
    """
    messages = list(sample.input) if not isinstance(sample.input, str) else []
    output = ModelOutput()
    error = None
    scores = None
    if record is None:
        error = EvalError(message="not answered", traceback="", traceback_ansi="")
    elif record.get("error") is not None:
        message = str(record["error"])
        error = EvalError(message=message, traceback=message, traceback_ansi=message)
    else:
        output = ModelOutput.model_validate(record["output"])
        if output.choices:
            messages.append(output.choices[0].message)
        scores = {
            name: Score.model_validate(value)
            for name, value in (record.get("scores") or {}).items()
            if judges is None or name in judges
        }
    return EvalSample(
        id=sample.id if sample.id is not None else "",
        epoch=1,
        input=sample.input,
        target=sample.target,
        messages=messages,
        output=output,
        metadata=dict(sample.metadata or {}),
        scores=scores,
        error=error,
    )


def build_log(
    *,
    run_id: str,
    model: str,
    samples: Sequence[Sample],
    records: dict[str, dict[str, Any]],
    task_args: dict[str, Any],
    metadata: dict[str, Any],
    dataset_name: str,
    model_roles: dict[str, str],
    judges: Sequence[str] | None = None,
) -> EvalLog:
    """Return the Inspect log of ``model``'s answers, one score per judge, and the judges' metrics.

    ``judges``: the score names kept (default: those of the task metadata, else every recorded score).
    """
    from inspect_ai.model import ModelConfig

    now = datetime.now(UTC).isoformat()
    logged = [eval_sample(s, records.get(str(s.id)), judges) for s in samples]
    spec = EvalSpec(
        eval_set_id=run_id,
        run_id=run_id,
        created=now,
        task=TASK_NAME,
        task_registry_name=f"ksafe/{TASK_NAME}",
        task_args=task_args,
        dataset=EvalDataset(name=dataset_name, samples=len(samples), sample_ids=[str(s.id) for s in samples]),
        model=model,
        model_roles={role: ModelConfig(model=name) for role, name in model_roles.items()} or None,
        config=EvalConfig(epochs=1, log_images=False),
        metadata=metadata,
    )
    names = list(judges if judges is not None else metadata.get("judges") or [])
    return EvalLog(
        eval=spec,
        status="success",
        stats=EvalStats(started_at=now, completed_at=now),
        results=log_results(logged, names),
        samples=logged,
    )


def _write_eval_log(log: EvalLog, path: Path) -> None:
    """Inspect's public writer. Its async form in a loop of our own where none runs: the sync
    ``write_eval_log`` first checks for a notebook by importing IPython (~0.9 s where it is installed)."""
    import asyncio

    from inspect_ai.log import write_eval_log, write_eval_log_async

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(write_eval_log_async(log, str(path), format="json"))
        return
    write_eval_log(log, str(path), format="json")  # inside a caller's loop: Inspect's own nesting


def write_log(log: EvalLog, path: Path) -> None:
    """Write ``log`` with Inspect's public writer, atomically (a crash never leaves a half-written log).

    Older logs of the same model in that folder are removed once the new one is in place, so a run
    holds one log per target model.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")  # not globbed as a log while half-written
    try:
        _write_eval_log(log, tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    for older in model_logs(path.parent, str(log.eval.model)):
        if older != path:
            older.unlink(missing_ok=True)
