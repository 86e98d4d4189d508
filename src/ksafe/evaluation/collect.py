"""A run's samples and journal records -> ``ScoredResponse`` records -> ``RunResults``: the one source of results.

Input: the run's samples (Inspect ``Sample`` objects with typed ``SampleInfo`` metadata: the benchmark's
items as the run's filters selected them, ``RUN_DIR/samples.jsonl``), each target model's journal state
(answer or error, one score per judge; ``journal.read_journals``) and the run's judges (``JudgeSpec``).
Output: one ``ScoredResponse`` per model x sample x judge (a sample without an answer gets verdict
``error`` under every judge, an answer a judge has no score for ``judge_error``) and the ``RunResults``
summary. Side effects: none. ``ksafe eval``, ``ksafe rescore`` and the Inspect log export all start from
these records; the Inspect logs are never read back (docs/design/eval-engine.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ksafe.evaluation.judging import JudgeSpec
from ksafe.evaluation.metrics import judge_agreements, model_results
from ksafe.schema.evaluation import RunResults, ScoredResponse, Verdict

RESULTS_SCHEMA_VERSION = "1"
VERDICT_NAMES = frozenset(Verdict.__args__)  # type: ignore[attr-defined]
NOT_JUDGED = "not judged (a crash came between the answer and its judge): run the same command again"

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


def _answer(output: Any) -> tuple[str, str]:
    """(completion, stop reason) of a journaled ``ModelOutput`` (JSON), as untrusted text safe to write."""
    from inspect_ai.model import ModelOutput

    parsed = output if isinstance(output, ModelOutput) else ModelOutput.model_validate(output)
    # Model output is untrusted text: a lone surrogate would make every UTF-8 write after this fail.
    text = parsed.completion.encode("utf-8", "replace").decode("utf-8")
    return text, str(parsed.stop_reason) if parsed.choices else ""


def sample_responses(
    run_id: str, model: str, sample: Any, record: Mapping[str, Any] | None, judges: Sequence[JudgeSpec]
) -> list[ScoredResponse]:
    """One ``ScoredResponse`` per judge for one sample of ``model``, from its journal state ``record``."""
    from ksafe.evaluation.samples import SampleInfo

    info = SampleInfo.of(sample.metadata).model_dump(include=_ITEM_FIELDS)
    output = (record or {}).get("output")
    if output is None:
        error = (record or {}).get("error")
        message = "not answered" if error is None else str(error)
        return [
            ScoredResponse(
                run_id=run_id,
                model=model,
                **info,
                response="",
                judge=j.label,
                is_heuristic_judge=j.is_heuristic,
                verdict="error",
                rationale=message[:300],
            )
            for j in judges
        ]
    response, stop_reason = _answer(output)
    scores = (record or {}).get("scores") or {}
    responses = []
    for j in judges:
        score = scores.get(j.name)
        if not isinstance(score, dict):
            verdict, rationale, is_heuristic = "judge_error", NOT_JUDGED, j.is_heuristic
        else:
            verdict = str(score.get("value"))
            rationale = str(score.get("explanation") or "")[:500]
            is_heuristic = bool((score.get("metadata") or {}).get("is_heuristic", j.is_heuristic))
        responses.append(
            ScoredResponse(
                run_id=run_id,
                model=model,
                **info,
                response=response,
                stop_reason=stop_reason,
                judge=j.label,
                is_heuristic_judge=is_heuristic,
                verdict=verdict if verdict in VERDICT_NAMES else "judge_error",  # type: ignore[arg-type]
                rationale=rationale,
            )
        )
    return responses


def run_responses(
    run_id: str,
    samples: Sequence[Any],
    states: Mapping[str, Mapping[str, Mapping[str, Any]]],
    judges: Sequence[JudgeSpec],
) -> list[ScoredResponse]:
    """Every scored response of a run: ``states`` maps each target model to its journal state per sample id."""
    responses = [
        response
        for model, state in states.items()
        for sample in samples
        for response in sample_responses(run_id, model, sample, state.get(str(sample.id)), judges)
    ]
    return sorted(responses, key=lambda r: (r.model, r.judge, r.item_id, r.g_version or ""))


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
