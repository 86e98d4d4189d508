"""The record of a run directory, and everything computed from it.

Input: ``run.json`` (options, judges, models, task metadata), ``samples.jsonl`` (the typed items the run
evaluates) and the journal (``journal/<model-slug>/*.jsonl``: answers, errors, judge scores): the run's record.
Output: ``responses.jsonl``, ``results.json`` and ``tables/*.csv`` (``finalize``) and the Inspect log of each
target model (``export_log``), all computed from the record alone; no Inspect log is ever read back.
Side effects: reads the run directory; writes those outputs (atomically); writes ``samples.jsonl`` when a run
directory from before it lacks one (rebuilt from its benchmark).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ksafe.errors import KsafeError
from ksafe.evaluation.collect import build_results, run_responses
from ksafe.evaluation.evallog import model_slug
from ksafe.evaluation.journal import has_choices, read_journals
from ksafe.evaluation.judging import HEURISTIC, JudgeSet
from ksafe.evaluation.outputs import write_outputs
from ksafe.schema.evaluation import RunResults

RUN_FILE = "run.json"
SAMPLES_FILE = "samples.jsonl"
LOGS_DIR = "logs"
JOURNAL_DIR = "journal"


def read_run_record(out: Path) -> dict[str, Any]:
    """Return ``run.json`` of a run directory.

    Raises:
        KsafeError: one line naming the file: it is missing (not a run directory) or not a JSON object.
    """
    path = out / RUN_FILE
    try:
        value = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise KsafeError(f"{path}: missing (not a ksafe run directory)") from None
    except (OSError, ValueError) as exc:  # ValueError: not JSON or not UTF-8
        reason = exc.strerror if isinstance(exc, OSError) else str(exc).splitlines()[0][:120]
        raise KsafeError(f"{path}: unreadable ({reason}); move it away or use a new --out") from None
    if not isinstance(value, dict):
        raise KsafeError(f"{path}: not a JSON object; move it away or use a new --out")
    return value


def export_log(
    out: Path,
    model: str,
    samples: list[Any],
    state: dict[str, dict[str, Any]],
    record: dict[str, Any],
    judges: JudgeSet,
) -> Path:
    """Write ``model``'s Inspect log (an export of its journal state, with each judge's metrics) and return it."""
    from ksafe.evaluation.evallog import build_log, log_path, write_log

    names = [j.name for j in judges.judges]
    path = log_path(out / LOGS_DIR, model)
    log = build_log(
        run_id=str(record.get("run_id") or out.name),
        model=model,
        samples=samples,
        records=state,
        task_args={**record.get("task_args", {}), "judges": ",".join(names)},
        metadata={**(record.get("task_metadata") or {}), "judges": names},
        dataset_name=str(record.get("dataset_name") or "ksafe"),
        model_roles=judges.roles,
        judges=names,
    )
    write_log(log, path)
    return path


def run_samples(out: Path, record: dict[str, Any] | None = None) -> list[Any]:
    """The samples of a run (``samples.jsonl``); rebuilt from the benchmark and written when missing.

    Raises:
        KsafeError: ``samples.jsonl`` is damaged, or it is missing and the benchmark is unreachable.
    """
    from ksafe.evaluation.samples import read_samples, write_samples

    path = out / SAMPLES_FILE
    if path.exists():
        return read_samples(path)
    record = record if record is not None else read_run_record(out)
    from ksafe.evaluation.run import _build_task

    samples = _build_task(dict(record.get("task_args") or {})).samples  # a run directory from before the file
    write_samples(path, samples)
    return samples


def model_states(out: Path, models: list[str]) -> dict[str, dict[str, dict[str, Any]]]:
    """Each target model's journal state per sample id (empty for a model never answered)."""
    states = {}
    for model in models:
        journal_dir = out / JOURNAL_DIR / model_slug(model)
        states[model] = read_journals(journal_dir, is_answer=has_choices) if journal_dir.is_dir() else {}
    return states


def finalize(
    out: Path, samples: list[Any] | None = None, states: dict[str, dict[str, dict[str, Any]]] | None = None
) -> RunResults:
    """Compute the run's results from its samples, journal and ``run.json`` alone; write the outputs.

    ``samples`` and ``states`` (model -> journal state): already in memory (``run_eval``), not read again;
    models of the run not in ``states`` are read from their journal. The Inspect logs are never read.
    Writes ``responses.jsonl``, ``results.json`` and the tables.
    """
    record = read_run_record(out)
    from ksafe.evaluation.judging import judge_specs

    # an empty list is a run with no judge (``judges=()``); a record without the key predates judge choice
    judges = judge_specs(record["judges"] if isinstance(record.get("judges"), list) else [HEURISTIC])
    models = list(record.get("models") or [])
    if samples is None:
        samples = run_samples(out, record)
    known = states or {}
    states = {**model_states(out, [m for m in models if m not in known]), **known}
    run_id = str(record.get("run_id") or out.name)
    responses = run_responses(run_id, samples, {m: states[m] for m in models if m in states}, judges)
    culture = str(record.get("culture") or (responses[0].culture if responses else ""))
    count_partial = bool(record.get("options", {}).get("count_partial", False))
    results = build_results(responses, run_id, str(record.get("benchmark", "")), culture, count_partial)
    human = _recorded_human_agreement(out, set(results.judges))
    if human:  # measured by `ksafe judge agreement`; kept for judges this run still has
        results = results.model_copy(update={"judge_agreement": results.judge_agreement + human})
    from ksafe.evaluation.judge_quality import run_judge_quality

    results = results.model_copy(update={"judge_quality": run_judge_quality(out, results.judges)})
    write_outputs(out, responses, results)
    return results


def _recorded_human_agreement(out: Path, judges: set[str]) -> tuple[Any, ...]:
    path = out / "results.json"
    if not path.exists():
        return ()
    try:
        previous = RunResults.model_validate_json(path.read_text(encoding="utf-8"))
    except ValueError:
        return ()  # an unreadable earlier file is rebuilt without it
    return tuple(a for a in previous.judge_agreement if a.a == "human" and a.b in judges)
