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
    generator: Annotated[
        str | None,
        typer.Option(
            help="Inspect model string that writes the C queries (openai/gpt-4o, openai-api/<name>/<model>, "
            "mockllm/model). Default: the offline template path."
        ),
    ] = None,
    critic: Annotated[
        str | None, typer.Option(help="Inspect model string that scores generated queries (default: the generator).")
    ] = None,
    candidates_per_slot: Annotated[
        int, typer.Option(help="Candidates the generator writes per (topic, category).")
    ] = 3,
    max_calls: Annotated[
        int | None,
        typer.Option(help="Budget of new model calls; journaled answers are free, and a rerun continues."),
    ] = None,
    generator_connections: Annotated[int, typer.Option(help="Generator and critic calls in flight at once.")] = 8,
    plan: Annotated[
        bool, typer.Option("--plan", help="Print the calls and tokens a generated build will make, and stop.")
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
                generator=generator,
                critic=critic,
                candidates_per_slot=candidates_per_slot,
                max_calls=max_calls,
                generator_connections=generator_connections,
            )
        except ValidationError as exc:  # name the flag, in one line
            first = exc.errors()[0]
            raise KsafeError(f"--{str(first['loc'][0]).replace('_', '-')}: {first['msg']}") from None
        if plan:
            _print_plan(options)
            return
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
        if result.generation is not None:
            _print_generation(result.generation)


def _print_plan(options: Any) -> None:
    from ksafe.errors import KsafeError
    from ksafe.generation.plan import plan_generation

    if options.generator is None:
        raise KsafeError("--plan: needs --generator (the template path makes no model calls)")
    p = plan_generation(options)
    typer.echo(
        f"plan: {p.slots} (topic, category) slots, {p.journaled} already answered in the journal; "
        f"{p.min_calls} new calls if every reply is valid (at most {p.max_calls} with refusals and repairs); "
        f"about {p.input_tokens} input + {p.output_tokens} output tokens"
    )


def _print_generation(outcome: Any) -> None:
    totals = outcome.counts["totals"]
    calls = outcome.calls
    typer.echo(
        f"generator {outcome.counts['generator']}: {totals.get('generated_slots', 0)} of {totals.get('slots', 0)} "
        f"slots generated, {totals.get('refusals', 0)} refusals, {totals.get('fallbacks', 0)} fallbacks to templates; "
        f"{calls.new} new calls, {calls.journaled} from the journal "
        f"({calls.input_tokens} + {calls.output_tokens} tokens)"
    )
    for category, c in outcome.counts["category"].items():
        if c.get("refusals") or c.get("fallbacks"):
            typer.echo(f"  {category}: {c.get('refusals', 0)} refusals, {c.get('fallbacks', 0)} fallbacks")


def cultures() -> None:
    """List the installed culture packs (built-in and plugin packs) with the package that ships each."""
    with user_errors():
        from rich.console import Console
        from rich.table import Table

        from ksafe.cultures.loader import load_pack
        from ksafe.cultures.registry import PACK_REGISTRY
        from ksafe.errors import KsafeError

        table = Table("code", "benchmark", "language", "locale", "topics", "templates", "from", "description")
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
    """List the jailbreak strategies (built-in and plugin ones) with their family and description."""
    with user_errors():
        from rich.console import Console
        from rich.table import Table

        from ksafe.jailbreaks.registry import STRATEGY_REGISTRY

        table = Table("strategy", "family", "from", "description")
        for entry in STRATEGY_REGISTRY.entries().values():
            table.add_row(entry.name, entry.value.family, entry.distribution, entry.value.description)
        Console().print(table)


def register(app: typer.Typer) -> None:
    """Add the build and listing commands to ``app``."""
    app.command()(build)
    app.command()(cultures)
    app.command()(categories)
    app.command()(strategies)
