"""The scripted servers' kill -9 hook waits until the client has stored every reply it received, however
slowly the client journals (a fixed grace lost that race on a loaded machine and made kill tests flaky)."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import threading
import time
from pathlib import Path

from serverkit.http import grace_before_kill, journaled_outputs, wait_gone


def _append(path: Path, records: list[dict[str, object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("".join(json.dumps(r) + "\n" for r in records))


def test_only_complete_lines_with_an_output_count(tmp_path: Path) -> None:
    journal = tmp_path / "journal"
    _append(journal / "target" / "answers-0.jsonl", [{"id": "a", "output": {}}, {"id": "b", "scores": {}}])
    _append(journal / "guard" / "verdicts-1.jsonl", [{"id": "c", "output": {}}])
    with (journal / "guard" / "verdicts-1.jsonl").open("a") as handle:
        handle.write('{"id": "d", "output"')  # torn last line: not stored yet
    assert journaled_outputs(journal) == 2


def test_the_kill_waits_for_a_slow_client_to_store_its_answers(tmp_path: Path) -> None:
    journal = tmp_path / "journal"
    stored_at: list[float] = []

    def slow_client() -> None:  # stores its 3 answers 1.5 s after receiving them (a loaded machine)
        time.sleep(1.5)
        _append(journal / "target" / "answers-0.jsonl", [{"id": str(i), "output": {}} for i in range(3)])
        stored_at.append(time.monotonic())

    writer = threading.Thread(target=slow_client)
    writer.start()
    asyncio.run(grace_before_kill(str(journal), lambda: 3, timeout=30))
    killed_at = time.monotonic()
    writer.join()
    assert stored_at and killed_at >= stored_at[0]  # a fixed 0.5 s grace would have killed first


def test_the_grace_has_a_limit(tmp_path: Path) -> None:
    started = time.monotonic()
    asyncio.run(grace_before_kill(str(tmp_path / "journal"), lambda: 1, timeout=0.3))
    assert time.monotonic() - started < 5


def test_the_client_is_gone_only_once_reaped(tmp_path: Path) -> None:
    """A killed client whose workers still hold its pipes is not reaped yet: the server keeps holding requests."""
    client = subprocess.Popen(["sleep", "30"])
    client.send_signal(signal.SIGKILL)
    reaped_at: list[float] = []

    def reap_late() -> None:  # as Popen.communicate does once the dying workers closed the pipes
        time.sleep(1.0)
        client.wait()
        reaped_at.append(time.monotonic())

    reaper = threading.Thread(target=reap_late)
    reaper.start()
    asyncio.run(wait_gone(client.pid, timeout=30))
    gone_at = time.monotonic()
    reaper.join()
    assert reaped_at and gone_at >= reaped_at[0]
