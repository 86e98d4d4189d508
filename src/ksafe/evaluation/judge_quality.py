"""Judge quality on a labelled judge set: run judges on the set, score them against the human verdicts.

Input: ``LabelledAnswer`` records and judge specs (``heuristic`` and/or Inspect model strings). Output: each
judge's verdicts, ``JudgeQuality`` rows (accuracy and Cohen's kappa overall, per language, per language and
item kind, per verdict) and the judges' pairwise agreement on the set. Side effects: LLM judges are called
through Inspect (``judge`` model roles, as in ``ksafe eval``); ``record_judge_quality`` writes
``RUN_DIR/judge_quality.json`` and updates the run's ``results.json``.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ksafe.evaluation.judge_set import BUILTIN, LabelledAnswer, load_judge_set
from ksafe.evaluation.judging import JudgeSpec
from ksafe.evaluation.metrics import agreement, cohen_kappa
from ksafe.schema.evaluation import MODEL_VERDICTS, JudgeAgreement, JudgeQuality, Verdict

HEURISTIC = "heuristic"
QUALITY_FILE = "judge_quality.json"
"""Judge-quality rows recorded in a run directory by ``ksafe judge check --record``."""
COMPLIED = ("harmful_compliance", "partial_compliance")

Verdicts = dict[str, tuple[Verdict, str]]
"""Answer id -> (verdict, rationale) of one judge."""


def _metadata(a: LabelledAnswer) -> dict[str, Any]:
    return {
        "text": a.request,
        "key_phrase": "",
        "is_harmful": a.is_harmful,
        "language": a.language,
        "culture": "",
        "category": a.category,
        "image_kind": "text_only",
    }


def offline_verdicts(answers: Sequence[LabelledAnswer]) -> Verdicts:
    """The offline judge's verdict on every answer (no model call)."""
    from ksafe.evaluation.judges import heuristic_verdict
    from ksafe.evaluation.structural.decision import learned_layer_enabled

    if learned_layer_enabled():
        from ksafe.evaluation.structural.learned import prefetch

        prefetch([a.answer for a in answers])  # one batch of sentence embeddings for the whole set
    return {a.id: heuristic_verdict(a.answer, _metadata(a), phrases=((), ())) for a in answers}


def judge_answers(
    answers: Sequence[LabelledAnswer], judges: Sequence[str], rubric_language: str = "en", max_connections: int = 8
) -> dict[str, Verdicts]:
    """Every judge's verdicts on ``answers``, with the same scorers ``ksafe eval`` uses.

    Raises:
        KsafeError: a judge spec is neither ``heuristic`` nor an Inspect model string.
    """
    from ksafe.evaluation.judging import judge_specs

    specs = judge_specs(judges)
    out: dict[str, Verdicts] = {}
    if any(j.is_heuristic for j in specs):
        out[HEURISTIC] = offline_verdicts(answers)
    others = tuple(j for j in specs if not j.is_heuristic)
    if others:
        out.update(_scorer_verdicts(answers, others, rubric_language, max_connections))
    return out


def _scorer_verdicts(
    answers: Sequence[LabelledAnswer], specs: tuple[JudgeSpec, ...], rubric_language: str, limit: int
) -> dict[str, Verdicts]:
    """Verdicts of the judges other than the offline one (LLM, plugin and ``scorer:`` judges), by label."""
    from inspect_ai.dataset import Sample
    from inspect_ai.model import ModelOutput

    from ksafe.evaluation.engine import for_each, judge
    from ksafe.evaluation.judging import JudgeSet

    judge_set = JudgeSet(specs, rubric_language)
    names = {j.name: j.label for j in specs}
    out: dict[str, Verdicts] = {label: {} for label in names.values()}

    async def main() -> None:
        async with judge_set.open() as scorers:

            async def step(a: LabelledAnswer) -> None:
                sample = Sample(id=a.id, input=a.request, metadata=_metadata(a))
                output = ModelOutput.from_content(model="judge-set", content=a.answer)
                scores = await judge("judge-set/answers", sample, output, scorers)
                for name, model in names.items():
                    score = scores[name]
                    out[model][a.id] = (score["value"], str(score.get("explanation", "")))

            await for_each(list(answers), limit, step)

    asyncio.run(main())
    return out


def _binary(a: LabelledAnswer, verdict: str) -> bool:
    return verdict in COMPLIED if a.is_harmful else verdict == "refused"


def quality_rows(
    answers: Sequence[LabelledAnswer], judge: str, verdicts: Verdicts, judge_set: str, split: str
) -> list[JudgeQuality]:
    """Accuracy and kappa of one judge against the human verdicts of ``answers``."""
    rows: list[JudgeQuality] = []

    def add(scope: str, measure: str, group: list[LabelledAnswer], human: list[str], judged: list[str]) -> None:
        n = len(group)
        rows.append(
            JudgeQuality(
                judge=judge,
                is_heuristic_judge=judge == HEURISTIC,
                judge_set=judge_set,
                split=split,
                scope=scope,
                measure=measure,
                n=n,
                accuracy=sum(x == y for x, y in zip(human, judged, strict=True)) / n if n else None,
                cohen_kappa=cohen_kappa(human, judged),
            )
        )

    def exact(scope: str, group: list[LabelledAnswer]) -> None:
        add(scope, "verdict", group, [a.verdict for a in group], [verdicts[a.id][0] for a in group])

    judged = [a for a in answers if a.id in verdicts]
    exact("overall", judged)
    for language in sorted({a.language for a in judged}):
        group = [a for a in judged if a.language == language]
        exact(f"language:{language}", group)
        for harmful, kind in ((True, "harmful"), (False, "benign")):
            sub = [a for a in group if a.is_harmful == harmful]
            if sub:
                human = [str(_binary(a, a.verdict)) for a in sub]
                add(
                    f"language:{language}:{kind}",
                    "binary",
                    sub,
                    human,
                    [str(_binary(a, verdicts[a.id][0])) for a in sub],
                )
    for verdict in MODEL_VERDICTS:
        gold = [a for a in judged if a.verdict == verdict]
        if not gold:
            continue
        got = sum(verdicts[a.id][0] == verdict for a in gold)
        one_vs_rest = cohen_kappa(
            [str(a.verdict == verdict) for a in judged], [str(verdicts[a.id][0] == verdict) for a in judged]
        )
        rows.append(
            JudgeQuality(
                judge=judge,
                is_heuristic_judge=judge == HEURISTIC,
                judge_set=judge_set,
                split=split,
                scope=f"verdict:{verdict}",
                measure="recall",
                n=len(gold),
                accuracy=got / len(gold),
                cohen_kappa=one_vs_rest,
            )
        )
    return rows


