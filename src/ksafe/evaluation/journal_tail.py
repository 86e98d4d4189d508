"""Follow journal files as other processes append to them: the complete records added since the last read.

Input: journal files (given, or every ``*.jsonl`` of a folder), which may not exist yet. Output: the new
complete records (a line still being written is kept until its end arrives; a torn line is skipped, as
``journal.read_journal`` does). Side effects: reads the files; nothing is written.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any


class JournalTail:
    """New records of journal files, read incrementally (no channel between the writers and the reader)."""

    def __init__(self, folder: Path | None = None, paths: Iterable[Path] = ()) -> None:
        """Follow ``paths``, or (``folder``) every ``*.jsonl`` file the folder holds at each read."""
        self.folder = folder
        self.paths = list(paths)
        self._offsets: dict[Path, int] = {}
        self._partial: dict[Path, bytes] = {}

    def skip_existing(self) -> None:
        """Start after what the files hold now (earlier runs' records are not followed)."""
        for path in self._files():
            try:
                self._offsets[path] = path.stat().st_size
            except OSError:
                continue

    def _files(self) -> list[Path]:
        return sorted(self.folder.glob("*.jsonl")) if self.folder is not None else self.paths

    def read(self) -> list[dict[str, Any]]:
        """The complete records appended since the last read, file by file."""
        records: list[dict[str, Any]] = []
        for path in self._files():
            start = self._offsets.get(path, 0)
            try:
                with path.open("rb") as handle:
                    handle.seek(start)
                    data = handle.read()
            except OSError:  # not created yet
                continue
            if not data:
                continue
            self._offsets[path] = start + len(data)
            lines = (self._partial.pop(path, b"") + data).split(b"\n")
            if lines[-1]:
                self._partial[path] = lines[-1]  # a line still being written
            for line in lines[:-1]:
                try:
                    value = json.loads(line)
                except ValueError:
                    continue  # torn by a killed process; the journal reader skips it too
                if isinstance(value, dict):
                    records.append(value)
        return records
