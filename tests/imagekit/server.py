"""Start the fake images server as a real process on 127.0.0.1 (test and benchmark helper).

Output: a ``RunningServer`` with ``base_url`` and the parsed request log. Side effects: starts a
subprocess, stopped when the context exits (``serverkit.run_server``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from serverkit import RunningServer, run_server

SERVER_SCRIPT = Path(__file__).with_name("fake_images_server.py")


@contextmanager
def fake_images_server(
    workdir: Path, latency_ms: float = 0.0, faults: dict[str, str] | None = None
) -> Iterator[RunningServer]:
    """Run the fake images server for the duration of the ``with`` block."""
    with run_server(SERVER_SCRIPT, workdir, RunningServer, latency_ms, ("faults", faults or {})) as server:
        yield server
