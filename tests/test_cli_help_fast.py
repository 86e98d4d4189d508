"""``ksafe --help`` stays fast (issue 10): no heavy module is imported to print it, and the deferred rich
modules (``ksafe.lazy_rich``) change neither the help text nor what a later import of them gets."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

HEAVY = ("inspect_ai", "pandas", "kiwipiepy", "torch", "matplotlib", "PIL", "numpy", "aiohttp", "openai")
DEFERRED = ("rich.markdown", "rich.traceback", "markdown_it", "pygments")

PRINT_HELP = """
import json, sys
sys.argv = ["ksafe", *json.loads(sys.argv[1])]
try:
    from ksafe.cli import main
    main()
except SystemExit:
    pass
finally:
    print("MODULES=" + json.dumps(sorted(sys.modules)))
"""


def _help(args: list[str], defer: bool = True) -> tuple[str, set[str]]:
    script = PRINT_HELP if defer else "import ksafe.lazy_rich as l; l.install = lambda: None\n" + PRINT_HELP
    env = {**os.environ, "COLUMNS": "120"}
    done = subprocess.run(
        [sys.executable, "-c", script, json.dumps(args)], capture_output=True, text=True, env=env, timeout=60
    )
    text, _, modules = done.stdout.rpartition("MODULES=")
    return text + done.stderr, set(json.loads(modules))


@pytest.mark.parametrize("args", [["--help"], ["guard", "--help"], ["culture", "--help"]])
def test_help_imports_no_heavy_module(args: list[str]) -> None:
    text, modules = _help(args)
    assert "Usage: ksafe" in text
    loaded = sorted(m for m in modules if m.split(".")[0] in HEAVY or m in DEFERRED)
    assert not loaded, loaded
    if args == ["--help"]:  # a command's own page builds Typer's pydantic adapters for its options; the list does not
        assert "pydantic" not in modules


@pytest.mark.parametrize("args", [["--help"], ["eval", "--help"], ["judge", "sample", "--help"], ["nosuch"]])
def test_help_text_is_the_same_with_the_deferred_modules(args: list[str]) -> None:
    assert _help(args)[0] == _help(args, defer=False)[0]


def test_deferred_classes_are_the_real_ones_once_used() -> None:
    script = """
import sys
import ksafe.lazy_rich as lazy
lazy.install()
import typer.rich_utils as ru
assert "rich.markdown" not in sys.modules and "rich.traceback" not in sys.modules
import rich.markdown, rich.traceback
from rich.console import Console
made = ru._make_rich_text(text="**bold**", markup_mode="markdown")
assert isinstance(made, rich.markdown.Markdown), type(made)
try:
    raise ValueError("x")
except ValueError as exc:
    tb = ru.Traceback.from_exception(type(exc), exc, exc.__traceback__)
assert isinstance(tb, rich.traceback.Traceback)
assert rich.markdown.Markdown.__module__ == "rich.markdown" and sys.modules["rich.markdown"] is rich.markdown
import io
console = Console(width=40, record=True, file=io.StringIO())
console.print(made)
assert "bold" in console.export_text()
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "ok", done.stderr
