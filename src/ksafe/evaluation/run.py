"""Run an evaluation (several models, several judges) into a run directory, resumably.

Input: a ``RunConfig``. Output: ``RUN_DIR/logs`` (Inspect eval-set logs), ``responses.jsonl``,
``results.json``, ``tables/*.csv`` and ``run.json`` (the options, never secrets).
Side effects: calls the target and judge models through Inspect (``eval_set``: a run stopped by a
crash or Ctrl-C resumes from its log directory with the same command; Inspect's cache keeps
answered generations), writes the run directory.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ksafe.errors import KsafeError
from ksafe.evaluation.collect import build_results, collect_responses
from ksafe.evaluation.outputs import write_outputs
from ksafe.schema.evaluation import RunResults

HEURISTIC = "heuristic"
RUN_FILE = "run.json"
LOGS_DIR = "logs"


@dataclass(frozen=True)
class RunConfig:
    """Everything ``ksafe eval`` needs (no API keys: those stay in the environment)."""

    benchmark: str
    models: tuple[str, ...]
    out: Path
    judges: tuple[str, ...] = (HEURISTIC,)
    """``heuristic`` and/or Inspect model strings of LLM judges."""
    filters: dict[str, Any] = field(default_factory=dict)
    """Task filters: subset, domain, category, strategy, image_kind, harmful, g_version."""
    sample_size: int | None = None
    seed: int = 0
    text_only: bool = False
    rubric_language: str = "en"
    pack: str | None = None
    """Culture pack (code or folder) for the heuristic judge; default: the benchmark's culture."""
    count_partial: bool = False
    max_connections: int = 16
    max_retries: int = 6
    timeout: int | None = 300
    attempt_timeout: int | None = 120
    max_tokens: int | None = 1024
    cache: bool = True
    display: str = "full"
    model_args: dict[str, Any] = field(default_factory=dict)
    """Extra model arguments (e.g. ``custom_outputs`` for ``mockllm`` in tests); never written."""


def judge_roles(judges: tuple[str, ...]) -> tuple[list[str], dict[str, str]]:
    """Map judge specs to task judge names and Inspect model roles (``judge``, ``judge_2``...)."""
    specs: list[str] = []
    roles: dict[str, str] = {}
    for judge in judges:
        if judge == HEURISTIC:
            specs.append(HEURISTIC)
            continue
        if "/" not in judge:
            raise KsafeError(f"--judge: {judge!r}: expected `heuristic` or an Inspect model string (openai/gpt-4o)")
        role = "judge" if not roles else f"judge_{len(roles) + 1}"
        roles[role] = judge
        specs.append(role)
    return specs, roles


def task_args(config: RunConfig, specs: list[str]) -> dict[str, Any]:
    """The ``ksafe_mm`` task arguments of a run."""
    args: dict[str, Any] = {k: v for k, v in config.filters.items() if v not in (None, "", ())}
    args.update(
        benchmark=str(Path(config.benchmark).resolve()) if Path(config.benchmark).exists() else config.benchmark,
        judges=",".join(specs),
        rubric_language=config.rubric_language,
        text_only=config.text_only,
        seed=config.seed,
    )
    if config.sample_size is not None:
        args["sample_size"] = config.sample_size
    if config.pack:
        args["pack"] = str(Path(config.pack).resolve()) if Path(config.pack).is_dir() else config.pack
    return args


def _check_same_run(out: Path, record: dict[str, Any]) -> None:
    path = out / RUN_FILE
    if not path.exists():
        return
    previous = json.loads(path.read_text(encoding="utf-8"))
    keys = ("benchmark", "task_args", "judges")
    changed = [k for k in keys if previous.get(k) != record.get(k)]
    if changed:
        raise KsafeError(f"{path}: {changed[0]}: differs from this command; use a new --out to start another run")


def run_eval(config: RunConfig) -> RunResults:
    """Evaluate every model of ``config`` and write the run directory; resume when it exists."""
    from inspect_ai import eval_set

    from ksafe.evaluation.task import ksafe_mm

    if not config.models:
        raise KsafeError("--model: give at least one model (e.g. openai/gpt-4o-mini)")
    specs, roles = judge_roles(config.judges)
    args = task_args(config, specs)
    task = ksafe_mm(**args)  # validates the benchmark and filters before any model is called
    out = config.out
    record = {
        "benchmark": args["benchmark"],
        "task_args": args,
        "judges": list(config.judges),
        "models": sorted(set(config.models)),
        "options": _options(config),
    }
    _check_same_run(out, record)
    out.mkdir(parents=True, exist_ok=True)
    if (out / RUN_FILE).exists():
        old = json.loads((out / RUN_FILE).read_text(encoding="utf-8"))
        record["models"] = sorted(set(old.get("models", [])) | set(config.models))
    _write_json(out / RUN_FILE, record)
    success, _logs = eval_set(
        tasks=[task],
        model=list(config.models),
        model_roles=dict(roles) or None,
        model_args=config.model_args,
        log_dir=str(out / LOGS_DIR),
        display=config.display,  # type: ignore[arg-type]
        log_images=False,
        fail_on_error=False,
        retry_attempts=3,
        retry_wait=1,
        max_connections=config.max_connections,
        max_retries=config.max_retries,
        timeout=config.timeout,
        attempt_timeout=config.attempt_timeout,
        max_tokens=config.max_tokens,
        cache=config.cache or None,
        max_tasks=max(1, len(config.models)),
    )
    results = finalize(out)
    if not success:
        raise KsafeError(f"{out / LOGS_DIR}: some tasks did not finish; run the same command again to resume")
    return results


def _options(config: RunConfig) -> dict[str, Any]:
    values = {k: v for k, v in asdict(config).items() if k != "model_args"}
    values.pop("out")
    values.pop("display")
    return json.loads(json.dumps(values, default=str))


def _write_json(path: Path, value: Any) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(value, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


def run_identity(out: Path) -> tuple[str, str, str, bool]:
    """Return (run id, benchmark, culture, count_partial) of a run directory."""
    path = out / RUN_FILE
    if not path.exists():
        raise KsafeError(f"{path}: missing (not a ksafe run directory)")
    record = json.loads(path.read_text(encoding="utf-8"))
    id_file = out / LOGS_DIR / ".eval-set-id"
    run_id = id_file.read_text(encoding="utf-8").strip() if id_file.exists() else out.name
    return (
        run_id,
        str(record.get("benchmark", "")),
        str(record.get("culture", "")),
        bool(record.get("options", {}).get("count_partial", False)),
    )


def finalize(out: Path) -> RunResults:
    """Rebuild ``responses.jsonl``, ``results.json`` and the tables from the logs of ``out``."""
    run_id, benchmark, culture, count_partial = run_identity(out)
    responses = collect_responses(out / LOGS_DIR, run_id)
    if not culture and responses:
        culture = responses[0].culture
    results = build_results(responses, run_id, benchmark, culture, count_partial)
    write_outputs(out, responses, results)
    return results
