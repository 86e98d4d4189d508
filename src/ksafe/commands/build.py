"""``ksafe build`` and the listing commands ``ksafe cultures``, ``categories``, ``strategies``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ksafe.commands.errors import user_errors


class _StageBars:
    """Rich progress bars, one per stage, started at the first report (so an early error prints alone)."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.bars = Progress(
            TextColumn("[bold]{task.description:<8}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
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

    def warn(self, message: str) -> None:
        """Print a warning above the bars (on stderr)."""
        self.bars.console.print(f"warning: {message}", markup=False, highlight=False, soft_wrap=True)

    def stop(self) -> None:
        """Stop the live display if it was started."""
        if self.started:
            self.bars.stop()
            self.started = False


def build(
    culture: Annotated[
        str, typer.Option("--culture", "-c", help="Installed pack code (ko, ja, a plugin's) or a pack folder.")
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
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Replace a benchmark in OUT built with other options (never a folder ksafe did not write)."
        ),
    ] = False,
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
                force=force,
            )
        except ValidationError as exc:  # name the flag, in one line
            first = exc.errors()[0]
            raise KsafeError(f"--{str(first['loc'][0]).replace('_', '-')}: {first['msg']}") from None
        bars = _StageBars()
        try:
            result = build_benchmark(options, progress=bars.report, notify=bars.warn)
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


def _typed_column(table: Any, header: str, values: list[str]) -> None:
    """A column of ids a user types: never wrapped or cut, whatever the terminal width."""
    width = max([len(header), *(len(v) for v in values)])
    table.add_column(header, no_wrap=True, min_width=width, overflow="fold")


def cultures() -> None:
    """List the installed culture packs (built-in and plugin packs) with the package that ships each."""
    with user_errors():
        from rich.console import Console
        from rich.table import Table

        from ksafe.cultures.loader import load_pack
        from ksafe.cultures.registry import PACK_REGISTRY
        from ksafe.errors import KsafeError

        codes = list(PACK_REGISTRY.entries())
        table = Table()
        _typed_column(table, "code", codes)
        for header in ("benchmark", "language", "locale", "topics", "templates", "from"):
            table.add_column(header, no_wrap=True)
        table.add_column("description")  # the only column that wraps, so the others stay whole
        for code, entry in PACK_REGISTRY.entries().items():
            try:
                pack = load_pack(entry.value.directory, check_font=False)
            except KsafeError as exc:  # one broken plugin pack must not hide the others
                table.add_row(code, "", "", "", "", "", entry.distribution, f"invalid: {exc}")
                continue
            info = pack.info
            table.add_row(
                code,
                info.benchmark_name,
                info.display_name,
                info.locale,
                str(len(pack.topics)),
                str(len(pack.templates.templates)),
                entry.distribution,
                info.description.split(". ")[0].rstrip(".") + ".",
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
        table = Table()
        _typed_column(table, "domain", [c.domain for c in pack.taxonomy.categories])
        _typed_column(table, "category id", [c.id for c in pack.taxonomy.categories])
        for header in ("name", "local name", "covers"):
            table.add_column(header, ratio=1, overflow="fold")
        for category in pack.taxonomy.categories:
            table.add_row(category.domain, category.id, category.name, category.local_name, category.description)
        Console().print(table)


def strategies() -> None:
    """List the jailbreak strategies (built-in and plugin ones) with their family and description."""
    with user_errors():
        from rich.console import Console
        from rich.table import Table

        from ksafe.jailbreaks.registry import STRATEGY_REGISTRY

        entries = STRATEGY_REGISTRY.entries()
        table = Table()
        _typed_column(table, "strategy", list(entries))
        table.add_column("family")
        table.add_column("from")
        table.add_column("description", ratio=1, overflow="fold")
        for entry in entries.values():
            table.add_row(entry.name, entry.value.family, entry.distribution, entry.value.description)
        Console().print(table)


def register(app: typer.Typer) -> None:
    """Add the build and listing commands to ``app``."""
    app.command()(build)
    app.command()(cultures)
    app.command()(categories)
    app.command()(strategies)