def judge_pair_agreement(verdicts: dict[str, Verdicts]) -> list[JudgeAgreement]:
    """Pairwise agreement of the judges on the answers both judged."""
    names = sorted(verdicts)
    out: list[JudgeAgreement] = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            keys = sorted(set(verdicts[a]) & set(verdicts[b]))
            out.append(agreement(a, b, [verdicts[a][k][0] for k in keys], [verdicts[b][k][0] for k in keys]))
    return out


def set_agreement(source: str, judges: Sequence[str], split: str = "all") -> Any:
    """Agreement of each judge with the set's human verdicts, overall and per category (an ``AgreementReport``)."""
    from ksafe.evaluation.calibration import AgreementReport

    answers = load_judge_set(source, split)
    verdicts = judge_answers(answers, judges)
    overall = []
    per_category: dict[str, list[JudgeAgreement]] = defaultdict(list)
    for name in sorted(verdicts):
        v = verdicts[name]
        overall.append(agreement("human", name, [a.verdict for a in answers], [v[a.id][0] for a in answers]))
        for category in sorted({a.category for a in answers}):
            group = [a for a in answers if a.category == category]
            per_category[category].append(
                agreement("human", name, [a.verdict for a in group], [v[a.id][0] for a in group])
            )
    return AgreementReport(tuple(overall), {k: tuple(g) for k, g in per_category.items()})


_MEASURED: dict[str, tuple[JudgeQuality, ...]] = {}
"""``offline_quality`` rows by split, measured in this process or adopted from the process that measured them."""


def offline_quality(split: str = "heldout") -> tuple[JudgeQuality, ...]:
    """The offline judge's quality on the built-in set's ``split`` (computed once per process)."""
    if split not in _MEASURED:
        answers = load_judge_set(BUILTIN, split)
        _MEASURED[split] = tuple(quality_rows(answers, HEURISTIC, offline_verdicts(answers), BUILTIN, split))
    return _MEASURED[split]


def adopt_offline_quality(rows: Sequence[JudgeQuality], split: str = "heldout") -> None:
    """Keep ``rows``, measured by ``offline_quality`` in another process of this run (``ksafe eval``'s judge
    process), as this process's: the same code on the same data, so measuring again would give the same rows."""
    _MEASURED[split] = tuple(rows)


def read_recorded(out: Path) -> list[JudgeQuality]:
    """Rows recorded in ``RUN_DIR/judge_quality.json`` (none when absent or unreadable)."""
    path = out / QUALITY_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [JudgeQuality.model_validate(row) for row in data]
    except (OSError, ValueError):
        return []


def run_judge_quality(out: Path, judges: Iterable[str]) -> tuple[JudgeQuality, ...]:
    """Quality rows for the judges of a run: the offline judge's (measured now on the built-in held-out split)
    and any recorded by ``ksafe judge check --record`` for the run's judges."""
    judges = set(judges)
    rows: list[JudgeQuality] = list(offline_quality()) if HEURISTIC in judges else []
    rows += [r for r in read_recorded(out) if r.judge in judges and r.judge != HEURISTIC]
    return tuple(rows)


def record_judge_quality(out: Path, rows: Sequence[JudgeQuality]) -> None:
    """Keep ``rows`` in ``RUN_DIR/judge_quality.json`` (replacing earlier rows of the same judge, set and
    split) and put the run's judge quality into its ``results.json``."""
    from ksafe.evaluation.outputs import RESULTS_FILE
    from ksafe.fileio import write_text_atomic
    from ksafe.schema.evaluation import RunResults

    replaced = {(r.judge, r.judge_set, r.split) for r in rows}
    kept = [r for r in read_recorded(out) if (r.judge, r.judge_set, r.split) not in replaced]
    merged = kept + list(rows)
    write_text_atomic(out / QUALITY_FILE, json.dumps([r.model_dump() for r in merged], ensure_ascii=False, indent=1))
    path = out / RESULTS_FILE
    if path.exists():
        results = RunResults.model_validate_json(path.read_text(encoding="utf-8"))
        by_judge: dict[str, list[JudgeQuality]] = defaultdict(list)
        for r in [*results.judge_quality, *merged]:
            by_judge[r.judge].append(r)
        quality = tuple(r for judge in sorted(by_judge) if judge in results.judges for r in _latest(by_judge[judge]))
        write_text_atomic(path, results.model_copy(update={"judge_quality": quality}).model_dump_json(indent=2) + "\n")


def _latest(rows: list[JudgeQuality]) -> list[JudgeQuality]:
    """One row per (set, split, scope, measure): the last one."""
    last: dict[tuple[str, str, str, str], JudgeQuality] = {}
    for r in rows:
        last[(r.judge_set, r.split, r.scope, r.measure)] = r
    return list(last.values())
