"""``ksafe build`` and the listing commands ``ksafe cultures``, ``categories``, ``strategies``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ksafe.commands.errors import user_errors

_GENERATOR_FLAGS = {
    "spec": "image-generator",
    "steps": "image-steps",
    "guidance": "image-guidance",
    "size": "image-gen-size",
    "device": "image-device",
    "dtype": "image-dtype",
    "batch_size": "image-batch-size",
    "concurrency": "image-concurrency",
    "nsfw_threshold": "nsfw-threshold",
    "regenerations": "nsfw-retries",
    "ray_address": "ray",
}


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
    image_generator: Annotated[
        str | None,
        typer.Option(
            help="Generate pictures (adds the sd, sd_typography and scene_news_photo kinds): "
            "diffusers/<hub id or folder> or openai/<model> (OPENAI_BASE_URL, OPENAI_API_KEY).",
            rich_help_panel="Image generation",
        ),
    ] = None,
    image_steps: Annotated[
        int | None, typer.Option(help="Denoising steps (diffusers).", rich_help_panel="Image generation")
    ] = None,
    image_guidance: Annotated[
        float | None, typer.Option(help="Guidance scale (diffusers).", rich_help_panel="Image generation")
    ] = None,
    image_gen_size: Annotated[
        int | None,
        typer.Option(
            help="Size asked of the model (default: 1024 for APIs, the pipeline's own).",
            rich_help_panel="Image generation",
        ),
    ] = None,
    image_device: Annotated[
        str | None, typer.Option(help="Torch device (default: best available).", rich_help_panel="Image generation")
    ] = None,
    image_dtype: Annotated[
        str | None,
        typer.Option(help="float32, float16 or bfloat16 (default: by device).", rich_help_panel="Image generation"),
    ] = None,
    image_batch_size: Annotated[
        int, typer.Option(help="Prompts per diffusers call.", rich_help_panel="Image generation")
    ] = 4,
    image_concurrency: Annotated[
        int, typer.Option(help="API requests in flight.", rich_help_panel="Image generation")
    ] = 8,
    nsfw_threshold: Annotated[
        float,
        typer.Option(help="Reject pictures whose Open-NSFW score is above this.", rich_help_panel="Image generation"),
    ] = 0.8,
    nsfw_retries: Annotated[
        int,
        typer.Option(
            help="New seeds tried for a rejected picture before its items are dropped.",
            rich_help_panel="Image generation",
        ),
    ] = 2,
    ray: Annotated[
        str | None,
        typer.Option(
            "--ray",
            help="Run diffusers on this Ray cluster (auto, ray://host:10001).",
            rich_help_panel="Image generation",
        ),
    ] = None,
    rejections: Annotated[
        Path | None,
        typer.Option("--rejections", help="rejections.json from `ksafe review apply`: leave those templates out."),
    ] = None,
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
    rewrite_queries: Annotated[
        bool,
        typer.Option(
            "--rewrite-queries",
            help="With --generator: also rewrite each jailbreak item's text-only query in the strategy's style.",
        ),
    ] = False,
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
        from ksafe.images.generators.base import GeneratorOptions

        try:
            image_options = (
                GeneratorOptions(
                    spec=image_generator,
                    steps=image_steps,
                    guidance=image_guidance,
                    size=image_gen_size,
                    device=image_device,
                    dtype=image_dtype,  # type: ignore[arg-type]
                    batch_size=image_batch_size,
                    concurrency=image_concurrency,
                    nsfw_threshold=nsfw_threshold,
                    regenerations=nsfw_retries,
                    ray_address=ray,
                )
                if image_generator
                else None
            )
        except ValidationError as exc:
            first = exc.errors()[0]
            flag = _GENERATOR_FLAGS.get(str(first["loc"][0]), "image-generator")
            raise KsafeError(f"--{flag}: {first['msg']}") from None
        if image_options is None and ray:
            raise KsafeError("--ray: needs --image-generator diffusers/<model>")
        if rewrite_queries and generator is None:
            raise KsafeError("--rewrite-queries: needs --generator (the model that rewrites the queries)")
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
                image_generator=image_options,
                rejections=rejections,
                generator=generator,
                critic=critic,
                candidates_per_slot=candidates_per_slot,
                max_calls=max_calls,
                generator_connections=generator_connections,
                rewrite_queries=rewrite_queries,
            )
        except ValidationError as exc:  # name the flag, in one line
            first = exc.errors()[0]
            raise KsafeError(f"--{str(first['loc'][0]).replace('_', '-')}: {first['msg']}") from None
        if plan:
            _print_plan(options)
            return
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
        if result.generation is not None:
            _print_generation(result.generation)
        from ksafe.quality.lint import lint_benchmark

        typer.echo(lint_benchmark(out).summary() + f" (details: ksafe lint {out})")


def _print_plan(options: Any) -> None:
    from ksafe.errors import KsafeError
    from ksafe.generation.plan import plan_generation

    if options.generator is None:
        raise KsafeError("--plan: needs --generator (the template path makes no model calls)")
    p = plan_generation(options)
    typer.echo(
        f"plan: {p.slots} (topic, category) slots, {p.g_pairs} G pairs, {p.wrapper_strategies} wrapper strategies, "
        + (f"{p.rewrites} query rewrites (counted as new), " if p.rewrites else "")
        + f"{p.journaled} already answered in the journal; "
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
    g, wrappers = outcome.counts.get("g", {}), outcome.counts.get("wrappers", {})
    if g.get("pairs"):
        typer.echo(
            f"  G: {g.get('generated', 0)} of {g['pairs']} pairs translated and contextualized, "
            f"{g.get('refusals', 0)} refusals, {g.get('fallbacks', 0)} fallbacks to g_translations.yaml"
        )
    if wrappers.get("strategies"):
        typer.echo(
            f"  wrappers: {wrappers.get('wrappers', 0)} new texts for {wrappers.get('generated', 0)} of "
            f"{wrappers['strategies']} strategies, {wrappers.get('refusals', 0)} refusals, "
            f"{wrappers.get('fallbacks', 0)} fallbacks to the pack's"
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
