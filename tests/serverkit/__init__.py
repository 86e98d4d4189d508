"""Start a scripted test server (a Python script) as a real process on 127.0.0.1, for tests and benchmarks.

Every kit's server script takes ``--port-file`` (it writes its port there once listening), ``--log`` (one JSON
line per request) and ``--latency-ms``; some take a JSON file of scripted behaviour (``--faults``, ``--rules``)
and ``--kill-pid-file``/``--kill-after`` (kill -9 a client after N requests). Output: a ``RunningServer`` with
``base_url`` and the parsed request log. Side effects: starts a subprocess, stopped when the context exits.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar


@dataclass
class RunningServer:
    base_url: str
    log_path: Path
    process: subprocess.Popen[bytes]

    def requests(self) -> list[dict[str, Any]]:
        """Every request the server has finished (or dropped), in order."""
        if not self.log_path.exists():
            return []
        return [json.loads(line) for line in self.log_path.read_text(encoding="utf-8").splitlines() if line.strip()]


S = TypeVar("S", bound=RunningServer)


@contextmanager
def run_server(
    script: Path,
    workdir: Path,
    record: type[S],
    latency_ms: float = 0.0,
    scripted: tuple[str, dict[str, Any]] | None = None,
    kill_pid_file: Path | None = None,
    kill_after: int = 0,
    kill_journal: Path | None = None,
) -> Iterator[S]:
    """Run ``script`` for the duration of the ``with`` block.

    Args:
        script: The server script.
        workdir: Folder for its port file, request log and scripted-behaviour file.
        record: The ``RunningServer`` class (or subclass) to yield.
        latency_ms: Latency the server adds to each answer.
        scripted: ``(flag, behaviour)``: written to ``<flag>.json`` and passed as ``--<flag>`` (empty: not).
        kill_pid_file: With ``kill_after``: the file holding the pid the server kills after that many requests.
        kill_after: Requests before the kill (0: never).
        kill_journal: The client's journal folder: the server kills once every reply it answered is stored
            there (``grace_before_kill``), rather than after a fixed 0.5 s.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    port_file = workdir / "port"
    port_file.unlink(missing_ok=True)
    log_path = workdir / "requests.jsonl"
    command = [sys.executable, str(script), "--port-file", str(port_file), "--log", str(log_path)]
    command += ["--latency-ms", str(latency_ms)]
    if scripted and scripted[1]:
        flag, behaviour = scripted
        behaviour_file = workdir / f"{flag}.json"
        behaviour_file.write_text(json.dumps(behaviour, ensure_ascii=False), encoding="utf-8")
        command += [f"--{flag}", str(behaviour_file)]
    if kill_pid_file and kill_after:
        command += ["--kill-pid-file", str(kill_pid_file), "--kill-after", str(kill_after)]
        if kill_journal:
            command += ["--kill-journal", str(kill_journal)]
    process = subprocess.Popen(command)
    try:
        deadline = time.monotonic() + 20
        while not port_file.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{script.name} did not start")
            time.sleep(0.05)
        yield record(f"http://127.0.0.1:{port_file.read_text().strip()}/v1", log_path, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
