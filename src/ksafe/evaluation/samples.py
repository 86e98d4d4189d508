"""Benchmark items -> Inspect samples.

Input: selected ``BenchmarkItem`` records and the benchmark root. Output: ``inspect_ai.dataset.Sample``
objects whose single user turn holds the image (as a file path, so logs never inline base64) and the
text together; in the text-only ablation, the turn holds only the wrapped text with the key phrase
inline. Side effects: none.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import ChatMessageUser, ContentImage, ContentText

from ksafe.errors import KsafeError
from ksafe.schema.records import BenchmarkItem, GVersion

TEXT_ONLY_KIND = "text_only"


def sample_id(item: BenchmarkItem, g_version: GVersion | None) -> str:
    """Return the Inspect sample id of ``item`` in ``g_version`` (stable across runs)."""
    return f"{item.id}-{g_version}" if g_version else item.id


def item_metadata(
    item: BenchmarkItem,
    g_version: GVersion | None,
    text: str,
    language: str,
    key_phrase: str,
    text_only: bool,
) -> dict[str, Any]:
    """Sample metadata: everything a judge and ``ScoredResponse`` need, nothing binary."""
    return {
        "item_id": item.id,
        "culture": item.culture,
        "language": language,
        "subset": item.subset,
        "domain": item.domain,
        "category": item.category,
        "strategy": item.strategy,
        "image_kind": TEXT_ONLY_KIND if text_only else item.image_kind,
        "g_version": g_version,
        "is_harmful": item.is_harmful,
        "text": text,
        "key_phrase": key_phrase,
        "topic": item.topic,
        "pair_id": item.pair_id,
        "benign_kind": item.benign_kind,
        "minors": item.minors,
    }


def _image_path(root: Path, relative: str) -> str:
    path = Path(relative)
    if not path.is_absolute():
        path = root / path
    if not path.exists():
        raise KsafeError(f"image: {relative}: file not found under {root}")
    return str(path.resolve())


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
            content = [ContentImage(image=_image_path(root, image)), ContentText(text=text)]
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
