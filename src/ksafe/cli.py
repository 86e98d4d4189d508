"""The ``ksafe`` command line: parses flags, calls the library, prints. Nothing heavy at import time.

Each command group lives in ``ksafe.commands.<name>`` and registers itself through ``register(app)``;
those modules import only typer at module level so ``ksafe --help`` stays fast.
"""

from __future__ import annotations

import typer

from ksafe.commands import build, culture, evaluate, quality, report, topics

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

for module in (build, culture, evaluate, report, topics, quality):
    module.register(app)


def main() -> None:
    """Entry point for ``python -m ksafe``."""
    app()
