"""Re-judge the stored responses of a run without calling the target model again.

Input: a run directory and judge specs (``heuristic`` and/or Inspect model strings). Output: one score
record per answered sample and judge appended to the model's journal (the same Inspect scorers ``ksafe
eval`` runs inline), the Inspect logs exported again from the journal, then ``responses.jsonl``,
``results.json`` and the tables rebuilt; ``run.json`` names the new judges, so the same ``ksafe eval``
with them finds everything judged. Side effects: calls the judge models through Inspect (never the
target, whose key is not needed); appends to the journal, rewrites the logs and outputs of the run
directory. A run directory from before the journal has its logs re-scored in place.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from ksafe.errors import KsafeError
from ksafe.evaluation.collect import log_files
from ksafe.evaluation.evallog import model_slug
from ksafe.evaluation.judging import JudgeSet, judge_specs
from ksafe.evaluation.run import (
    JOURNAL_DIR,
    LOGS_DIR,
    RUN_FILE,
    check_judges,
    finalize,
    judge_roles,
    read_run_record,
)
from ksafe.fileio import write_text_atomic
from ksafe.schema.evaluation import RunResults


def rescore_run(
    out: Path,
    judges: tuple[str, ...],
    rubric_language: str = "en",
    pack: str | None = None,
) -> RunResults:
    """Re-judge every stored answer of ``out`` with ``judges`` and rebuild the run's outputs.

    Raises:
        KsafeError: ``out`` is not a run directory or has no logs.
    """
    from inspect_ai.log import write_eval_log
    from inspect_ai.model import ModelConfig

    from ksafe.evaluation.evallog import log_results, write_log

    record = read_run_record(out)  # raises when out is not a run directory
    if pack is None:  # the pack the run was evaluated with
        pack = record.get("task_args", {}).get("pack")
    logs = log_files(out / LOGS_DIR)
    if not logs:
        raise KsafeError(f"{out / LOGS_DIR}: no Inspect logs to rescore")
    specs, roles = judge_roles(judges)
    check_judges(roles)  # a missing key is one line naming the --judge, before any log is touched
    labels = [roles.get(spec, spec) for spec in specs]
    judge_set = JudgeSet(judge_specs(judges), rubric_language, pack)
    options = record.get("options", {})
    limit = int(options.get("max_connections") or 16)
    for path in logs:
        log = _read_log(path)
        if not log.samples:
            continue
        model = str(log.eval.model)
        scores = _judge_samples(model, log.samples, judge_set, limit, options)
        journal_dir = out / JOURNAL_DIR / model_slug(model)
        if journal_dir.is_dir():  # the journal is the record: append the scores, export the log from it
            _journal_scores(journal_dir, scores)
            write_log(_log_from_journal(log, journal_dir, judge_set), path)
            continue
        # A run directory from before the journal: its log is the only record, re-scored in place.
        # Judge labels of samples that failed before scoring come from this list (see collect).
        log.eval.metadata = {**(log.eval.metadata or {}), "judges": labels}
        log.eval.model_roles = {role: ModelConfig(model=name) for role, name in roles.items()} or None
        log.results = log_results(log.samples, specs)  # each judge's metrics, as ksafe eval writes them
        if path.suffix == ".json":
            write_log(log, path)  # atomic: a kill mid-write never leaves a broken log that eval would skip
        else:  # an .eval log of an older run directory
            tmp = out / ".rescore" / path.name  # outside logs/, so a half-written file is never read as a log
            tmp.parent.mkdir(exist_ok=True)
            write_eval_log(log, str(tmp))
            tmp.replace(path)
    _record_judges(out, judges, specs)
    return finalize(out)


def _log_from_journal(log: Any, journal_dir: Path, judges: JudgeSet) -> Any:
    """The model's Inspect log rebuilt from its logged samples and the journal (which now holds the new scores)."""
    from inspect_ai.dataset import Sample

    from ksafe.evaluation.evallog import build_log
    from ksafe.evaluation.journal import has_choices, read_journals

    names = [j.name for j in judges.judges]
    spec = log.eval
    samples = [Sample(id=s.id, input=s.input, target=s.target, metadata=s.metadata) for s in log.samples]
    return build_log(
        run_id=str(spec.run_id),
        model=str(spec.model),
        samples=samples,
        records=read_journals(journal_dir, is_answer=has_choices),
        task_args={**(spec.task_args or {}), "judges": ",".join(names)},
        metadata={**(spec.metadata or {}), "judges": names},
        dataset_name=str(spec.dataset.name or "ksafe"),
        model_roles=judges.roles,
        judges=names,
    )


def _read_log(path: Path) -> Any:
    """Read one Inspect log of the run; a torn or foreign file is a one-line error naming it."""
    from inspect_ai.log import read_eval_log

    try:
        return read_eval_log(str(path))
    except Exception as exc:  # Inspect raises ValueError, JSONDecodeError, zip or pydantic errors
        message = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise KsafeError(
            f"{path}: not a readable Inspect log ({message}); rerun `ksafe eval` with the same options to rebuild it"
        ) from None


def _journal_scores(journal_dir: Path, scores: dict[str, dict[str, Any]]) -> None:
    """Append the new scores to the model's journal (the run's record), so a later ``ksafe eval`` sees them."""
    if not journal_dir.is_dir() or not scores:
        return  # a run directory from before the journal: its log is the only record
    from ksafe.evaluation.engine import scores_record
    from ksafe.evaluation.journal import Journal
    from ksafe.evaluation.shard import journal_file

    with Journal(journal_file(journal_dir, 0)) as journal:
        for sample_id, sample_scores in scores.items():
            journal.append(scores_record(sample_id, sample_scores))


def _judge_samples(
    model: str, samples: list[Any], judges: JudgeSet, limit: int, options: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """Replace the scores of every answered sample with the judges' (at most ``limit`` judge calls at once).

    The same scorers and ``TaskState`` as ``ksafe eval``'s inline judging; the target model is neither
    called nor resolved, so its API key is not needed. Samples that failed keep no scores.

    Returns:
        sample id -> the new scores (JSON-ready, as journaled).
    """
    from inspect_ai.dataset import Sample
    from inspect_ai.model import GenerateConfig
    from inspect_ai.scorer import Score

    from ksafe.evaluation.engine import for_each, judge

    config = GenerateConfig(
        max_retries=options.get("max_retries"),
        timeout=options.get("timeout"),
        attempt_timeout=options.get("attempt_timeout"),
    )

    new: dict[str, dict[str, Any]] = {}
    # the analyzers load here, not on the first answer inside the loop (where they would stall the LLM judges)
    judges.prepare({str((s.metadata or {}).get("language", "en")) for s in samples})

    async def main() -> None:
        async with judges.open(config) as scorers:

            async def step(logged: Any) -> None:
                sample = Sample(id=logged.id, input=logged.input, target=logged.target, metadata=logged.metadata)
                scores = await judge(model, sample, logged.output, scorers)
                logged.scores = {name: Score.model_validate(value) for name, value in scores.items()}
                new[str(logged.id)] = scores

            await for_each([s for s in samples if s.error is None and s.output is not None], limit, step)

    asyncio.run(main())
    return new


def _record_judges(out: Path, judges: tuple[str, ...], specs: list[str]) -> None:
    """Make ``run.json`` name the judges the logs now hold, so a later ``ksafe eval`` into this run uses them too."""
    record = read_run_record(out)
    record["judges"] = list(judges)
    record.setdefault("task_args", {})["judges"] = ",".join(specs)
    write_text_atomic(out / RUN_FILE, json.dumps(record, ensure_ascii=False, indent=2) + "\n")
