"""Start the scripted guard server as a real process on 127.0.0.1 (test and benchmark helper).

Output: a ``RunningGuardServer`` with ``base_url`` and the parsed request log. Side effects: starts a
subprocess, stopped (by its pid) when the context exits.
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
from typing import Any

SERVER_SCRIPT = Path(__file__).with_name("guard_server.py")


@dataclass
class RunningGuardServer:
    base_url: str
    log_path: Path

    def requests(self) -> list[dict[str, Any]]:
        """Every request the server finished (or dropped), in order."""
        if not self.log_path.exists():
            return []
        return [json.loads(line) for line in self.log_path.read_text(encoding="utf-8").splitlines() if line.strip()]


@contextmanager
def guard_server(
    workdir: Path,
    latency_ms: float = 0.0,
    rules: dict[str, str] | None = None,
    kill_pid_file: Path | None = None,
    kill_after: int = 0,
) -> Iterator[RunningGuardServer]:
    """Run the scripted guard server for the duration of the ``with`` block."""
    workdir.mkdir(parents=True, exist_ok=True)
    port_file = workdir / "port"
    port_file.unlink(missing_ok=True)
    log_path = workdir / "requests.jsonl"
    command = [
        sys.executable,
        str(SERVER_SCRIPT),
        "--port-file",
        str(port_file),
        "--log",
        str(log_path),
        "--latency-ms",
        str(latency_ms),
    ]
    if rules:
        (workdir / "rules.json").write_text(json.dumps(rules, ensure_ascii=False), encoding="utf-8")
        command += ["--rules", str(workdir / "rules.json")]
    if kill_pid_file and kill_after:
        command += ["--kill-pid-file", str(kill_pid_file), "--kill-after", str(kill_after)]
    process = subprocess.Popen(command)
    try:
        deadline = time.monotonic() + 20
        while not port_file.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("guard server did not start")
            time.sleep(0.05)
        yield RunningGuardServer(f"http://127.0.0.1:{port_file.read_text().strip()}/v1", log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
