"""Read a built benchmark and turn its items into Inspect samples.

Input: a benchmark directory (``items.jsonl``, ``images/``, ``manifest.json``) or one of its parquet
files. Output: ``BenchmarkItem`` records, filtered and sampled, then Inspect ``Sample`` objects where
one user turn holds the image and the text together (or, in the text-only ablation, the text with
the key phrase inline). Side effects: when reading a parquet file whose rows carry image bytes, the
images are written once, content-addressed, under ``$KSAFE_CACHE_DIR/images`` (default
``~/.cache/ksafe/images``) so that logs hold a file path, never base64 data.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ksafe.errors import KsafeError
from ksafe.schema.records import G_VERSIONS, BenchmarkItem, GVersion, Manifest

ITEMS_FILE = "items.jsonl"
MANIFEST_FILE = "manifest.json"


@dataclass(frozen=True)
class Benchmark:
    """A loaded benchmark: its items and where their images live."""

    name: str
    """Benchmark name (manifest name, or the directory name)."""
    culture: str
    """Culture pack code."""
    root: Path
    """Directory image paths are relative to."""
    items: tuple[BenchmarkItem, ...]
    """Every item, in file order."""


@dataclass(frozen=True)
class ItemFilter:
    """Which items to evaluate. Empty tuples mean "all"."""

    subsets: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    strategies: tuple[str, ...] = ()
    image_kinds: tuple[str, ...] = ()
    harmful: bool | None = None
    """True: harmful only; False: benign only; None: both."""
    g_versions: tuple[GVersion, ...] = ("contextualized",)
    """G versions to evaluate; each G item yields one sample per version."""
    sample_size: int | None = None
    """Seeded random sample of this many items (after filtering)."""
    seed: int = 0

    def keeps(self, item: BenchmarkItem) -> bool:
        """Return True when ``item`` passes every filter."""
        checks = (
            (self.subsets, item.subset),
            (self.domains, item.domain),
            (self.categories, item.category),
            (self.strategies, item.strategy),
            (self.image_kinds, item.image_kind),
        )
        if any(allowed and value not in allowed for allowed, value in checks):
            return False
        return self.harmful is None or item.is_harmful == self.harmful


def resolve_benchmark_path(benchmark: str | Path) -> Path:
    """Return the benchmark directory or parquet file ``benchmark`` names.

    A bare name (``ksafe-mm-ko``) is looked up as a directory in the working directory and under
    ``$KSAFE_BENCHMARKS_DIR``.
    """
    path = Path(benchmark).expanduser()
    if path.exists():
        return path
    env_dir = os.environ.get("KSAFE_BENCHMARKS_DIR")
    if env_dir and (Path(env_dir) / str(benchmark)).exists():
        return Path(env_dir) / str(benchmark)
    raise KsafeError(
        f"benchmark: {benchmark!s}: no such directory or parquet file "
        "(build one with `ksafe build`, or set KSAFE_BENCHMARKS_DIR)"
    )


def load_benchmark(benchmark: str | Path) -> Benchmark:
    """Load every item of a benchmark directory or parquet file.

    Raises:
        KsafeError: the path is missing, or a row is not a valid ``BenchmarkItem``.
    """
    path = resolve_benchmark_path(benchmark)
    if path.is_dir():
        return _load_directory(path)
    if path.suffix == ".parquet":
        return _load_parquet(path)
    raise KsafeError(f"benchmark: {path}: expected a benchmark directory or a .parquet file")


def _load_directory(directory: Path) -> Benchmark:
    items_path = directory / ITEMS_FILE
    if not items_path.exists():
        parquets = sorted((directory / "data").glob("*.parquet"))
        if parquets:
            return _load_parquet(*parquets)  # every shard: a full build writes several
        raise KsafeError(f"{items_path}: missing (not a benchmark directory)")
    manifest, lines = read_item_lines(directory)
    items = [parse_item_line(items_path, number, line) for number, line in lines]
    return Benchmark(name=manifest.name, culture=manifest.culture, root=directory.resolve(), items=tuple(items))


def read_item_lines(directory: Path) -> tuple[Manifest, list[tuple[int, bytes]]]:
    """The manifest and the non-blank lines of ``items.jsonl`` (numbered from 1), read once and checked
    against the manifest's SHA-256 (a build that did not finish, or a mix of two, is refused).

    Raises:
        KsafeError: the manifest is missing or invalid, or ``items.jsonl`` does not match it.
    """
    items_path = directory / ITEMS_FILE
    data = items_path.read_bytes()
    manifest = _verified_manifest(directory, items_path, hashlib.sha256(data).hexdigest())
    # bytes.splitlines splits where text mode's universal newlines do (JSON strings hold neither CR nor LF)
    lines = [(number, line) for number, line in enumerate(data.splitlines(), start=1) if line.strip()]
    return manifest, lines


def parse_item_line(items_path: Path, number: int, line: bytes) -> BenchmarkItem:
    """Line ``number`` of ``items_path`` as a ``BenchmarkItem``.

    Raises:
        KsafeError: ``<file>:<line>: <field>: <message>`` when the line is not a valid item.
    """
    try:
        return BenchmarkItem.model_validate_json(line)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(part) for part in first["loc"])
        raise KsafeError(f"{items_path}:{number}: {loc}: {first['msg']}") from None


def _verified_manifest(directory: Path, items_path: Path, items_sha256: str) -> Manifest:
    """The manifest, checked against ``items.jsonl``'s digest."""
    manifest_path = directory / MANIFEST_FILE
    if not manifest_path.is_file():
        raise KsafeError(f"{manifest_path}: missing: the build did not finish; rerun the same `ksafe build`")
    try:
        manifest = Manifest.model_validate_json(manifest_path.read_bytes())
    except (ValidationError, ValueError) as exc:
        message = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
        raise KsafeError(f"{manifest_path}: not a ksafe manifest ({message})".splitlines()[0]) from None
    if items_sha256 != manifest.items_sha256:
        raise KsafeError(
            f"{items_path}: does not match {MANIFEST_FILE} (SHA-256 differs): the benchmark was changed or its "
            "build did not finish; rerun the same `ksafe build`"
        )
    return manifest


