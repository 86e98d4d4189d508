"""Re-judge the stored responses of a run without calling the target model again.

Input: a run directory and judge specs (``heuristic`` and/or Inspect model strings). Output: the
run's Inspect logs re-scored in place (each answered sample's scores replaced by the judges', the same
Inspect scorers ``ksafe eval`` runs inline), then ``responses.jsonl``, ``results.json`` and the tables
rebuilt. Side effects: calls the judge models through Inspect (never the target, whose key is not needed);
rewrites the logs and outputs of the run directory.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from ksafe.errors import KsafeError
from ksafe.evaluation.collect import log_files
from ksafe.evaluation.run import LOGS_DIR, RUN_FILE, finalize, judge_roles, run_identity
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
    from inspect_ai.log import read_eval_log, write_eval_log
    from inspect_ai.model._model_config import ModelConfig

    from ksafe.evaluation.evallog import write_log
    from ksafe.evaluation.judges import build_judges

    run_identity(out)  # raises when out is not a run directory
    record = json.loads((out / RUN_FILE).read_text(encoding="utf-8"))
    if pack is None:  # the pack the run was evaluated with
        pack = record.get("task_args", {}).get("pack")
    logs = log_files(out / LOGS_DIR)
    if not logs:
        raise KsafeError(f"{out / LOGS_DIR}: no Inspect logs to rescore")
    specs, roles = judge_roles(judges)
    labels = [roles.get(spec, spec) for spec in specs]
    scorers = list(zip(specs, build_judges(specs, rubric_language, pack=pack), strict=True))
    limit = int(record.get("options", {}).get("max_connections") or 16)
    for path in logs:
        log = read_eval_log(str(path))
        if not log.samples:
            continue
        _judge_samples(str(log.eval.model), log.samples, scorers, roles, limit)
        # Judge labels of samples that failed before scoring come from this list (see collect).
        log.eval.metadata = {**(log.eval.metadata or {}), "judges": labels}
        log.eval.model_roles = {role: ModelConfig(model=name) for role, name in roles.items()} or None
        log.results = None  # per-sample scores are the record (as in logs ksafe eval writes)
        if path.suffix == ".json":
            write_log(log, path)  # atomic: a kill mid-write never leaves a broken log that eval would skip
        else:  # an .eval log of an older run directory
            tmp = out / ".rescore" / path.name  # outside logs/, so a half-written file is never read as a log
            tmp.parent.mkdir(exist_ok=True)
            write_eval_log(log, str(tmp))
            tmp.replace(path)
    _record_judges(out, judges, specs)
    return finalize(out)


def _judge_samples(model: str, samples: list[Any], scorers: Any, roles: dict[str, str], limit: int) -> None:
    """Replace the scores of every answered sample with the judges' (at most ``limit`` judge calls at once).

    The same scorers and ``TaskState`` as ``ksafe eval``'s inline judging; the target model is neither
    called nor resolved, so its API key is not needed. Samples that failed keep no scores.
    """
    from inspect_ai.dataset import Sample
    from inspect_ai.scorer import Score

    from ksafe.evaluation.engine import bind_judge_roles, for_each, judge

    async def step(logged: Any) -> None:
        sample = Sample(id=logged.id, input=logged.input, target=logged.target, metadata=logged.metadata)
        scores = await judge(model, sample, logged.output, scorers)
        logged.scores = {name: Score.model_validate(value) for name, value in scores.items()}

    async def main() -> None:
        bind_judge_roles(roles)
        await for_each([s for s in samples if s.error is None and s.output is not None], limit, step)

    asyncio.run(main())


def _record_judges(out: Path, judges: tuple[str, ...], specs: list[str]) -> None:
    """Make ``run.json`` name the judges the logs now hold, so a later ``ksafe eval`` into this run uses them too."""
    path = out / RUN_FILE
    record = json.loads(path.read_text(encoding="utf-8"))
    record["judges"] = list(judges)
    record.setdefault("task_args", {})["judges"] = ",".join(specs)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
