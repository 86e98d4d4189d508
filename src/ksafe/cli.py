"""The ``ksafe`` command line: parses flags, calls the library, prints. Nothing heavy at import time.

Each command group lives in ``ksafe.commands.<name>`` and registers itself through ``register(app)``;
those modules import only typer at module level so ``ksafe --help`` stays fast.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ksafe import lazy_rich
from ksafe.commands import build, culture, evaluate, guard, plugins, quality, report, topics

lazy_rich.install()  # before Typer first imports its help renderer: rich's Markdown and Traceback load on use

app = typer.Typer(
    name="ksafe",
    help=(
        "Build culture-grounded multimodal (image + text) safety benchmarks and evaluate "
        "vision-language models and guardrails on them."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _flags_show_no_value() -> None:
    """Typer labels every option with its type in ``--help``, flags too (``--force <bool>`` reads as if it took a
    value): a flag's label is dropped; options that take a value keep theirs."""
    from typer.core import TyperOption

    labelled = getattr(TyperOption, "display_type_rich", None)
    if labelled is None or getattr(TyperOption, "_ksafe_flags_show_no_value", False):
        return  # a Typer that labels no option by type, or already adjusted

    def display_type_rich(self: TyperOption, ctx: Any) -> str | None:
        if self.is_flag or self.count:
            return None
        return labelled(self, ctx)

    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]
    TyperOption._ksafe_flags_show_no_value = True  # type: ignore[attr-defined]


_flags_show_no_value()


def _print_version(value: bool) -> None:
    if value:
        from ksafe import __version__

        typer.echo(f"ksafe {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", help="Print the version and exit.", callback=_print_version, is_eager=True)
    ] = False,
) -> None:
    """Options of ``ksafe`` itself (the help text is the app's)."""


for module in (build, culture, evaluate, guard, report, topics, quality, plugins):
    module.register(app)


def main() -> None:
    """Entry point for ``python -m ksafe``."""
    app()
