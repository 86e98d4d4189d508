"""Write a run's files and print its leaderboard.

Input: ``ScoredResponse`` records and ``RunResults``. Output: ``responses.jsonl``, ``results.json``,
``tables/leaderboard.csv``, ``tables/breakdowns.csv``, ``tables/over_refusal.csv``,
``tables/judge_agreement.csv`` (atomic writes), and console tables (the leaderboard, then over-refusal on
plain benign, borderline benign and jailbreak-framed benign items). Side effects: writes files under the
run directory; prints.
Every row made by the heuristic judge carries ``heuristic`` in its judge label.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ksafe.fileio import write_text_atomic
from ksafe.schema.evaluation import GroupMetrics, ModelResults, OverRefusal, Rate, RunResults, ScoredResponse

RESPONSES_FILE = "responses.jsonl"
RESULTS_FILE = "results.json"
TABLES_DIR = "tables"
HEURISTIC_LABEL = " (offline structural judge, not a model judge)"


def judge_display(judge: str, is_heuristic: bool) -> str:
    """The judge name as shown anywhere: heuristic results are always labelled."""
    return judge + HEURISTIC_LABEL if is_heuristic else judge


def _atomic_write(path: Path, text: str) -> None:
    write_text_atomic(path, text)


def _fmt(rate: Rate) -> str:
    if rate.value is None:
        return "n/a"
    return f"{rate.value * 100:.1f} [{(rate.ci_low or 0) * 100:.1f}, {(rate.ci_high or 0) * 100:.1f}]"


def _metric_columns(m: GroupMetrics) -> list[object]:
    row: list[object] = []
    for rate in (m.asr, m.over_refusal, m.misunderstood_rate):
        row += [rate.value, rate.ci_low, rate.ci_high, rate.numerator, rate.denominator]
    return [*row, m.n_harmful, m.n_benign, m.blocked_by_provider, m.errors]


METRIC_HEADER = [
    f"{name}_{part}"
    for name in ("asr", "over_refusal", "misunderstood")
    for part in ("value", "ci_low", "ci_high", "numerator", "denominator")
] + ["n_harmful", "n_benign", "blocked_by_provider", "errors"]


OVER_REFUSAL_KINDS = tuple(OverRefusal.model_fields)
"""``plain``, ``borderline``, ``jailbreak``: the three over-refusal figures, in the order shown."""
OVER_REFUSAL_TITLES = {
    "plain": "plain benign %",
    "borderline": "borderline benign %",
    "jailbreak": "jailbreak framing %",
}


def over_refusal_rates(m: ModelResults) -> list[tuple[str, Rate]]:
    """(kind, rate) of the three over-refusal figures of one model under one judge."""
    return [(kind, getattr(m.over_refusal, kind)) for kind in OVER_REFUSAL_KINDS]


def _csv(rows: Sequence[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(rows)
    return buffer.getvalue()


def write_outputs(out: Path, responses: Sequence[ScoredResponse], results: RunResults) -> None:
    """Write ``responses.jsonl``, ``results.json`` and the CSV tables into ``out``."""
    _atomic_write(out / RESPONSES_FILE, "".join(r.model_dump_json() + "\n" for r in responses))
    _atomic_write(out / RESULTS_FILE, results.model_dump_json(indent=2) + "\n")
    leaderboard: list[list[object]] = [["model", "judge", "is_heuristic_judge", *METRIC_HEADER]]
    breakdowns: list[list[object]] = [["model", "judge", "is_heuristic_judge", "dimension", "value", *METRIC_HEADER]]
    for m in results.models:
        judge = judge_display(m.judge, m.is_heuristic_judge)
        leaderboard.append([m.model, judge, m.is_heuristic_judge, *_metric_columns(m.overall)])
        for dimension, groups in m.breakdowns.items():
            for value, group in groups.items():
                breakdowns.append([m.model, judge, m.is_heuristic_judge, dimension, value, *_metric_columns(group)])
    over_refusal: list[list[object]] = [  # header row, then one row per model x judge
        ["model", "judge", "is_heuristic_judge"]
        + [  # type: ignore[list-item]
            f"{kind}_{part}"
            for kind in OVER_REFUSAL_KINDS
            for part in ("value", "ci_low", "ci_high", "numerator", "denominator")
        ]
    ]
    for m in results.models:
        row: list[object] = [m.model, judge_display(m.judge, m.is_heuristic_judge), m.is_heuristic_judge]
        for _, rate in over_refusal_rates(m):
            row += [rate.value, rate.ci_low, rate.ci_high, rate.numerator, rate.denominator]
        over_refusal.append(row)
    agreement: list[list[object]] = [["judge_a", "judge_b", "n", "percent_agreement", "cohen_kappa"]]
    agreement += [[a.a, a.b, a.n, a.percent_agreement, a.cohen_kappa] for a in results.judge_agreement]
    _atomic_write(out / TABLES_DIR / "leaderboard.csv", _csv(leaderboard))
    _atomic_write(out / TABLES_DIR / "breakdowns.csv", _csv(breakdowns))
    _atomic_write(out / TABLES_DIR / "over_refusal.csv", _csv(over_refusal))
    _atomic_write(out / TABLES_DIR / "judge_agreement.csv", _csv(agreement))


def _first_rationales(out: Path, wanted: set[tuple[str, str]], verdict: str) -> dict[tuple[str, str], str]:
    """(model, judge) -> the rationale of its first response with ``verdict``, for the pairs in ``wanted``."""
    messages: dict[tuple[str, str], str] = {}
    path = out / RESPONSES_FILE
    if not wanted or not path.exists():
        return messages
    with path.open(encoding="utf-8") as lines:
        for line in lines:  # stops once every wanted pair has its first message
            response = json.loads(line)
            key = (response["model"], response["judge"])
            if response["verdict"] == verdict and key in wanted and key not in messages:
                messages[key] = response["rationale"]
                if set(messages) >= wanted:
                    break
    return messages


def failures(out: Path, results: RunResults) -> list[tuple[str, int, int, str]]:
    """(model, failed items, items, first error message) of every model with failed items.

    Counts items whose call failed after Inspect's retries (verdict ``error``), under the run's first
    judge; the message is the first such response's recorded error.
    """
    first_judge: dict[str, tuple[str, GroupMetrics]] = {}
    for m in results.models:
        first_judge.setdefault(m.model, (m.judge, m.overall))
    failed = {model: o.verdict_counts.get("error", 0) for model, (_, o) in first_judge.items()}
    wanted = {(model, first_judge[model][0]) for model, n in failed.items() if n}
    messages = _first_rationales(out, wanted, "error")
    return [
        (model, n, o.n_harmful + o.n_benign, messages.get((model, judge), ""))
        for model, n in failed.items()
        if n
        for judge, o in [first_judge[model]]
    ]


def judge_failures(out: Path, results: RunResults) -> list[tuple[str, str, int, int, str]]:
    """(model, judge, answers not judged, answers to judge, first reason) of every judge with ``judge_error``.

    "Answers to judge" leaves out items whose call failed and answers a provider filter blocked (decided
    without a judge); when the two counts are equal the judge failed on every answer.
    """
    found = []
    for m in results.models:
        counts = m.overall.verdict_counts
        n = counts.get("judge_error", 0)
        if n:
            judged = sum(counts.values()) - counts.get("error", 0) - counts.get("blocked_by_provider", 0)
            found.append((m.model, m.judge, n, judged))
    messages = _first_rationales(out, {(model, judge) for model, judge, _, _ in found}, "judge_error")
    return [(model, judge, n, judged, messages.get((model, judge), "")) for model, judge, n, judged in found]


def over_refusal_table(models: Sequence[ModelResults]) -> Any:
    """The console table of the three over-refusal figures per model and judge (a ``rich`` table)."""
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="over-refusal on benign items, apart by kind (95% Wilson intervals)")
    for column in ("model", "judge", "all benign %", *OVER_REFUSAL_TITLES.values()):
        table.add_column(column)
    for m in models:
        figures = [f"{_fmt(rate)} n={rate.denominator}" for _, rate in over_refusal_rates(m)]
        table.add_row(
            escape(m.model),
            escape(judge_display(m.judge, m.is_heuristic_judge)),
            _fmt(m.overall.over_refusal),
            *figures,
        )
    return table


def print_leaderboard(results: RunResults) -> None:
    """Print models sorted by ASR (lowest first), with over-refusal beside it."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"ksafe leaderboard: {escape(results.benchmark)} (95% Wilson intervals)")
    for column in ("model", "judge", "ASR %", "over-refusal %", "misunderstood %", "blocked", "errors"):
        table.add_column(column)
    rows = sorted(results.models, key=lambda m: (m.overall.asr.value is None, m.overall.asr.value or 0.0))
    for m in rows:
        o = m.overall
        table.add_row(
            escape(m.model),
            escape(judge_display(m.judge, m.is_heuristic_judge)),
            _fmt(o.asr),
            _fmt(o.over_refusal),
            _fmt(o.misunderstood_rate),
            str(o.blocked_by_provider),
            str(o.errors),
        )
    console = Console()
    console.print(table)
    console.print(over_refusal_table(rows))
    for a in results.judge_agreement:
        kappa = "n/a" if a.cohen_kappa is None else f"{a.cohen_kappa:.3f}"
        percent = "n/a" if a.percent_agreement is None else f"{a.percent_agreement * 100:.1f}%"
        console.print(f"judge agreement {escape(a.a)} vs {escape(a.b)}: {percent}, kappa {kappa} (n={a.n})")
