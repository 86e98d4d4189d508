"""Listings of the extension points: ``ksafe image-kinds``, ``ksafe judges`` and ``ksafe plugins``.

Each list comes from its entry-point registry, so installed plugins appear with their distribution.
Only typer is imported at module level.
"""

from __future__ import annotations

import typer

from ksafe.commands.errors import user_errors


def image_kinds() -> None:
    """List the image kinds (renderers and image generators) with the package that registered each."""
    with user_errors():
        from rich.console import Console
        from rich.table import Table

        from ksafe.images.sources import IMAGE_SOURCES

        table = Table("kind", "source", "subsets", "from", "description")
        for entry in IMAGE_SOURCES.entries().values():
            source = entry.value
            table.add_row(
                entry.name,
                "picture (needs --image-generator)" if source.needs_generator else "renderer",
                "G, C" if source.text_only else "C",
                entry.distribution,
                source.description,
            )
        Console().print(table)


def judges() -> None:
    """List the named judges (--judge NAME); model strings and scorer:REF are described below the table."""
    with user_errors():
        from rich.console import Console
        from rich.table import Table

        from ksafe.evaluation.judge_registry import JUDGE_REGISTRY

        table = Table("judge", "calls a model", "from", "description")
        for entry in JUDGE_REGISTRY.entries().values():
            table.add_row(
                entry.name, "no" if entry.value.is_heuristic else "yes", entry.distribution, entry.value.description
            )
        console = Console()
        console.print(table)
        console.print(
            "Also: --judge PROVIDER/MODEL (an LLM judge, e.g. openai/gpt-4o) and --judge scorer:REF "
            "(your Inspect @scorer: scorer:mypkg/my_scorer or scorer:mypkg.module:function).",
            highlight=False,
        )


def plugins() -> None:
    """List every ksafe entry point (strategies, transforms, image sources, judges, guard formats, cultures)."""
    with user_errors():
        from rich.console import Console
        from rich.table import Table

        from ksafe.plugins import GROUPS, installed_entry_points

        table = Table("group", "entry point", "object", "from")
        for group in GROUPS:
            for name, target, distribution in installed_entry_points(group):
                table.add_row(group, name, target, distribution)
        Console().print(table)


def register(app: typer.Typer) -> None:
    """Add the listing commands to ``app``."""
    app.command("image-kinds")(image_kinds)
    app.command()(judges)
    app.command()(plugins)
