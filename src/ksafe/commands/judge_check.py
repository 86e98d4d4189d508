"""``ksafe judge check``: accuracy and Cohen's kappa of judges on a labelled judge set (thin wrapper over
``ksafe.evaluation.judge_quality``; heavy imports happen inside the command)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ksafe.commands.errors import user_errors

SetOption = Annotated[
    str,
    typer.Option("--set", help="Labelled judge set: `builtin` (shipped with ksafe) or a YAML file or folder."),
]


def _fmt(value: float | None, percent: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{value * 100:.1f}" if percent else f"{value:.3f}"


def print_quality(rows: Any, title: str) -> None:
    """Print judge-quality rows as a table."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=escape(title))
    for column in ("judge", "scope", "measure", "n", "accuracy %", "Cohen's kappa"):
        table.add_column(column)
    for r in rows:
        judge = r.judge + (" (offline)" if r.is_heuristic_judge else "")
        table.add_row(escape(judge), escape(r.scope), r.measure, str(r.n), _fmt(r.accuracy, True), _fmt(r.cohen_kappa))
    Console().print(table)


def print_pairs(pairs: Any, title: str) -> None:
    """Print pairwise judge agreement."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=escape(title))
    for column in ("judge a", "judge b", "n", "agreement %", "Cohen's kappa"):
        table.add_column(column)
    for a in pairs:
        table.add_row(escape(a.a), escape(a.b), str(a.n), _fmt(a.percent_agreement, True), _fmt(a.cohen_kappa))
    Console().print(table)


def check_command(
    judge_set: SetOption = "builtin",
    judge: Annotated[
        list[str] | None,
        typer.Option("--judge", "-j", help="`heuristic` (the offline judge) or an Inspect model string. Repeat."),
    ] = None,
    split: Annotated[str, typer.Option(help="heldout, dev, all, or each (held-out and dev apart).")] = "each",
    rubric_language: Annotated[str, typer.Option(help="LLM judge rubric: en or item.")] = "en",
    record: Annotated[
        Path | None, typer.Option(help="Run directory whose results.json gets these figures (judge_quality).")
    ] = None,
    errors: Annotated[int, typer.Option(help="List up to N answers each judge got wrong (escaped).")] = 0,
    max_connections: Annotated[int, typer.Option(help="Concurrent LLM judge calls.")] = 8,
    learned_layer: Annotated[
        bool,
        typer.Option(
            "--learned-layer",
            help="Offline judge: let its learned layer (sentence embeddings) weigh the rules' reading; more "
            "accurate on unseen wordings, ~100 ms of CPU per answer (same as KSAFE_JUDGE_LAYER=1).",
        ),
    ] = False,
) -> None:
    """Accuracy and Cohen's kappa of each judge per language and per verdict on a labelled answer set."""
    if learned_layer:
        import os

        from ksafe.evaluation.structural.decision import LAYER_ENV

        os.environ[LAYER_ENV] = "1"  # read by the offline judge here and in the processes this run starts
    with user_errors():
        from rich.markup import escape

        from ksafe.evaluation.judge_quality import (
            judge_answers,
            judge_pair_agreement,
            quality_rows,
            record_judge_quality,
        )
        from ksafe.evaluation.judge_set import load_judge_set

        splits = ("heldout", "dev") if split == "each" else (split,)
        answers = load_judge_set(judge_set, "all")
        if split != "each":
            answers = load_judge_set(judge_set, split)
        verdicts = judge_answers(answers, tuple(judge or ["heuristic"]), rubric_language, max_connections)
        recorded = []
        for part in splits:
            group = [a for a in answers if part == "all" or a.split == part]
            if not group:
                continue
            rows = [r for name, v in verdicts.items() for r in quality_rows(group, name, v, judge_set, part)]
            recorded += rows
            print_quality(rows, f"judge quality on {judge_set} ({part}: {len(group)} answers)")
            if len(verdicts) > 1:
                sub = {name: {k: v[k] for k in v if k in {a.id for a in group}} for name, v in verdicts.items()}
                print_pairs(judge_pair_agreement(sub), f"agreement between judges ({part})")
        for name, v in verdicts.items():
            wrong = [a for a in answers if v[a.id][0] != a.verdict][:errors]
            for a in wrong:
                typer.echo(f"{escape(name)}: {a.id}: human {a.verdict}, judge {v[a.id][0]}: {escape(v[a.id][1])}")
        if record is not None:
            record_judge_quality(record, recorded)
            typer.echo(f"recorded in {record / 'results.json'} (judge_quality)")