def image_cache_dir() -> Path:
    """Where images embedded in parquet rows are written (content-addressed), once."""
    base = os.environ.get("KSAFE_CACHE_DIR") or str(Path.home() / ".cache" / "ksafe")
    return Path(base) / "images"


def _parquet_row_to_item(row: dict[str, Any], root: Path) -> BenchmarkItem:
    image = row.get("image")
    if isinstance(image, dict):
        data = image.get("bytes")
        relative = image.get("path") or row.get("image_path") or ""
        inside = relative and not Path(relative).is_absolute() and ".." not in Path(relative).parts
        if inside and (root / relative).exists():
            row["image"] = relative  # the benchmark's own image file: no copy needed
        elif data:
            sha = hashlib.sha256(data).hexdigest()
            target = image_cache_dir() / sha[:2] / f"{sha}.png"
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                tmp = target.with_suffix(".tmp")
                tmp.write_bytes(data)
                tmp.replace(target)
            row["image"] = str(target)
        else:
            row["image"] = image.get("path") or ""
    for key in ("variants", "contextualization"):
        if isinstance(row.get(key), str):
            row[key] = json.loads(row[key]) if row[key] else None
    if row.get("variants") is None:
        row["variants"] = ()
    known = BenchmarkItem.model_fields
    return BenchmarkItem.model_validate({k: v for k, v in row.items() if k in known})


def _load_parquet(*paths: Path) -> Benchmark:
    import pyarrow.parquet as pq

    path = paths[0]
    root = path.parent.parent if path.parent.name == "data" else path.parent
    items = []
    for shard in paths:
        for number, row in enumerate(pq.read_table(shard).to_pylist(), start=1):
            try:
                items.append(_parquet_row_to_item(row, root))
            except (ValidationError, ValueError) as exc:
                raise KsafeError(f"{shard}: row {number}: {exc}".splitlines()[0]) from None
    name = root.name if (root / ITEMS_FILE).exists() else path.stem
    culture = items[0].culture if items else ""
    return Benchmark(name=name, culture=culture, root=root.resolve(), items=tuple(items))


