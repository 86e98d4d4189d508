"""``ksafe culture``: scaffold a new culture pack and validate a pack.

Only typer is imported at module level.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ksafe.commands.errors import user_errors

culture_app = typer.Typer(help="Create and validate culture packs.", no_args_is_help=True)


@culture_app.command("init")
def init(
    locale: Annotated[str, typer.Argument(help="Language or locale of the new pack, e.g. th-TH.")],
    out: Annotated[Path | None, typer.Option("--out", help="Folder to create (default: ./<language code>).")] = None,
) -> None:
    """Write a pack scaffold; every value to fill holds the marker TODO(fill)."""
    with user_errors():
        from ksafe.cultures.scaffold import find_todo_markers, init_pack

        folder = out or Path(locale.split("-")[0].split("_")[0].lower())
        files = init_pack(locale, folder)
        typer.echo(f"wrote {len(files)} files to {folder}; {len(find_todo_markers(folder))} TODO(fill) markers to fill")
        typer.echo(f"next: fill them (docs/new-culture.md), then `ksafe culture check {folder}`")


@culture_app.command("check")
def check(
    pack: Annotated[str, typer.Argument(help="Pack folder or built-in code.")],
    no_font: Annotated[bool, typer.Option("--no-font", help="Skip the glyph coverage check.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 on coverage gaps.")] = False,
) -> None:
    """Validate a pack: no TODO(fill) marker left, then every file and cross-file rule; then report templates with
    too few compatible topics and topics with too few templates (typed composition)."""
    with user_errors():
        from ksafe.cultures.loader import load_pack, resolve_pack_dir
        from ksafe.cultures.scaffold import check_no_markers

        check_no_markers(resolve_pack_dir(pack))
        loaded = load_pack(pack, check_font=not no_font)
        typer.echo(
            f"ok: {loaded.code} ({loaded.info.benchmark_name}): {len(loaded.taxonomy.categories)} categories, "
            f"{len(loaded.topics)} topics, {len(loaded.templates.templates)} templates"
        )
        from ksafe.cultures.composition import coverage

        problems = coverage(loaded.templates.templates, loaded.topics)
        for problem in problems:
            typer.echo(f"warning: {problem}")
        if problems:
            typer.echo(
                f"{len(problems)} coverage warning(s): add topics of the kinds these templates take, or templates"
            )
        if strict and problems:
            raise typer.Exit(1)


@culture_app.command("draft")
def draft(
    locale: Annotated[str, typer.Argument(help="Locale of the new pack, e.g. th-TH.")],
    generator: Annotated[
        str, typer.Option("--generator", help="Inspect model string that writes the pack (openai/gpt-4o, ...).")
    ],
    topics: Annotated[
        Path | None, typer.Option("--topics", help="Mined topics (ksafe topics mine output) to build topics from.")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Folder to create (default: ./<language code>).")] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Draft into a non-empty folder, replacing pack files.")
    ] = False,
    max_calls: Annotated[
        int | None, typer.Option("--max-calls", min=0, help="Stop after this many new model calls.")
    ] = None,
    connections: Annotated[int, typer.Option("--connections", min=1, help="Calls in flight at once.")] = 4,
    plan: Annotated[bool, typer.Option("--plan", help="Print the calls the draft will make; call nothing.")] = False,
) -> None:
    """Draft every pack file with a generator model, then run `culture check` on it.

    Exit code 0: the drafted pack passes `ksafe culture check`. 1: drafted, with a short list of what is left
    for a person. 2: an error to fix (locale, model string, folder, budget, failed calls: rerun to resume).
    """
    with user_errors():
        from ksafe.drafting.runner import DraftOptions, draft_pack, plan_draft

        folder = out or Path(locale.split("-")[0].split("_")[0].lower())
        options = DraftOptions(locale, folder, generator, topics, force, max_calls, connections)
        if plan:
            p = plan_draft(options)
            typer.echo(
                f"plan: {p.calls} prompts ({p.journaled} answered in the journal); new calls "
                f"{p.min_calls}-{p.max_calls}; about {p.input_tokens} input tokens for the first prompts"
            )
            return
        result = draft_pack(options)
        stats = result.calls
        typer.echo(
            f"drafted {len(result.files)} files in {folder}: {stats.new} new calls, {stats.journaled} from the "
            f"journal, {result.refusals} refusal(s), {result.repairs} repair(s), {result.check_fixes} check fix(es)"
        )
        for note in result.notes:
            typer.echo(f"note: {note}")
        if result.left:
            typer.echo(f"left for a person ({len(result.left)}):")
            for item in result.left:
                typer.echo(f"  - {item}")
            typer.echo(f"then: ksafe culture check {folder}")
            raise typer.Exit(1)
        typer.echo(f"ok: ksafe culture check {folder} passes; next: ksafe build --culture {folder} --limit 200")


def register(app: typer.Typer) -> None:
    """Add the ``culture`` group to ``app``."""
    app.add_typer(culture_app, name="culture")
