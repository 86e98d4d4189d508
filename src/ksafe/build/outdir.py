"""The output folder of a build: whether a build may write it, and the swap that completes a build.

Input: the ``--out`` path and this build's resolved options. Output: nothing, or a ``KsafeError`` that leaves
the folder untouched. Side effects: ``swap_in`` moves a finished build's top-level files from the staging folder
``OUT/.ksafe/staging/`` into ``OUT``.

A build writes ``items.jsonl``, the parquet shards, ``README.md`` and ``manifest.json`` into the staging folder
first, and swaps them in only when all of them are written. The old ``manifest.json`` is removed before the
first file moves and the new one moves last, so ``OUT`` always holds either a complete benchmark (one manifest
matching its items) or no manifest at all (which ``ksafe eval`` refuses); a failed rebuild (full disk, a kill)
leaves the earlier benchmark as it was. Images are content-addressed, so new ones can be written beside the
old ones at any time; those no item uses are removed after the swap.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ksafe.errors import KsafeError
from ksafe.schema.records import Manifest

STATE_DIR = ".ksafe"
"""Build state inside ``OUT`` (lock, render journal, staging); removed when a build completes."""
STAGING = Path(STATE_DIR) / "staging"
SHARD_DIR = "data"
TOP_FILES = ("items.jsonl", "README.md")
MANIFEST = "manifest.json"


def check_out_path(out: Path, options: dict[str, Any], *, force: bool) -> None:
    """Refuse an ``--out`` a build must not write, before anything is touched.

    Allowed: a missing or empty folder, a folder holding a killed build's state (``.ksafe/``), and a ksafe
    benchmark built with the same options (a rerun); one built with other options only with ``force``.

    Raises:
        KsafeError: the path is a file or lies under one, the folder holds files but no ksafe manifest, its
            manifest is not a ksafe manifest, or it holds a benchmark built with other options.
    """
    for parent in (out, *out.parents):
        if parent.exists():
            if not parent.is_dir():
                where = "exists and is not a folder" if parent == out else f"lies under {parent}, which is a file"
                raise KsafeError(f"--out: {out}: {where}")
            break
    if not out.is_dir() or not any(out.iterdir()):
        return
    manifest_path = out / MANIFEST
    if not manifest_path.is_file():
        if (out / STATE_DIR).is_dir():
            return  # a killed build: resume it
        raise KsafeError(f"--out: {out}: folder is not empty and holds no ksafe manifest; choose a new or empty folder")
    try:
        manifest = Manifest.model_validate_json(manifest_path.read_bytes())
    except (ValidationError, ValueError):
        raise KsafeError(f"--out: {manifest_path}: not a ksafe manifest; choose a new or empty folder") from None
    if manifest.options != options and not force:
        changed = sorted(k for k in {*manifest.options, *options} if manifest.options.get(k) != options.get(k))
        raise KsafeError(
            f"--out: {out} holds a benchmark built with other options ({', '.join(changed)}); "
            "pass --force to replace it, or choose another folder"
        )


def staging_dir(out: Path) -> Path:
    """A fresh, empty staging folder inside ``out`` (left from a killed build: emptied)."""
    staging = out / STAGING
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    return staging


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def swap_in(out: Path, staging: Path, is_ksafe_shard: Any) -> None:
    """Move the staged files into ``out``: old manifest out first, new manifest in last.

    Args:
        out: the benchmark folder.
        staging: the folder holding the finished build's top-level files (manifest included).
        is_ksafe_shard: predicate on a file name: True for parquet shards ksafe writes (others are the user's).
    """
    (out / MANIFEST).unlink(missing_ok=True)
    _fsync_dir(out)
    for name in TOP_FILES:
        if (staging / name).exists():
            os.replace(staging / name, out / name)
    staged_shards = sorted((staging / SHARD_DIR).glob("*.parquet")) if (staging / SHARD_DIR).is_dir() else []
    data = out / SHARD_DIR
    if data.is_dir():
        for old in data.glob("*.parquet"):
            if is_ksafe_shard(old.name):
                old.unlink()
    if staged_shards:
        data.mkdir(exist_ok=True)
        for shard in staged_shards:
            os.replace(shard, data / shard.name)
    _fsync_dir(out)
    os.replace(staging / MANIFEST, out / MANIFEST)
    _fsync_dir(out)
