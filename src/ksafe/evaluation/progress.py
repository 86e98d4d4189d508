"""A progress bar for the answer loop of ``ksafe eval``, fed by the journal.

Input: a model's journal folder and the number of samples this run asks. Output: a rich progress bar on
stderr (answered / asked, failed so far, elapsed, remaining time), refreshed a few times a second. Side
effects: a daemon thread reads the bytes the answering processes append to the journal; nothing is written.

The journal is the one record every answering process (forked or not) already keeps, so following it
needs no channel between processes: every sample asked in this run ends as exactly one new answer record
(``{"id", "t", "output"}``) or error record (``{"id", "t", "error"}``); score records are not counted.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

from ksafe.evaluation.journal_tail import JournalTail

POLL_SECONDS = 0.25


class JournalProgress:
    """Show how many of ``total`` samples the run has answered, following ``journal_dir``.

    Use as a context manager around the answer loop; with ``enabled`` False it does nothing.
    """

    def __init__(self, journal_dir: Path, total: int, label: str, enabled: bool = True) -> None:
        self.journal_dir = journal_dir
        self.total = total
        self.label = label
        self.enabled = enabled and total > 0
        self.answered = 0
        self.failed = 0
        self._tail = JournalTail(journal_dir)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> JournalProgress:
        self.start()
        return self

    @contextlib.contextmanager
    def deferred(self) -> Iterator[JournalProgress]:
        """Like ``with progress:``, but the bar and its thread start only when ``start()`` is called."""
        try:
            yield self
        finally:
            self.__exit__(None, None, None)

    def start(self) -> None:
        """Show the bar and start following the journal (no-op when disabled or already started)."""
        if not self.enabled or self._thread is not None:
            return
        from rich.console import Console
        from rich.markup import escape
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._tail.skip_existing()  # earlier runs' records are not this run's progress
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("failed {task.fields[failed]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
        )
        self._task = self._progress.add_task(f"answering {escape(self.label)}", total=self.total, failed=0)
        self._progress.start()
        self._thread = threading.Thread(target=self._follow, daemon=True)
        self._thread.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if not self.enabled or self._thread is None:
            return
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.poll()
        self._progress.stop()

    def _follow(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            self.poll()

    def poll(self) -> None:
        """Count the answer and error records appended since the last poll and update the bar."""
        for record in self._tail.read():
            if "output" in record:
                self.answered += 1
            elif "error" in record:
                self.failed += 1
        if self._progress is not None:
            self._progress.update(self._task, completed=self.answered + self.failed, failed=self.failed)
