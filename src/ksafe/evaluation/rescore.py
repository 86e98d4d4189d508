"""Re-judge the stored responses of a run without calling the target model again.

Input: a run directory (``run.json``, ``samples.jsonl``, the journal) and judge specs (``heuristic``, plugin
judges, ``scorer:REF`` and/or Inspect model strings). Output: one score record per answered sample and judge
appended to the model's journal (the same Inspect scorers ``ksafe eval`` runs inline); ``run.json`` names the
new judges, so the same ``ksafe eval`` with them finds everything judged; then, from the journal alone, the
Inspect logs exported again and ``responses.jsonl``, ``results.json`` and the tables rebuilt. Side effects:
calls the judge models through Inspect (never the target, whose key is not needed); appends to the journal,
rewrites the logs and outputs of the run directory.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from ksafe.errors import KsafeError
from ksafe.evaluation.evallog import model_slug
from ksafe.evaluation.judging import JudgeSet, judge_specs
from ksafe.evaluation.run import check_judges
from ksafe.evaluation.run_record import (
    JOURNAL_DIR,
    RUN_FILE,
    export_log,
    finalize,
    model_states,
    read_run_record,
    run_samples,
)
from ksafe.fileio import write_text_atomic
from ksafe.schema.evaluation import RunResults


def rescore_run(
    out: Path,
    judges: tuple[str, ...],
    rubric_language: str = "en",
    pack: str | None = None,
) -> RunResults:
    """Re-judge every stored answer of ``out`` with ``judges`` and rebuild the run's outputs from its journal.

    Raises:
        KsafeError: ``out`` is not a run directory, or has no journal (written by a ksafe before it).
    """
    record = read_run_record(out)  # raises when out is not a run directory
    if pack is None:  # the pack the run was evaluated with
        pack = record.get("task_args", {}).get("pack")
    if not (out / JOURNAL_DIR).is_dir():
        raise KsafeError(f"{out / JOURNAL_DIR}: missing: no answers to rescore (a run from before the journal?)")
    judge_set = JudgeSet(judge_specs(judges), rubric_language, pack)
    check_judges(judge_set.roles)  # a missing key is one line naming the --judge, before anything is written
    samples = run_samples(out, record)
    options = record.get("options", {})
    limit = int(options.get("max_connections") or 16)
    models = list(record.get("models") or [])
    states = model_states(out, models)
    for model in models:
        scores = _judge_samples(model, samples, states[model], judge_set, limit, options)
        _journal_scores(out / JOURNAL_DIR / model_slug(model), scores)
    _record_judges(out, judges, [j.name for j in judge_set.judges])
    record = read_run_record(out)
    states = model_states(out, models)  # the journal, now with the new scores: the one record of the run
    for model in models:
        if states[model]:
            export_log(out, model, samples, states[model], record, judge_set)
    return finalize(out, samples, states)


def _journal_scores(journal_dir: Path, scores: dict[str, dict[str, Any]]) -> None:
    """Append the new scores to the model's journal (the run's record), so a later ``ksafe eval`` sees them."""
    if not journal_dir.is_dir() or not scores:
        return  # a model never answered: nothing to append
    from ksafe.evaluation.engine import scores_record
    from ksafe.evaluation.journal import Journal
    from ksafe.evaluation.shard import journal_file

    with Journal(journal_file(journal_dir, 0)) as journal:
        for sample_id, sample_scores in scores.items():
            journal.append(scores_record(sample_id, sample_scores))


def _judge_samples(
    model: str,
    samples: list[Any],
    state: dict[str, dict[str, Any]],
    judges: JudgeSet,
    limit: int,
    options: dict[str, Any],
) -> dict[str, dict[str, Any]]:
    """Judge every answered sample of ``model`` (its journal ``state``), at most ``limit`` judge calls at once.

    The same scorers and ``TaskState`` as ``ksafe eval``'s inline judging; the target model is neither
    called nor resolved, so its API key is not needed. Samples that failed keep no scores.

    Returns:
        sample id -> the new scores (JSON-ready, as journaled).
    """
    from inspect_ai.model import GenerateConfig, ModelOutput

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

            async def step(sample: Any) -> None:
                output = ModelOutput.model_validate(state[str(sample.id)]["output"])
                new[str(sample.id)] = await judge(model, sample, output, scorers)

            answered = [s for s in samples if state.get(str(s.id), {}).get("output") is not None]
            await for_each(answered, limit, step)

    asyncio.run(main())
    return new


def _record_judges(out: Path, judges: tuple[str, ...], specs: list[str]) -> None:
    """Make ``run.json`` name the judges the logs now hold, so a later ``ksafe eval`` into this run uses them too."""
    record = read_run_record(out)
    record["judges"] = list(judges)
    record.setdefault("task_args", {})["judges"] = ",".join(specs)
    write_text_atomic(out / RUN_FILE, json.dumps(record, ensure_ascii=False, indent=2) + "\n")
