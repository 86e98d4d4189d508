"""The tree stays ruff-clean and ruff-formatted (pyproject's settings), so style never drifts between changes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module", autouse=True)
def _needs_ruff() -> None:
    if _ruff("--version").returncode != 0 and shutil.which("ruff") is None:
        pytest.skip("ruff is not installed (it is in the test extra)")


def test_ruff_check_passes() -> None:
    result = _ruff("check", "src", "tests")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-1000:]


def test_ruff_format_leaves_every_file_as_it_is() -> None:
    result = _ruff("format", "--check", "src", "tests")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-1000:]
