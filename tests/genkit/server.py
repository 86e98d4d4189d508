"""Start the scripted generator server as a process on 127.0.0.1 (test and benchmark helper).

Output: a ``RunningGenerator`` with the environment that points ``openai-api/scripted/<model>`` at it, and the
parsed request log. Side effects: starts a subprocess, stopped (by its pid) when the context exits.
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

SCRIPT = Path(__file__).with_name("scripted_generator.py")
MODEL = "openai-api/scripted/gen-1"
"""The model string tests use (``SCRIPTED_BASE_URL`` and ``SCRIPTED_API_KEY`` point it at the server)."""

SECRET = "sk-scripted-4f9a2c7e1b"
"""The API key tests send; it must never appear in a built file or in output."""


@dataclass
class RunningGenerator:
    base_url: str
    log_path: Path
    process: subprocess.Popen[bytes]

    @property
    def env(self) -> dict[str, str]:
        """Environment variables for the ``openai-api/scripted/...`` provider."""
        return {"SCRIPTED_BASE_URL": self.base_url, "SCRIPTED_API_KEY": SECRET}

    def requests(self) -> list[dict[str, Any]]:
        """Every request the server has finished (or dropped), in order."""
        if not self.log_path.exists():
            return []
        return [json.loads(line) for line in self.log_path.read_text(encoding="utf-8").splitlines() if line.strip()]


@contextmanager
def scripted_generator(
    workdir: Path,
    latency_ms: float = 0.0,
    faults: dict[str, str] | None = None,
    kill_pid_file: Path | None = None,
    kill_after: int = 0,
) -> Iterator[RunningGenerator]:
    """Run the scripted generator for the duration of the ``with`` block."""
    workdir.mkdir(parents=True, exist_ok=True)
    port_file = workdir / "port"
    port_file.unlink(missing_ok=True)
    log_path = workdir / "requests.jsonl"
    command = [sys.executable, str(SCRIPT), "--port-file", str(port_file), "--log", str(log_path)]
    command += ["--latency-ms", str(latency_ms)]
    if faults:
        faults_file = workdir / "faults.json"
        faults_file.write_text(json.dumps(faults), encoding="utf-8")
        command += ["--faults", str(faults_file)]
    if kill_pid_file and kill_after:
        command += ["--kill-pid-file", str(kill_pid_file), "--kill-after", str(kill_after)]
    process = subprocess.Popen(command)
    try:
        deadline = time.monotonic() + 20
        while not port_file.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("scripted generator did not start")
            time.sleep(0.05)
        yield RunningGenerator(f"http://127.0.0.1:{port_file.read_text().strip()}/v1", log_path, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
