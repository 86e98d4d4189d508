"""Inspect logs of a run -> ``ScoredResponse`` records -> ``RunResults``.

Input: the Inspect logs under ``RUN_DIR/logs`` (``*ksafe-mm_*.json``, ``ksafe_mm_*.json``; ``*.eval`` from
older runs).
Output: one ``ScoredResponse`` per model x sample x
judge (a sample that failed gets verdict ``error`` under every judge of its task) and the
``RunResults`` summary. Side effects: reads logs only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ksafe.evaluation.metrics import judge_agreements, model_results
from ksafe.schema.evaluation import RunResults, ScoredResponse, Verdict

RESULTS_SCHEMA_VERSION = "1"
VERDICT_NAMES = frozenset(Verdict.__args__)  # type: ignore[attr-defined]


def _role_models(eval_spec: Any) -> dict[str, str]:
    roles: dict[str, str] = {}
    for role, config in (eval_spec.model_roles or {}).items():
        first = config[0] if isinstance(config, list) else config
        roles[role] = str(first.model)
    return roles


def judge_labels(eval_spec: Any) -> list[tuple[str, bool]]:
    """(label, is_heuristic) of every judge of a logged task, in scorer order."""
    roles = _role_models(eval_spec)
    specs = (eval_spec.metadata or {}).get("judges") or ["heuristic"]
    return [("heuristic", True) if s == "heuristic" else (roles.get(s, s), False) for s in specs]


_ITEM_FIELDS = {
    "item_id",
    "culture",
    "language",
    "subset",
    "domain",
    "category",
    "strategy",
    "image_kind",
    "g_version",
    "is_harmful",
    "benign_kind",
    "minors",
    "text",
}


def _base_fields(run_id: str, model: str, sample: Any) -> dict[str, Any]:
    from ksafe.evaluation.samples import SampleInfo

    info = SampleInfo.of(sample.metadata)
    output = sample.output
    return {
        "run_id": run_id,
        "model": model,
        **info.model_dump(include=_ITEM_FIELDS),
        # Model output is untrusted text: a lone surrogate would make every UTF-8 write after this fail.
        "response": (output.completion if output else "").encode("utf-8", "replace").decode("utf-8"),
        "stop_reason": str(output.stop_reason) if output and output.choices else "",
    }


def sample_responses(
    run_id: str, model: str, sample: Any, judges: Sequence[tuple[str, bool]], roles: dict[str, str] | None = None
) -> list[ScoredResponse]:
    """Turn one logged sample into one ``ScoredResponse`` per judge.

    ``roles``: judge role -> model (a score that names its role, e.g. a judge that raised, gets the model).
    """
    base = _base_fields(run_id, model, sample)
    scores = sample.scores or {}
    responses: list[ScoredResponse] = []
    if sample.error is not None or not scores:
        message = sample.error.message if sample.error is not None else "not scored"
        for label, is_heuristic in judges:
            responses.append(
                ScoredResponse(
                    **base,
                    judge=label,
                    is_heuristic_judge=is_heuristic,
                    verdict="error",
                    rationale=str(message)[:300],
                )
            )
        return responses
    for name, score in scores.items():
        meta = score.metadata or {}
        verdict = str(score.value)
        label = str(meta.get("judge", name))
        responses.append(
            ScoredResponse(
                **base,
                judge=(roles or {}).get(label, label),
                is_heuristic_judge=bool(meta.get("is_heuristic", label == "heuristic")),
                verdict=verdict if verdict in VERDICT_NAMES else "judge_error",  # type: ignore[arg-type]
                rationale=str(score.explanation or "")[:500],
            )
        )
    return responses


def log_files(log_dir: Path) -> list[Path]:
    """Every Inspect log of a run under ``log_dir`` (ksafe's ``*.json`` logs and ``*.eval``), oldest first."""
    found = [*log_dir.glob("**/*.eval"), *log_dir.glob("**/*_ksafe-mm_*.json"), *log_dir.glob("**/ksafe_mm_*.json")]
    return sorted(found, key=lambda p: p.stat().st_mtime)


def collect_responses(log_dir: Path, run_id: str, loaded: dict[Path, Any] | None = None) -> list[ScoredResponse]:
    """Read every log and return the scored responses, one per model x sample x judge.

    When a sample appears in several logs (a retried task), the newest log wins. ``loaded`` maps log
    paths to ``EvalLog`` objects already in memory (just written), which are not read again.
    """
    from inspect_ai.log import read_eval_log

    latest: dict[tuple[str, str, str], ScoredResponse] = {}
    for path in log_files(log_dir):
        log = (loaded or {}).get(path) or read_eval_log(str(path), exclude_fields={"events"})
        model = str(log.eval.model)
        judges = judge_labels(log.eval)
        roles = _role_models(log.eval)
        for sample in log.samples or []:
            for response in sample_responses(run_id, model, sample, judges, roles):
                latest[(model, str(sample.id), response.judge)] = response
    return sorted(latest.values(), key=lambda r: (r.model, r.judge, r.item_id, r.g_version or ""))


def build_results(
    responses: Iterable[ScoredResponse],
    run_id: str,
    benchmark: str,
    culture: str,
    count_partial: bool = False,
) -> RunResults:
    """Summarise responses per model x judge, with judge agreement."""
    responses = list(responses)
    groups: dict[tuple[str, str], list[ScoredResponse]] = defaultdict(list)
    for response in responses:
        groups[(response.model, response.judge)].append(response)
    models = tuple(model_results(model, judge, group, count_partial) for (model, judge), group in groups.items())
    return RunResults(
        schema_version=RESULTS_SCHEMA_VERSION,
        run_id=run_id,
        benchmark=benchmark,
        culture=culture,
        count_partial_as_success=count_partial,
        judges=tuple(sorted({r.judge for r in responses})),
        models=models,
        judge_agreement=tuple(judge_agreements(responses)),
    )
