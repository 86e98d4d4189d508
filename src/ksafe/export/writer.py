"""Write a built benchmark's files, manifest last.

Input: items and image assets. Output: ``items.jsonl``, ``data/*.parquet``, ``README.md``, ``manifest.json``.
Side effects: atomic writes into ``out/.ksafe/staging/``, then one swap into ``out`` (``ksafe.build.outdir``),
so a write that fails (full disk) leaves the earlier benchmark in ``out`` as it was.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ksafe import SCHEMA_VERSION, __version__
from ksafe.build.options import BuildOptions
from ksafe.cultures.loader import CulturePack
from ksafe.export.counts import count_items
from ksafe.fileio import write_text_atomic
from ksafe.schema.base import canonical_json
from ksafe.schema.records import BenchmarkItem, FontInfo, ImageAsset, Manifest

VERSIONED_PACKAGES = (
    "pillow",
    "fonttools",
    "pyarrow",
    "datasets",
    "pydantic",
    "fugashi",
    "unidic-lite",
    "kiwipiepy",
)


def package_versions() -> dict[str, str]:
    """Versions of the packages that shape the output, plus the text-layout libraries."""
    from importlib import metadata

    from PIL import features

    versions = {"ksafe": __version__}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    for lib in ("raqm", "freetype2", "harfbuzz", "fribidi"):
        versions[lib] = str(features.version(lib) or "absent")
    return versions


def write_outputs(
    out: Path,
    options: BuildOptions,
    pack: CulturePack,
    items: list[BenchmarkItem],
    assets: dict[str, ImageAsset],
    report: Callable[[str, int, int | None], None],
    review: dict[str, Any] | None = None,
    image_generation: dict[str, Any] | None = None,
    extra_counts: dict[str, Any] | None = None,
) -> Manifest:
    """Write every output file of a build and return the manifest (``review``: rejections applied, recorded
    under ``counts.review_rejections``)."""
    from ksafe.build.outdir import staging_dir, swap_in
    from ksafe.export.card import render_card
    from ksafe.export.parquet import is_shard_name, write_parquet
    from ksafe.images.fonts import resolve_font

    staging = staging_dir(out)
    lines = "".join(canonical_json(item.model_dump(mode="json")) + "\n" for item in items)
    write_text_atomic(staging / "items.jsonl", lines)
    if options.write_parquet:
        report("parquet", 0, len(items))
        write_parquet(out, items, dest=staging)
        report("parquet", len(items), None)
    font = resolve_font(pack.info.font, pack.directory)
    resolved = options.resolved(pack.code)
    manifest = Manifest(
        schema_version=SCHEMA_VERSION,
        ksafe_version=__version__,
        name=pack.info.benchmark_name,
        culture=pack.code,
        pack_sha256=pack.sha256,
        seed=options.seed,
        options=resolved,
        package_versions=package_versions(),
        font=FontInfo(file=font.path.name, face_index=font.face_index, sha256=font.sha256, source=font.source),
        counts={
            **count_items(items, len(assets)),
            **({"review_rejections": review} if review else {}),
            **(extra_counts or {}),
        },
        items_sha256=hashlib.sha256(lines.encode("utf-8")).hexdigest(),
        image_generation=image_generation,
    )
    write_text_atomic(staging / "README.md", render_card(manifest, pack, items, has_parquet=options.write_parquet))
    write_text_atomic(staging / "manifest.json", manifest.model_dump_json(indent=2) + "\n")
    swap_in(out, staging, is_shard_name)  # shards of an earlier build go, as they would no longer match
    return manifest
