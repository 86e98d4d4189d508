"""Write a guard run's files and print its leaderboard.

Input: ``GuardRunResults`` and the per-verdict rows. Output: ``results.json``, ``verdicts.jsonl``,
``tables/guard_leaderboard.csv``, ``tables/guard_breakdowns.csv``, ``tables/guard_agreement.csv``
(atomic writes), and a rich table on the console. Side effects: writes under the run directory; prints.
Guard outputs never reach these files as text (only flags, scores and codes); names are escaped on the console.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ksafe.fileio import write_bytes_atomic, write_text_atomic
from ksafe.guard.codec import dumps_line
from ksafe.guard.results import GuardGroupMetrics, GuardRunResults
from ksafe.schema.evaluation import Rate

RATES = ("detection_rate", "false_positive_rate", "precision", "flag_rate", "category_agreement")
SCORES = ("auroc", "auprc", "detection_at_1pct_fpr", "detection_at_5pct_fpr")
HEADER = [
    *(f"{name}_{part}" for name in RATES for part in ("value", "ci_low", "ci_high", "numerator", "denominator")),
    "f1_value",
    "f1_ci_low",
    "f1_ci_high",
    *SCORES,
    "n_harmful",
    "n_benign",
    "errors",
    "faults",
]


def metric_columns(m: GuardGroupMetrics) -> list[object]:
    """One CSV row's metric cells, in ``HEADER`` order."""
    row: list[object] = []
    for name in RATES:
        rate: Rate = getattr(m, name)
        row += [rate.value, rate.ci_low, rate.ci_high, rate.numerator, rate.denominator]
    row += [m.f1.value, m.f1.ci_low, m.f1.ci_high, *(getattr(m, s) for s in SCORES)]
    return [*row, m.n_harmful, m.n_benign, m.errors, json.dumps(m.faults, sort_keys=True)]


def _csv(rows: Sequence[Sequence[object]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def write_outputs(out: Path, results: GuardRunResults, rows: Sequence[dict[str, Any]]) -> None:
    """Write ``results.json``, ``verdicts.jsonl`` and the CSV tables into ``out``."""
    write_text_atomic(out / "results.json", results.model_dump_json(indent=2) + "\n")
    write_bytes_atomic(out / "verdicts.jsonl", b"".join(dumps_line(r) for r in rows))
    leaderboard: list[list[object]] = [["guard", "format", "model", "view", "reference", *HEADER]]
    detail: list[list[object]] = [["guard", "view", "dimension", "value", *HEADER]]
    agree: list[list[object]] = [["guard", "reference", "n", "percent_agreement", "cohen_kappa"]]
    for g in results.guards:
        leaderboard.append([g.guard, g.format, g.model, g.view, g.reference, *metric_columns(g.overall)])
        if g.text_only is not None:
            leaderboard.append([g.guard, g.format, g.model, "text_only", g.reference, *metric_columns(g.text_only)])
        for dimension, groups in g.breakdowns.items():
            for value, group in groups.items():
                detail.append([g.guard, g.view, dimension, value, *metric_columns(group)])
        agree += [[a.a, a.b, a.n, a.percent_agreement, a.cohen_kappa] for a in g.agreement]
    write_text_atomic(out / "tables" / "guard_leaderboard.csv", _csv(leaderboard))
    write_text_atomic(out / "tables" / "guard_breakdowns.csv", _csv(detail))
    write_text_atomic(out / "tables" / "guard_agreement.csv", _csv(agree))


def _pct(rate: Rate | None) -> str:
    if rate is None or rate.value is None:
        return "n/a"
    return f"{100 * rate.value:.1f} [{100 * (rate.ci_low or 0):.1f}, {100 * (rate.ci_high or 0):.1f}]"


def _num(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def print_leaderboard(results: GuardRunResults) -> None:
    """Guards sorted by F1 (best first): detection, false positives, precision, scores, ablation, latency."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    what = "answers of " + escape(results.source_run or "") if results.mode == "responses" else "prompts"
    table = Table(title=f"ksafe guard: {escape(results.benchmark)}, {what} (95% intervals)")
    columns = (
        "guard",
        "view",
        "detection %",
        "false pos. %",
        "precision %",
        "F1",
        "AUROC",
        "category agr. %",
        "text-only det. %",
        "errors",
        "p50 s",
    )
    for column in columns:
        table.add_column(column)
    ranked = sorted(results.guards, key=lambda g: -(g.overall.f1.value or -1.0))
    for g in ranked:
        o = g.overall
        table.add_row(
            escape(g.guard),
            g.view,
            _pct(o.detection_rate),
            _pct(o.false_positive_rate),
            _pct(o.precision),
            _num(o.f1.value),
            _num(o.auroc),
            _pct(o.category_agreement),
            _pct(g.text_only.detection_rate) if g.text_only else "-",
            str(o.errors),
            _num(g.latency_p50_s),
        )
    console = Console()
    console.print(table)
    for g in results.guards:
        for a in g.agreement:
            kappa = "n/a" if a.cohen_kappa is None else f"{a.cohen_kappa:.3f}"
            percent = "n/a" if a.percent_agreement is None else f"{100 * a.percent_agreement:.1f}%"
            console.print(f"{escape(a.a)} vs {escape(a.b)}: agreement {percent}, kappa {kappa} (n={a.n})")


def failures(results: GuardRunResults) -> list[tuple[str, int, int, str]]:
    """(guard, items without a verdict, items, fault counts) of every guard with failures (main view)."""
    found = []
    for g in results.guards:
        o = g.overall
        if o.errors:
            faults = ", ".join(f"{kind}: {n}" for kind, n in o.faults.items())
            found.append((g.guard, o.errors, o.n_harmful + o.n_benign, faults))
    return found
