"""``ksafe build`` and the listing commands ``ksafe cultures``, ``categories``, ``strategies``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ksafe.commands.errors import user_errors


class _StageBars:
    """Rich progress bars, one per stage, started at the first report (so an early error prints alone)."""

    def __init__(self) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.bars = Progress(
            TextColumn("[bold]{task.description:<8}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        self.tasks: dict[str, Any] = {}
        self.started = False

    def report(self, stage: str, advance: int, total: int | None) -> None:
        """Advance ``stage`` by ``advance``; set its total when given."""
        if not self.started:
            self.bars.start()
            self.started = True
        if stage not in self.tasks:
            self.tasks[stage] = self.bars.add_task(stage, total=total)
        elif total is not None:
            self.bars.update(self.tasks[stage], total=total)
        if advance:
            self.bars.advance(self.tasks[stage], advance)

    def stop(self) -> None:
        """Stop the live display if it was started."""
        if self.started:
            self.bars.stop()
            self.started = False


def build(
    culture: Annotated[
        str, typer.Option("--culture", "-c", help="Built-in culture pack code (ko, ja) or a pack folder.")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output benchmark directory (created; rerun resumes).")],
    seed: Annotated[int, typer.Option(help="Seed that fixes every random choice.")] = 0,
    limit: Annotated[
        int | None,
        typer.Option(
            help="Build about N harmful items (scaled from the pack's default sizes), covering every "
            "category and strategy. Default: the full benchmark."
        ),
    ] = None,
    topics: Annotated[
        Path | None,
        typer.Option(
            "--topics",
            help="Topic records (JSONL, e.g. from `ksafe topics mine`) to use instead of the pack's curated topics.",
        ),
    ] = None,
    g_count: Annotated[int | None, typer.Option(help="Harmful items in subset G (overrides the default).")] = None,
    c_count: Annotated[int | None, typer.Option(help="Harmful items in subset C (overrides the default).")] = None,
    image_size: Annotated[int, typer.Option(help="Image width and height in pixels.")] = 512,
    workers: Annotated[int, typer.Option(help="Rendering processes (0: one per CPU core).")] = 0,
    parquet: Annotated[bool, typer.Option("--parquet/--no-parquet", help="Also write data/*.parquet.")] = True,
    rejections: Annotated[
        Path | None,
        typer.Option("--rejections", help="rejections.json from `ksafe review apply`: leave those templates out."),
    ] = None,
) -> None:
    """Build a benchmark offline from a culture pack (template path: no model, no network).

    Writes items.jsonl, images/, data/*.parquet, README.md (dataset card) and manifest.json into OUT.
    A killed build resumes when rerun with the same command.
    """
    with user_errors():
        from pydantic import ValidationError

        from ksafe.build import BuildOptions, build_benchmark
        from ksafe.errors import KsafeError

        try:
            options = BuildOptions(
                culture=culture,
                out=out,
                seed=seed,
                limit=limit,
                topics_file=topics,
                g_count=g_count,
                c_count=c_count,
                image_size=image_size,
                workers=workers,
                write_parquet=parquet,
                rejections=rejections,
            )
        except ValidationError as exc:  # name the flag, in one line
            first = exc.errors()[0]
            raise KsafeError(f"--{str(first['loc'][0]).replace('_', '-')}: {first['msg']}") from None
        bars = _StageBars()
        try:
            result = build_benchmark(options, progress=bars.report)
        except KeyboardInterrupt:
            bars.stop()  # before the message, so the live display does not overwrite it
            typer.echo(f"interrupted: finished images are kept; rerun the same command to resume ({out})", err=True)
            raise SystemExit(130) from None
        finally:
            bars.stop()
        counts = result.manifest.counts
        typer.echo(
            f"built {result.manifest.name} in {out}: {counts['harmful']} harmful + {counts['benign']} benign items, "
            f"{counts['images']} images (G {counts['subset'].get('G', 0)}, C {counts['subset'].get('C', 0)})"
        )
        from ksafe.quality.lint import lint_benchmark

        typer.echo(lint_benchmark(out).summary() + f" (details: ksafe lint {out})")


def cultures() -> None:
    """List the built-in culture packs."""
    with user_errors():
        from rich.console import Console
        from rich.table import Table

        from ksafe.cultures.loader import list_packs, load_pack

        table = Table("code", "benchmark", "language", "locale", "topics", "templates", "description")
        for code in list_packs():
            pack = load_pack(code, check_font=False)
            info = pack.info
            table.add_row(
                code,
                info.benchmark_name,
                info.display_name,
                info.locale,
                str(len(pack.topics)),
                str(len(pack.templates.templates)),
                info.description,
            )
        Console().print(table)


def categories(
    culture: Annotated[str, typer.Option("--culture", "-c", help="Pack whose local names to show.")] = "ko",
) -> None:
    """List the taxonomy: domains and categories."""
    with user_errors():
        from rich.console import Console
        from rich.table import Table

        from ksafe.cultures.loader import load_pack

        pack = load_pack(culture, check_font=False)
        table = Table("domain", "category id", "name", "local name", "covers")
        for category in pack.taxonomy.categories:
            table.add_row(category.domain, category.id, category.name, category.local_name, category.description)
        Console().print(table)


def strategies() -> None:
    """List the jailbreak strategies with their family and description."""
    with user_errors():
        from rich.console import Console
        from rich.table import Table

        from ksafe.jailbreaks.registry import list_strategies

        table = Table("strategy", "family", "description")
        for strategy in list_strategies():
            table.add_row(strategy.name, strategy.family, strategy.description)
        Console().print(table)


def register(app: typer.Typer) -> None:
    """Add the build and listing commands to ``app``."""
    app.command()(build)
    app.command()(cultures)
    app.command()(categories)
    app.command()(strategies)
