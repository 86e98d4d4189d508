"""``ksafe report``: build the HTML report, figures and tables from ``ksafe eval`` run directories."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    """Add the ``report`` command to ``app``."""

    @app.command("report")
    def report(
        runs: list[Path] = typer.Argument(..., help="Run directories written by `ksafe eval` or `ksafe guard`."),  # noqa: B008
        out: Path = typer.Option(  # noqa: B008
            Path("report.html"),
            "--out",
            "-o",
            help="HTML file to write; figures and tables go to <stem>_files/ beside it.",
        ),
        max_examples: int = typer.Option(
            2000, "--max-examples", help="Most examples embedded in the example browser (an even sample above that)."
        ),
        embed_font: bool = typer.Option(
            True,
            "--embed-font/--no-embed-font",
            help="Embed a subset of the CJK font so Hangul and kana render without system fonts.",
        ),
    ) -> None:
        """Build one self-contained HTML report (opens offline) plus figures (SVG, PNG) and tables (CSV, markdown)."""
        from ksafe.commands.errors import user_errors

        with user_errors():
            from ksafe.report.build import build_report

            result = build_report(list(runs), out, max_examples=max_examples, embed_font=embed_font)
            typer.echo(f"wrote {result.html}")
            typer.echo(
                f"wrote {len(result.figures)} figure files and {len(result.tables)} table files to {result.files_dir}"
            )
            if result.examples_total > result.examples_shown:
                typer.echo(
                    f"example browser: a sample of {result.examples_shown} of "
                    f"{result.examples_total} examples (raise --max-examples to embed more)"
                )
