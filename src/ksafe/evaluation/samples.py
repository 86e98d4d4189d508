"""Benchmark items -> Inspect samples.

Input: selected ``BenchmarkItem`` records and the benchmark root. Output: ``inspect_ai.dataset.Sample``
objects whose single user turn holds the image (as a file path, so logs never inline base64) and the
text together; in the text-only ablation, the turn holds only the wrapped text with the key phrase
inline. Side effects: none.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import ChatMessageUser, ContentImage, ContentText
from pydantic import ConfigDict, ValidationError

from ksafe.errors import KsafeError
from ksafe.schema.base import FrozenRecord
from ksafe.schema.records import BenchmarkItem, GVersion

TEXT_ONLY_KIND = "text_only"


def sample_id(item: BenchmarkItem, g_version: GVersion | None) -> str:
    """Return the Inspect sample id of ``item`` in ``g_version`` (stable across runs)."""
    return f"{item.id}-{g_version}" if g_version else item.id


class SampleInfo(FrozenRecord):
    """What a sample carries about its item (Inspect ``Sample.metadata``): all a judge and a result need.

    Written from the typed ``BenchmarkItem`` and read back typed (``SampleInfo.of``), never as loose
    dictionary lookups. Unknown keys are ignored so logs of other ksafe versions still read.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    item_id: str
    culture: str
    language: str
    subset: str
    domain: str
    category: str
    strategy: str
    image_kind: str
    """The item's image kind, or ``text_only`` in the text-only ablation."""
    g_version: GVersion | None = None
    is_harmful: bool
    text: str
    """The text sent with the image."""
    key_phrase: str
    topic: str
    pair_id: str
    benign_kind: str | None = None
    """``plain``, ``borderline`` or ``jailbreak`` for benign items (None: harmful, or an older benchmark)."""
    minors: bool = False
    """The item involves children or teenagers."""

    @classmethod
    def of(cls, metadata: dict[str, Any] | None) -> SampleInfo:
        """The typed info of a logged sample's metadata.

        Raises:
            KsafeError: The metadata is not a ksafe sample's (names the first bad field).
        """
        try:
            return cls.model_validate(metadata or {})
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"])
            raise KsafeError(f"sample metadata: {field}: {first['msg']} (not a ksafe_mm sample)") from None


def item_metadata(
    item: BenchmarkItem,
    g_version: GVersion | None,
    text: str,
    language: str,
    key_phrase: str,
    text_only: bool,
) -> dict[str, Any]:
    """Sample metadata: a ``SampleInfo`` as JSON (everything a judge and ``ScoredResponse`` need, nothing binary)."""
    info = SampleInfo(
        item_id=item.id,
        culture=item.culture,
        language=language,
        subset=item.subset,
        domain=item.domain,
        category=item.category,
        strategy=item.strategy,
        image_kind=TEXT_ONLY_KIND if text_only else item.image_kind,
        g_version=g_version,
        is_harmful=item.is_harmful,
        text=text,
        key_phrase=key_phrase,
        topic=item.topic,
        pair_id=item.pair_id,
        benign_kind=item.benign_kind,
        minors=item.minors,
    )
    return info.model_dump(mode="json")


def image_path(root: Path, relative: str, item_id: str) -> str:
    """Resolve an item's image path inside the benchmark folder ``root`` (or ksafe's parquet image cache).

    Image paths come from a data file: one that leaves the folder (``../photo.png``, an absolute path, a
    symlink pointing out) would send a file the user never meant to share to the model.

    Raises:
        KsafeError: one line naming the item and the path: outside the benchmark, or missing.
    """
    # os.path on strings, the allowed folders resolved once: ~3x less CPU than pathlib per item (2,000 items)
    base = os.path.abspath(root)
    resolved = os.path.realpath(relative if os.path.isabs(relative) else os.path.join(base, relative))
    if not relative or not (_inside(resolved, _real(base)) or _inside(resolved, _real(_image_cache()))):
        raise KsafeError(f"item {item_id}: image: {relative!r}: outside the benchmark folder {root}; refused")
    if not os.path.isfile(resolved):
        raise KsafeError(f"item {item_id}: image: {relative!r}: file not found under {root}")
    return resolved


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _image_cache() -> str:
    from ksafe.evaluation.dataset import image_cache_dir

    return str(image_cache_dir())


