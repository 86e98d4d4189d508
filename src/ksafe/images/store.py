"""Content-addressed image store: PNG bytes -> ``images/<2 hex>/<sha256>.png`` under a benchmark dir.

Input: PNG bytes and what they show. Output: an ``ImageAsset`` record. Side effects: writes the file
atomically (temporary file in the same folder, then ``os.replace``); an existing file of that name is
left alone, so reruns and parallel workers never duplicate or corrupt an image.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ksafe.fileio import write_bytes_atomic
from ksafe.schema.records import ImageAsset


def image_relpath(sha256: str) -> str:
    """Path of an image relative to the benchmark directory."""
    return f"images/{sha256[:2]}/{sha256}.png"


def store_png(out_dir: Path, png: bytes, kind: str, text: str, width: int, height: int) -> ImageAsset:
    """Write ``png`` under ``out_dir`` by its SHA-256 (once) and describe it.

    Args:
        out_dir: Benchmark directory.
        png: PNG bytes.
        kind: Renderer name.
        text: The text rendered into the image.
        width: Image width in pixels.
        height: Image height in pixels.

    Returns:
        The asset record with its relative path.
    """
    digest = hashlib.sha256(png).hexdigest()
    relpath = image_relpath(digest)
    target = out_dir / relpath
    if not target.exists():
        # No fsync: a killed build loses nothing the page cache holds, and the journal is rebuilt on rerun.
        write_bytes_atomic(target, png, durable=False)
    return ImageAsset(sha256=digest, path=relpath, kind=kind, width=width, height=height, text=text)
