"""Render every image a build needs, in parallel, resumably.

Input: unique render jobs (kind, text, context). Output: an ``ImageAsset`` per job key. Side effects: writes
content-addressed PNGs under ``OUT/images/`` (atomic) and appends finished jobs to a journal
``OUT/.ksafe/render-journal.jsonl`` so a killed build skips them on rerun.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ksafe.schema.base import content_id
from ksafe.schema.records import ImageAsset

JOURNAL = Path(".ksafe") / "render-journal.jsonl"


@dataclass(frozen=True)
class RenderJob:
    """One image to render."""

    kind: str
    text: str
    context: str
    """Name of the render context (``pack`` or ``en``)."""
    seed: int

    @property
    def key(self) -> str:
        """Stable key of the job (context names are resolved to content by the caller's ``context_ids``)."""
        return content_id("render", self.kind, self.text, self.context, self.seed)


def _ignore_interrupt() -> None:
    """Worker initializer: Ctrl-C is the parent's to handle (it stops the pool and reports once)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _render_one(args: tuple[str, str, Any, int, str, str]) -> tuple[str, dict[str, Any]]:
    from ksafe.images.render import render_png
    from ksafe.images.store import store_png

    kind, text, ctx, seed, out_dir, key = args
    png, width, height = render_png(kind, text, ctx, seed)
    asset = store_png(Path(out_dir), png, kind, text, width, height)
    return key, asset.model_dump()


def read_journal(out: Path, context_ids: dict[str, str]) -> dict[str, ImageAsset]:
    """Finished jobs from an earlier (possibly killed) run whose image files still exist."""
    path = out / JOURNAL
    done: dict[str, ImageAsset] = {}
    if not path.is_file():
        return done
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            try:
                entry = json.loads(line)
                asset = ImageAsset.model_validate(entry["asset"])
            except (ValueError, KeyError):
                continue  # a line cut short by a kill
            if entry.get("contexts") == context_ids and (out / asset.path).is_file():
                done[entry["key"]] = asset
    return done


def render_all(
    jobs: list[RenderJob],
    contexts: dict[str, Any],
    context_ids: dict[str, str],
    out: Path,
    workers: int,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, ImageAsset]:
    """Render ``jobs`` (skipping journaled ones) with ``workers`` processes; return assets by job key."""
    assets = read_journal(out, context_ids)
    todo = [job for job in jobs if job.key not in assets]
    if on_progress and len(jobs) - len(todo):
        on_progress(len(jobs) - len(todo))
    (out / JOURNAL).parent.mkdir(parents=True, exist_ok=True)
    args = [(job.kind, job.text, contexts[job.context], job.seed, str(out), job.key) for job in todo]
    with (out / JOURNAL).open("a", encoding="utf-8") as journal:

        def record(key: str, asset_dict: dict[str, Any]) -> None:
            journal.write(json.dumps({"key": key, "contexts": context_ids, "asset": asset_dict}, ensure_ascii=False))
            journal.write("\n")
            assets[key] = ImageAsset.model_validate(asset_dict)
            if on_progress:
                on_progress(1)

        if workers <= 1 or len(args) < 64:
            for arg in args:
                record(*_render_one(arg))
        else:
            with ProcessPoolExecutor(max_workers=workers, initializer=_ignore_interrupt) as pool:
                for key, asset_dict in pool.map(_render_one, args, chunksize=32):
                    record(key, asset_dict)
        journal.flush()
        os.fsync(journal.fileno())
    return assets
