"""``ksafe lint`` and ``ksafe review``: the quality gate of a built benchmark and the native-reader review kit.

Only typer is imported at module level.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ksafe.commands.errors import user_errors

review_app = typer.Typer(help="Native-reader review: sample a sheet, apply its verdicts.", no_args_is_help=True)


def lint(
    bench: Annotated[Path, typer.Argument(help="Built benchmark directory.")],
    max_identical: Annotated[
        float, typer.Option(help="Largest allowed share of harmful items whose text repeats another's.")
    ] = 0.02,
    show: Annotated[int, typer.Option(help="Errors and warnings to print (0: all).")] = 20,
) -> None:
    """Check a benchmark: identical and near-identical texts, key phrases leaked into non-transform texts,
    unfilled placeholders, particle errors; print counts per category and kind. Exit 1 on errors."""
    with user_errors():
        from ksafe.quality.lint import lint_benchmark

        report = lint_benchmark(bench, max_identical)
        for label, problems in (("error", report.errors), ("warning", report.warnings)):
            for problem in problems[: show or None]:
                typer.echo(f"{label}: {problem}")
            if show and len(problems) > show:
                typer.echo(f"... {len(problems) - show} more {label}(s)")
        for dimension, counts in report.counts.items():
            typer.echo(f"{dimension}: " + ", ".join(f"{key} {n}" for key, n in counts.items()))
        typer.echo(report.summary())
        if not report.ok:
            raise typer.Exit(1)


@review_app.command("sample")
def sample(
    bench: Annotated[Path, typer.Argument(help="Built benchmark directory.")],
    n: Annotated[int, typer.Option("--n", min=1, help="Items to sample.")] = 200,
    out: Annotated[Path | None, typer.Option("--out", help="Sheet to write (default: BENCH/review-N.csv).")] = None,
    seed: Annotated[int, typer.Option(help="Sampling seed.")] = 0,
) -> None:
    """Write a review sheet (CSV: text, key phrase, image path, category, verdict, reason) for a native reader."""
    with user_errors():
        from ksafe.quality.review import review_sheet

        target = out or bench / f"review-{n}.csv"
        written = review_sheet(bench, n, target, seed)
        typer.echo(
            f"wrote {written} items to {target}; fill verdict (accept/reject) and reason, then `ksafe review apply`"
        )


@review_app.command("apply")
def apply(
    bench: Annotated[Path, typer.Argument(help="Built benchmark directory.")],
    sheet: Annotated[Path, typer.Argument(help="The filled review sheet (CSV).")],
    out: Annotated[Path | None, typer.Option("--out", help="Rejections file (default: BENCH/rejections.json).")] = None,
    topics: Annotated[bool, typer.Option("--topics/--no-topics", help="Also drop the rejected items' topics.")] = False,
) -> None:
    """Turn rejected rows into rejections.json; `ksafe build --rejections FILE` leaves those templates (and
    topics) out and records them in the manifest."""
    with user_errors():
        from ksafe.quality.review import apply_review

        target = out or bench / "rejections.json"
        record = apply_review(bench, sheet, target, reject_topics=topics)
        dropped = f"{len(record.template_ids)} template(s)" + (f", {len(record.topic_ids)} topic(s)" if topics else "")
        typer.echo(f"wrote {target}: {dropped} rejected; next: ksafe build ... --rejections {target}")


def register(app: typer.Typer) -> None:
    """Add ``lint`` and the ``review`` group to ``app``."""
    app.command()(lint)
    app.add_typer(review_app, name="review")
