"""Re-judge the stored responses of a run without calling the target model again.

Input: a run directory and judge specs (``heuristic`` and/or Inspect model strings). Output: the
run's Inspect logs re-scored in place (Inspect's ``score`` with ``action="overwrite"``), then
``responses.jsonl``, ``results.json`` and the tables rebuilt. Side effects: calls the judge models
through Inspect; rewrites the logs and outputs of the run directory.
"""

from __future__ import annotations

import json
from pathlib import Path

from ksafe.errors import KsafeError
from ksafe.evaluation.collect import log_files
from ksafe.evaluation.run import LOGS_DIR, RUN_FILE, finalize, judge_roles, run_identity
from ksafe.schema.evaluation import RunResults


def rescore_run(
    out: Path,
    judges: tuple[str, ...],
    rubric_language: str = "en",
    display: str = "none",
    pack: str | None = None,
) -> RunResults:
    """Re-judge every stored answer of ``out`` with ``judges`` and rebuild the run's outputs.

    Raises:
        KsafeError: ``out`` is not a run directory or has no logs.
    """
    from inspect_ai import score
    from inspect_ai.log import read_eval_log, write_eval_log

    from ksafe.evaluation.evallog import write_log
    from ksafe.evaluation.judges import build_judges

    run_identity(out)  # raises when out is not a run directory
    if pack is None:  # the pack the run was evaluated with
        pack = json.loads((out / RUN_FILE).read_text(encoding="utf-8")).get("task_args", {}).get("pack")
    logs = log_files(out / LOGS_DIR)
    if not logs:
        raise KsafeError(f"{out / LOGS_DIR}: no Inspect logs to rescore")
    specs, roles = judge_roles(judges)
    labels = [roles.get(spec, spec) for spec in specs]
    for path in logs:
        log = read_eval_log(str(path))
        if not log.samples:
            continue
        scored = score(
            log,
            build_judges(specs, rubric_language, pack=pack),
            model_roles=dict(roles) or None,
            action="overwrite",
            display=display,  # type: ignore[arg-type]
        )
        # Judge labels of samples that failed before scoring come from this list (see collect).
        scored.eval.metadata = {**(scored.eval.metadata or {}), "judges": labels}
        if path.suffix == ".json":
            write_log(scored, path)  # atomic: a kill mid-write never leaves a broken log that eval would skip
        else:  # an .eval log of an older run directory
            tmp = out / ".rescore" / path.name  # outside logs/, so a half-written file is never read as a log
            tmp.parent.mkdir(exist_ok=True)
            write_eval_log(scored, str(tmp))
            tmp.replace(path)
    _record_judges(out, judges, specs)
    return finalize(out)


def _record_judges(out: Path, judges: tuple[str, ...], specs: list[str]) -> None:
    """Make ``run.json`` name the judges the logs now hold, so a later ``ksafe eval`` into this run uses them too."""
    path = out / RUN_FILE
    record = json.loads(path.read_text(encoding="utf-8"))
    record["judges"] = list(judges)
    record.setdefault("task_args", {})["judges"] = ",".join(specs)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
