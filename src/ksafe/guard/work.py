"""One guard's pending (journal id, conversation) pairs, taken unit by unit from an ``ItemSource``.

Input: the run's ``ItemSource``, the views the guard is asked in, the guard's journal state (read once, before
any worker starts) and a counter of units taken. Output: ``iter(work)`` yields the pairs still without a
verdict, in unit order, each unit built when it is taken. Side effects: none beyond the source's.

Forked workers each hold a copy of the same source and state and one counter in shared memory
(``SharedCounter``): a worker takes the next ``chunk`` units when it needs work, so each unit is asked by
exactly one worker, and a worker that gets less CPU (the machine's other load, a later start) asks fewer.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from ksafe.guard.formats.base import Conversation
from ksafe.guard.items import record_id
from ksafe.guard.sources import ItemSource


class LocalCounter:
    """The next unit nobody has taken, in one process."""

    def __init__(self) -> None:
        self.value = 0

    def take(self, count: int) -> int:
        """Take ``count`` units; returns the first."""
        start = self.value
        self.value = start + count
        return start


class SharedCounter:
    """The next unit nobody has taken, shared by forked workers (a ``multiprocessing.Value`` with its lock)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def take(self, count: int) -> int:
        """Take ``count`` units; returns the first."""
        with self.value.get_lock():
            start = int(self.value.value)
            self.value.value = start + count
        return start


class GuardWork:
    """The pairs one guard still has to answer: ``iter`` takes units from ``counter`` until none is left."""

    def __init__(
        self,
        source: ItemSource,
        views: Sequence[str],
        state: Mapping[str, Mapping[str, Any]],
        counter: LocalCounter | SharedCounter | None = None,
        chunk: int = 8,
    ) -> None:
        self.source = source
        self.views = tuple(views)
        self.state = state
        """Journal id -> its last record (``output`` or ``error``), read before any worker started."""
        self.counter = counter or LocalCounter()
        self.chunk = max(1, chunk // max(1, len(self.views)))
        """Units per take (~``chunk`` pairs with every view)."""

    def __len__(self) -> int:
        """An upper bound of the pairs (every item in every view, before the journal is consulted)."""
        return self.source.most_items * len(self.views)

    def estimate(self) -> int:
        """About how many pairs are left (an upper bound less the verdicts already in the journal)."""
        done = sum(1 for record in self.state.values() if record.get("output") is not None)
        return max(0, len(self) - done)

    def shared(self, counter: SharedCounter) -> GuardWork:
        """The same work with a counter shared by forked workers."""
        return GuardWork(self.source, self.views, self.state, counter, self.chunk * len(self.views))

    def __iter__(self) -> Iterator[tuple[str, Conversation]]:
        """The pairs this worker takes, chunk by chunk of units, until every unit is taken."""
        source, views, state = self.source, self.views, self.state
        while True:
            start = self.counter.take(self.chunk)
            if start >= len(source):
                return
            for index in range(start, min(start + self.chunk, len(source))):
                items = source.unit(index)
                for view in views:
                    for item in items:
                        rid = record_id(view, item.key)
                        record = state.get(rid)
                        if record is None:
                            yield rid, item.conversation(view)
                        elif record.get("output") is None:  # failed last time: asked past the response cache
                            yield rid, replace(item.conversation(view), fresh=True)


def pending_pairs(source: ItemSource, views: Sequence[str], state: Mapping[str, Mapping[str, Any]]) -> int:
    """The exact number of pairs without a verdict (builds every unit of ``source``)."""
    return sum(1 for _ in GuardWork(source, views, state))