_FILTER_FIELDS = (
    ("subsets", "subset"),
    ("domains", "domain"),
    ("categories", "category"),
    ("strategies", "strategy"),
    ("image_kinds", "image_kind"),
)


def check_filter(items: Sequence[BenchmarkItem], item_filter: ItemFilter) -> None:
    """Refuse a filter value no item has (a typo), naming it and the valid values, and a sample of under 1.

    Raises:
        KsafeError: e.g. ``category: 'violnce' is not in this benchmark, so no item matches (valid: ...)``.
    """
    if item_filter.sample_size is not None and item_filter.sample_size < 1:
        raise KsafeError(f"limit: {item_filter.sample_size}: must be at least 1 (leave it out to use every item)")
    for attribute, name in _FILTER_FIELDS:
        wanted: tuple[str, ...] = getattr(item_filter, attribute)
        if not wanted:
            continue  # nothing asked of this field: no need to collect its values (~5 ms per 5,000 items)
        present = sorted({str(getattr(item, name)) for item in items})
        unknown = [value for value in wanted if value not in present]
        if unknown:
            raise KsafeError(
                f"{name}: {unknown[0]!r} is not in this benchmark, so no item matches (valid: {', '.join(present)})"
            )


def select_items(items: Sequence[BenchmarkItem], item_filter: ItemFilter) -> list[BenchmarkItem]:
    """Filter ``items`` and draw the seeded sample, keeping file order.

    Raises:
        KsafeError: a filter value no item has, or a sample size under 1 (``check_filter``).
    """
    check_filter(items, item_filter)
    kept = list(items) if unfiltered(item_filter) else [item for item in items if item_filter.keeps(item)]
    chosen = sample_indices(len(kept), item_filter)
    return kept if chosen is None else [kept[index] for index in chosen]


def unfiltered(item_filter: ItemFilter) -> bool:
    """Whether ``item_filter`` keeps every item (before its sample)."""
    return item_filter.harmful is None and not any(getattr(item_filter, a) for a, _ in _FILTER_FIELDS)


def sample_indices(count: int, item_filter: ItemFilter) -> list[int] | None:
    """The indices (ascending) of the seeded sample of ``count`` kept items, or None when all are kept."""
    if item_filter.sample_size is None or item_filter.sample_size >= count:
        return None
    return sorted(random.Random(item_filter.seed).sample(range(count), item_filter.sample_size))


def parse_choice(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """Turn ``"a,b"`` or ``["a", "b"]`` (or None) into a tuple of names."""
    if value is None:
        return ()
    parts = value.split(",") if isinstance(value, str) else list(value)
    return tuple(part.strip() for part in parts if part and part.strip())


def parse_g_versions(value: str | Iterable[str] | None) -> tuple[GVersion, ...]:
    """Validate G version names (``all`` means the three versions)."""
    names = parse_choice(value) or ("contextualized",)
    if names == ("all",):
        return G_VERSIONS
    bad = [name for name in names if name not in G_VERSIONS]
    if bad:
        raise KsafeError(f"g_version: {bad[0]!r}: expected one of {', '.join(G_VERSIONS)} or all")
    return tuple(name for name in G_VERSIONS if name in names)


def item_filter_from_options(
    *,
    subset: str | None,
    domain: str | None,
    category: str | None,
    strategy: str | None,
    image_kind: str | None,
    items: str,
    g_version: str,
    limit: int | None,
    seed: int,
) -> ItemFilter:
    """The ``ItemFilter`` of the item-selection flags ``ksafe eval`` and ``ksafe guard`` share.

    Raises:
        KsafeError: ``items`` is not harmful, benign or all, or a G version is unknown.
    """
    if items not in ("harmful", "benign", "all"):
        raise KsafeError(f"--items {items!r}: expected harmful, benign or all")
    return ItemFilter(
        subsets=parse_choice(subset),
        domains=parse_choice(domain),
        categories=parse_choice(category),
        strategies=parse_choice(strategy),
        image_kinds=parse_choice(image_kind),
        harmful=None if items == "all" else items == "harmful",
        g_versions=parse_g_versions(g_version),
        sample_size=limit,
        seed=seed,
    )
