"""Start the scripted guard server as a real process on 127.0.0.1 (test and benchmark helper).

Output: a ``RunningServer`` with ``base_url`` and the parsed request log. Side effects: starts a
subprocess, stopped when the context exits (``serverkit.run_server``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from serverkit import RunningServer, run_server

SERVER_SCRIPT = Path(__file__).with_name("guard_server.py")


@contextmanager
def guard_server(
    workdir: Path,
    latency_ms: float = 0.0,
    rules: dict[str, str] | None = None,
    kill_pid_file: Path | None = None,
    kill_after: int = 0,
    kill_journal: Path | None = None,
) -> Iterator[RunningServer]:
    """Run the scripted guard server for the duration of the ``with`` block."""
    with run_server(
        SERVER_SCRIPT,
        workdir,
        RunningServer,
        latency_ms,
        ("rules", rules or {}),
        kill_pid_file,
        kill_after,
        kill_journal,
    ) as server:
        yield server
