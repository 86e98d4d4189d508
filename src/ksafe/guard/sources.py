"""The items of a guard run as numbered units, each built when a worker first needs it.

Input: a benchmark (directory, parquet or name) with filters, or the items of an eval run's answers. Output:
an ``ItemSource``: ``len`` units, ``unit(i)`` the ``GuardItem``s of unit ``i`` (a benchmark line: one item, or
a G item once per version asked; or one prepared item), ``items()`` all of them in order. Side effects: reads
``items.jsonl`` and the manifest once, when the source is made; checks image paths as units are built.

Why units: reading and checking 5,000 benchmark lines takes ~0.15 s of CPU, as long as three rounds of guard
calls. An unfiltered benchmark directory (the common case, with or without ``--limit``) is read as raw lines
up front (one read, its SHA-256 checked against the manifest) and each line is parsed and checked only when
a worker takes it, so the first calls go out after a few lines instead of after all of them, and each forked
worker parses only the lines it asks about. A filtered selection, a parquet file and ``--responses`` need
every record before the first is chosen: their items are built first (``ListSource``). See
docs/design/guard.md (*fifth pass*).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ksafe.errors import KsafeError
from ksafe.evaluation.dataset import (
    ITEMS_FILE,
    ItemFilter,
    check_filter,
    parse_item_line,
    read_item_lines,
    resolve_benchmark_path,
    sample_indices,
    unfiltered,
)
from ksafe.guard.items import GuardItem, ImagePaths, benchmark_items, guard_items
from ksafe.schema.records import GVersion


class ItemSource:
    """Numbered units of guard items; ``unit(i)`` is built once per process (a forked worker builds its own)."""

    def __init__(self, name: str, culture: str, count: int, per_unit: int) -> None:
        self.name = name
        """The benchmark's name."""
        self.culture = culture
        """The benchmark's culture pack code."""
        self._units: list[list[GuardItem] | None] = [None] * count
        self._per_unit = per_unit
        self._next = 0
        """Units before this one are built (``prefetch``)."""

    def __len__(self) -> int:
        return len(self._units)

    @property
    def most_items(self) -> int:
        """An upper bound of the guard items the units hold (a G line yields up to one per version asked)."""
        return len(self._units) * self._per_unit

    def unit(self, index: int) -> list[GuardItem]:
        """The guard items of unit ``index``, built on first use.

        Raises:
            KsafeError: the unit's line is not a valid item, or its image path leaves the benchmark folder.
        """
        built = self._units[index]
        if built is None:
            built = self._units[index] = self._build(index)
        return built

    def prefetch(self, count: int) -> bool:
        """Build up to ``count`` of the units not built yet; False once every unit is built (and checked)."""
        units = self._units
        while count > 0 and self._next < len(units):
            if units[self._next] is None:
                self.unit(self._next)
                count -= 1
            self._next += 1
        if self._next < len(units):
            return True
        return self._check_rest(count)

    def items(self) -> list[GuardItem]:
        """Every unit's guard items in order (building those not built yet).

        Raises:
            KsafeError: a line is not a valid item, an image path is bad, or no item is left to classify.
        """
        while self.prefetch(1 << 30):
            pass
        found = [item for index in range(len(self._units)) for item in self.unit(index)]
        if not found:
            raise KsafeError(f"benchmark: {self.name}: no item passes the filters")
        return found

    def _build(self, index: int) -> list[GuardItem]:
        raise NotImplementedError

    def _check_rest(self, budget: int) -> bool:
        """Check what lies outside the units (lines left out of the sample); True while some is left."""
        return False


class ListSource(ItemSource):
    """Items built up front: one unit each (a filtered selection, a parquet benchmark, an eval run's answers)."""

    def __init__(self, name: str, culture: str, items: Sequence[GuardItem]) -> None:
        super().__init__(name, culture, len(items), 1)
        self._units = [[item] for item in items]
        self._next = len(items)


class BenchmarkLines(ItemSource):
    """The lines of an unfiltered benchmark directory's ``items.jsonl``, each parsed when first needed."""

    def __init__(
        self,
        name: str,
        culture: str,
        items_path: Path,
        lines: list[tuple[int, bytes]],
        chosen: list[int] | None,
        g_versions: Sequence[GVersion],
        images: ImagePaths,
    ) -> None:
        super().__init__(name, culture, len(lines) if chosen is None else len(chosen), max(1, len(g_versions)))
        self._path = items_path
        self._lines = lines
        self._chosen = chosen
        self._g_versions = tuple(g_versions)
        self._images = images
        self._rest = [] if chosen is None else sorted(set(range(len(lines))) - set(chosen))
        """Lines left out of the sample: still checked (a broken line fails the run, sampled or not)."""
        self._rest_next = 0

    def _build(self, index: int) -> list[GuardItem]:
        number, line = self._lines[index if self._chosen is None else self._chosen[index]]
        return guard_items(parse_item_line(self._path, number, line), self._g_versions, self._images)

    def _check_rest(self, budget: int) -> bool:
        while budget > 0 and self._rest_next < len(self._rest):
            number, line = self._lines[self._rest[self._rest_next]]
            parse_item_line(self._path, number, line)
            self._rest_next += 1
            budget -= 1
        return self._rest_next < len(self._rest)


def benchmark_source(benchmark: str, item_filter: ItemFilter) -> ItemSource:
    """The guard items of a benchmark with ``item_filter``: read line by line where nothing is filtered.

    Raises:
        KsafeError: the benchmark is missing or does not match its manifest, the sample size is under 1,
            a filter value is unknown, or nothing passes the filters.
    """
    path = resolve_benchmark_path(benchmark)
    if not (path.is_dir() and (path / ITEMS_FILE).is_file() and unfiltered(item_filter)):
        name, culture, items = benchmark_items(benchmark, item_filter)
        return ListSource(name, culture, items)
    check_filter((), item_filter)  # the sample size (no field is filtered)
    manifest, lines = read_item_lines(path)
    if not lines:
        raise KsafeError(f"benchmark: {benchmark}: no item passes the filters")
    chosen = sample_indices(len(lines), item_filter)
    images = ImagePaths(path.resolve())
    return BenchmarkLines(
        manifest.name, manifest.culture, path / ITEMS_FILE, lines, chosen, item_filter.g_versions, images
    )
