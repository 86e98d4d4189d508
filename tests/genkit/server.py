"""Start the scripted generator server as a process on 127.0.0.1 (test and benchmark helper).

Output: a ``RunningGenerator`` with the environment that points ``openai-api/scripted/<model>`` at it, and the
parsed request log. Side effects: starts a subprocess, stopped when the context exits (``serverkit``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from serverkit import RunningServer, run_server

SCRIPT = Path(__file__).with_name("scripted_generator.py")
MODEL = "openai-api/scripted/gen-1"
"""The model string tests use (``SCRIPTED_BASE_URL`` and ``SCRIPTED_API_KEY`` point it at the server)."""

SECRET = "sk-scripted-4f9a2c7e1b"
"""The API key tests send; it must never appear in a built file or in output."""


class RunningGenerator(RunningServer):
    @property
    def env(self) -> dict[str, str]:
        """Environment variables for the ``openai-api/scripted/...`` provider."""
        return {"SCRIPTED_BASE_URL": self.base_url, "SCRIPTED_API_KEY": SECRET}


@contextmanager
def scripted_generator(
    workdir: Path,
    latency_ms: float = 0.0,
    faults: dict[str, str] | None = None,
    kill_pid_file: Path | None = None,
    kill_after: int = 0,
    kill_journal: Path | None = None,
) -> Iterator[RunningGenerator]:
    """Run the scripted generator for the duration of the ``with`` block (``kill_journal``: the client's output
    folder, whose ``generation/calls.jsonl`` or ``.ksafe-draft/calls.jsonl`` the server waits on before its
    kill -9; see ``serverkit``)."""
    with run_server(
        SCRIPT,
        workdir,
        RunningGenerator,
        latency_ms,
        ("faults", faults or {}),
        kill_pid_file,
        kill_after,
        kill_journal,
    ) as server:
        yield server
