"""Tables for papers: every table of the report as CSV and as markdown.

Input: a ``ReportData``. Output: ``Table`` records (header + rows of strings), and in a folder
``<name>.csv`` and ``<name>.md`` per table. Side effects: writes those files.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from ksafe.report.analysis import Entry, ReportData, format_rate

HEURISTIC_MARK = " (heuristic judge)"


@dataclass(frozen=True)
class Table:
    """A table with a name, a title, a header and rows of cells."""

    name: str
    title: str
    header: list[str]
    rows: list[list[str]]

    def to_csv(self) -> str:
        """The table as CSV text."""
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(self.header)
        writer.writerows(self.rows)
        return buf.getvalue()

    def to_markdown(self) -> str:
        """The table as a GitHub-flavoured markdown table (pipes escaped)."""

        def cell(text: str) -> str:
            return text.replace("|", "\\|").replace("\n", " ")

        lines = [
            f"**{cell(self.title)}**",
            "",
            "| " + " | ".join(cell(h) for h in self.header) + " |",
            "|" + "---|" * len(self.header),
        ]
        lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in self.rows]
        return "\n".join(lines) + "\n"


def _judge(entry: Entry) -> str:
    return entry.judge + (HEURISTIC_MARK if entry.is_heuristic else "")


def _by(data: ReportData, name: str, title: str, dimension: str, keys: list[str], labels: list[str]) -> Table:
    rows = [[e.label, _judge(e)] + [format_rate(e.rate(dimension, k)) for k in keys] for e in data.primary]
    return Table(name, title, ["model", "judge", *labels], rows)


OVER_REFUSAL_COLUMNS = {
    "plain": "plain benign",
    "borderline": "borderline benign",
    "jailbreak": "jailbreak framing",
}
"""The three over-refusal figures (``ModelResults.over_refusal``) and their column titles."""


def over_refusal_table(data: ReportData) -> Table:
    """Over-refusal on all benign items and apart on plain, borderline and jailbreak-framed ones."""
    return Table(
        "over_refusal",
        "Over-refusal on plain benign, borderline benign and jailbreak-framed benign items (95% Wilson intervals)",
        ["model", "judge", "run", "all benign", *OVER_REFUSAL_COLUMNS.values()],
        [
            [e.label, _judge(e), e.run_id, format_rate(e.results.overall.over_refusal)]
            + [format_rate(getattr(e.results.over_refusal, kind)) for kind in OVER_REFUSAL_COLUMNS]
            for e in data.entries
        ],
    )


def build_tables(data: ReportData) -> list[Table]:
    """Every table the report shows (ASR cells are ``value% [low, high] (n=...)``)."""
    leaderboard = Table(
        "leaderboard",
        "Leaderboard: ASR and over-refusal (95% Wilson intervals)",
        [
            "model",
            "judge",
            "run",
            "ASR",
            "over-refusal",
            "misunderstood",
            "harmful items",
            "benign items",
            "blocked by provider",
            "errors",
        ],
        [
            [
                e.label,
                _judge(e),
                e.run_id,
                format_rate(e.results.overall.asr),
                format_rate(e.results.overall.over_refusal),
                format_rate(e.results.overall.misunderstood_rate),
                str(e.results.overall.n_harmful),
                str(e.results.overall.n_benign),
                str(e.results.overall.blocked_by_provider),
                str(e.results.overall.errors),
            ]
            for e in data.entries
        ],
    )
    tables = [
        leaderboard,
        over_refusal_table(data),
        _by(
            data,
            "asr_by_category",
            "ASR by category",
            "category",
            data.categories,
            [data.names.label(c) for c in data.categories],
        ),
    ]
    if data.strategies:
        tables.append(
            _by(
                data,
                "asr_by_strategy",
                "ASR by jailbreak strategy (none = standard query)",
                "strategy",
                data.strategies,
                data.strategies,
            )
        )
    if data.image_kinds:
        tables.append(
            _by(data, "asr_by_image_kind", "ASR by image kind", "image_kind", data.image_kinds, data.image_kinds)
        )
    if data.subsets:
        tables.append(_by(data, "asr_by_subset", "ASR on G and C", "subset", data.subsets, data.subsets))
    if data.g_versions:
        tables.append(
            _by(
                data,
                "asr_by_g_version",
                "Contextualization ablation (G items)",
                "g_version",
                data.g_versions,
                data.g_versions,
            )
        )
    if data.agreements:
        tables.append(
            Table(
                "judge_agreement",
                "Agreement between judges and with human labels",
                ["run", "a", "b", "n", "percent agreement", "Cohen's kappa", "source"],
                [
                    [
                        str(a["run"]),
                        str(a["a"]) + (HEURISTIC_MARK if a.get("a_heuristic") else ""),
                        str(a["b"]) + (HEURISTIC_MARK if a.get("b_heuristic") else ""),
                        str(a["n"]),
                        "n/a" if a["percent"] is None else f"{100 * float(a['percent']):.1f}%",  # type: ignore[arg-type]
                        "n/a" if a["kappa"] is None else f"{float(a['kappa']):.3f}",  # type: ignore[arg-type]
                        str(a["source"]),
                    ]
                    for a in data.agreements
                ],
            )
        )
    quality = [(run.results.run_id, q) for run in data.runs for q in run.results.judge_quality if q.measure != "recall"]
    if quality:
        tables.append(
            Table(
                "judge_quality",
                "Judge quality on a labelled judge set (accuracy and Cohen's kappa against people)",
                ["run", "judge", "judge set", "split", "scope", "measure", "n", "accuracy", "Cohen's kappa"],
                [
                    [
                        run_id,
                        q.judge + (HEURISTIC_MARK if q.is_heuristic_judge else ""),
                        q.judge_set,
                        q.split,
                        q.scope,
                        q.measure,
                        str(q.n),
                        "n/a" if q.accuracy is None else f"{100 * q.accuracy:.1f}%",
                        "n/a" if q.cohen_kappa is None else f"{q.cohen_kappa:.3f}",
                    ]
                    for run_id, q in quality
                ],
            )
        )
    return tables


def write_tables(tables: list[Table], folder: Path) -> list[str]:
    """Write ``<name>.csv`` and ``<name>.md`` for each table, plus ``tables.md`` with all of them."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    for table in tables:
        (folder / f"{table.name}.csv").write_text(table.to_csv(), encoding="utf-8")
        (folder / f"{table.name}.md").write_text(table.to_markdown(), encoding="utf-8")
        written += [f"{folder.name}/{table.name}.csv", f"{folder.name}/{table.name}.md"]
    (folder / "tables.md").write_text("\n".join(t.to_markdown() for t in tables), encoding="utf-8")
    return written
