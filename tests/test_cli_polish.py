"""What a new user sees first: --help, --version, the listing commands at 80 columns."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from ksafe import __version__
from ksafe.cli import app


@pytest.mark.parametrize("command", [["build"], ["eval"], ["report"], ["culture", "check"], []])
def test_help_shows_no_value_after_a_flag(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.output
    if command == ["build"]:
        assert re.search(r"--force\s+Replace", result.output) and "<int>" in result.output  # values keep a label


def test_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"ksafe {__version__}"


@pytest.mark.parametrize("culture", ["ko", "ja"])
def test_categories_at_80_columns_show_every_id_whole(culture: str) -> None:
    from ksafe.cultures.loader import load_pack

    result = CliRunner().invoke(app, ["categories", "-c", culture], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80
    cells = {cell.strip() for line in result.output.splitlines() for cell in line.split("│")}
    for category in load_pack(culture, check_font=False).taxonomy.categories:
        assert category.id in cells and category.domain in cells, category.id


def test_strategies_at_80_columns_show_every_name_whole() -> None:
    from ksafe.jailbreaks.registry import list_strategies

    result = CliRunner().invoke(app, ["strategies"], env={"COLUMNS": "80"})
    cells = {cell.strip() for line in result.output.splitlines() for cell in line.split("│")}
    assert all(s.name in cells for s in list_strategies())
