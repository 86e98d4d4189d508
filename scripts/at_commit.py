"""Run a Python program against an earlier commit's ``src/`` (for the judge scripts that replay old rules).

Input: a commit, the program's text, its arguments, and files to overlay on the exported tree. Output: the
program's standard output parsed as JSON. Side effects: ``git archive`` of the commit's ``src`` into a temporary
folder (removed), and one child Python process run offline there.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def run_at_commit(commit: str, program: str, args: Sequence[str], overlays: Mapping[str, str] | None = None) -> Any:
    """Run ``program`` with ``args`` on ``commit``'s ``src/``, each ``overlays`` path (relative to the repository
    root) replaced by today's file, and return its JSON output."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "archive", commit, "src"], cwd=ROOT, check=True, capture_output=True)
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        for relative, text in (overlays or {}).items():
            (Path(tmp) / relative).write_text(text, encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-c", program, *args],
            cwd=tmp,
            env={"PYTHONPATH": str(Path(tmp) / "src"), "PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1"},
            check=True,
            capture_output=True,
            text=True,
        )
        return json.loads(done.stdout)
