"""Start the fake images server as a real process on 127.0.0.1 (test and benchmark helper).

Output: a ``RunningImagesServer`` with ``base_url`` and the parsed request log. Side effects: starts a
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

SERVER_SCRIPT = Path(__file__).with_name("fake_images_server.py")


@dataclass
class RunningImagesServer:
    base_url: str
    log_path: Path
    process: subprocess.Popen[bytes]

    def requests(self) -> list[dict[str, Any]]:
        """Every request the server has finished, in order."""
        if not self.log_path.exists():
            return []
        lines = self.log_path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]


@contextmanager
def fake_images_server(
    workdir: Path, latency_ms: float = 0.0, faults: dict[str, str] | None = None
) -> Iterator[RunningImagesServer]:
    """Run the fake images server for the duration of the ``with`` block."""
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
    if faults:
        faults_file = workdir / "faults.json"
        faults_file.write_text(json.dumps(faults, ensure_ascii=False), encoding="utf-8")
        command += ["--faults", str(faults_file)]
    process = subprocess.Popen(command)
    try:
        deadline = time.monotonic() + 20
        while not port_file.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("fake images server did not start")
            time.sleep(0.05)
        yield RunningImagesServer(f"http://127.0.0.1:{port_file.read_text().strip()}/v1", log_path, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
