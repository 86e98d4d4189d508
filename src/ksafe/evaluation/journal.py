"""Append-only journal of finished target answers: the resumption state of ``ksafe eval``.

Input: records (JSON objects) appended by the engine as answers arrive. Output: ``*.jsonl`` files,
one record a line, each written by a single ``os.write`` on an ``O_APPEND`` descriptor (a line is
never interleaved with another; a crash can at most leave the last line torn, and the reader skips
it). ``fsync`` runs at most every ``fsync_every`` seconds and on close, so a machine crash loses
at most that window; a process crash loses nothing that was written.
Side effects: creates and appends files; ``run_lock`` holds an exclusive ``flock`` on a lock file.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ksafe.clients.codec import dumps_line, loads
from ksafe.fileio import exclusive_lock


class Journal:
    """An append-only JSON-lines file with atomic line writes and periodic fsync."""

    def __init__(self, path: Path, fsync_every: float = 1.0) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.fsync_every = fsync_every
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._last_sync = time.monotonic()
        self._dirty = False

    def append(self, record: dict[str, Any]) -> None:
        """Write ``record`` as one line (one ``write`` call); fsync when the window has passed."""
        # orjson (UTF-8, ~5x faster than json); a lone surrogate in an answer falls back to ASCII escapes
        self.write_line(dumps_line(record))

    def write_line(self, data: bytes) -> None:
        """Write one encoded JSON line (ending in a newline) with one ``write``; fsync when the window has passed."""
        written = os.write(self._fd, data)
        if written != len(data):  # a short write on a regular file: disk full
            raise OSError(f"{self.path}: short write ({written} of {len(data)} bytes)")
        self._dirty = True
        now = time.monotonic()
        if now - self._last_sync >= self.fsync_every:
            os.fsync(self._fd)
            self._last_sync = now
            self._dirty = False

    def close(self) -> None:
        """Fsync and close the file."""
        if self._fd < 0:
            return
        if self._dirty:
            os.fsync(self._fd)
        os.close(self._fd)
        self._fd = -1

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def read_journal(path: Path) -> list[dict[str, Any]]:
    """Return the complete records of a journal file (a torn last line is skipped)."""
    if not path.exists():
        return []
    records: list[dict[str, Any]] = []
    for line in path.read_bytes().split(b"\n"):
        if not line.strip():
            continue
        try:
            value = loads(line)
        except ValueError:
            continue  # torn by a crash mid-write: that answer was never complete
        if isinstance(value, dict):
            records.append(value)
    return records


def has_choices(output: dict[str, Any]) -> bool:
    """Whether a journaled model output holds an answer (an Inspect ``ModelOutput`` with choices)."""
    return bool(output.get("choices"))


def read_journals(
    directory: Path, pattern: str = "*.jsonl", is_answer: Callable[[dict[str, Any]], bool] | None = None
) -> dict[str, dict[str, Any]]:
    """Merge every journal file in ``directory`` into one state per sample ``id``.

    The state holds ``output`` (the answer) or ``error`` (the last failure, when no answer came),
    and ``scores`` (judge name -> the judge's score of the answer, when judged). An answer is final: a
    later error record for the same sample never replaces it; an output ``is_answer`` rejects (eval passes
    ``has_choices``: a reply without choices journaled by ksafe before it checked replies) is an error.
    Score records merge per judge, the later
    one winning (a re-judged ``judge_error`` replaces the failure). Files are read oldest first (a run
    never appends to an earlier run's file), so "later" is the order the records were written in.
    """
    state: dict[str, dict[str, Any]] = {}
    paths = sorted(directory.glob(pattern), key=lambda p: (p.stat().st_mtime_ns, p.name))
    for path in paths:
        for record in read_journal(path):
            entry = state.setdefault(str(record.get("id", "")), {})
            if isinstance(record.get("scores"), dict):
                entry.setdefault("scores", {}).update(record["scores"])
            elif isinstance(record.get("output"), dict) and is_answer is not None and not is_answer(record["output"]):
                # a reply without choices journaled by an older ksafe: not an answer, so asked again
                if entry.get("output") is None:
                    entry["error"] = "MalformedReplyError: the provider's reply holds no choices (no answer)"
            elif record.get("output") is not None:
                entry["output"] = record["output"]
                entry.pop("error", None)
            elif record.get("error") is not None and entry.get("output") is None:
                entry["error"] = record["error"]
    return state


@contextmanager
def run_lock(out: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``out`` (two ``ksafe eval`` on one run directory would answer twice).

    Raises:
        KsafeError: Another process holds the lock.
    """
    out.mkdir(parents=True, exist_ok=True)
    with exclusive_lock(out / ".lock", f"{out}: another ksafe eval is running on this run directory"):
        yield