@lru_cache(maxsize=16)
def _real(folder: str) -> str:
    """``folder`` with symlinks resolved (the benchmark's, or the parquet image cache), once per process."""
    return os.path.realpath(folder)


def item_to_samples(
    item: BenchmarkItem, root: Path, g_versions: Sequence[GVersion], text_only: bool = False
) -> list[Sample]:
    """Return the samples of one item: one per requested G version (G items), else one.

    Args:
        item: The benchmark item.
        root: Directory the item's image paths are relative to.
        g_versions: G versions to evaluate (ignored for C items).
        text_only: Send the key phrase in text instead of the image.
    """
    versions: list[GVersion | None]
    if item.subset == "G":
        versions = []  # filled below
        for g_version in g_versions:
            try:
                item.variant(g_version)
                versions.append(g_version)
            except KeyError:
                continue
    else:
        versions = [None]
    samples = []
    for version in versions:
        variant = item.variant(version) if version else None
        text = (
            (variant.text_only if text_only else variant.text)
            if variant
            else (item.text_only if text_only else item.text)
        )
        image = variant.image if variant else item.image
        language = variant.language if variant else item.language
        key_phrase = variant.key_phrase if variant else item.key_phrase
        if text_only:
            content: str | list[ContentImage | ContentText] = text
        else:
            content = [ContentImage(image=image_path(root, image, item.id)), ContentText(text=text)]
        samples.append(
            Sample(
                id=sample_id(item, version),
                input=[ChatMessageUser(content=content)],  # type: ignore[arg-type]
                target="refuse" if item.is_harmful else "answer",
                metadata=item_metadata(item, version, text, language, key_phrase, text_only),
            )
        )
    return samples


def build_dataset(
    items: Sequence[BenchmarkItem],
    root: Path,
    g_versions: Sequence[GVersion],
    text_only: bool = False,
    name: str = "ksafe",
) -> MemoryDataset:
    """Return an Inspect dataset of every sample of ``items``."""
    samples: list[Sample] = []
    for item in items:
        samples.extend(item_to_samples(item, root, g_versions, text_only))
    return MemoryDataset(samples, name=name)


def write_samples(path: Path, samples: Sequence[Sample]) -> None:
    """Write a run's samples (``RUN_DIR/samples.jsonl``), one Inspect ``Sample`` as JSON a line, atomically.

    The run's typed items as its filters selected them (the request with image file paths, the target and
    the ``SampleInfo`` metadata): with the journal, everything results are computed from.
    """
    from ksafe.fileio import write_text_atomic

    write_text_atomic(path, "".join(s.model_dump_json(exclude_none=True) + "\n" for s in samples))


def read_samples(path: Path) -> list[Sample]:
    """Read ``RUN_DIR/samples.jsonl`` back (each line's metadata checked as a ``SampleInfo``).

    Raises:
        KsafeError: one line naming the file and line: not JSON, or not a ksafe sample.
    """
    import json

    samples: list[Sample] = []
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                SampleInfo.of(row.get("metadata"))  # a foreign or damaged line fails here, naming the field
                messages = [ChatMessageUser.model_validate(m) for m in row["input"]]
                samples.append(Sample(id=row["id"], input=messages, target=row["target"], metadata=row["metadata"]))  # type: ignore[arg-type]
            except (ValueError, KeyError, TypeError, AttributeError, KsafeError) as exc:
                reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
                raise KsafeError(
                    f"{path}:{number}: not a ksafe sample ({reason}); rerun `ksafe eval` into a new --out"
                ) from None
    return samples
