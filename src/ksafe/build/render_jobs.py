"""Render every image a build needs, in parallel, resumably.

Input: unique render jobs (kind, text, context). Output: an ``ImageAsset`` per job key. Side effects: writes
content-addressed PNGs under ``OUT/images/`` (atomic) and appends finished jobs to a journal
``OUT/.ksafe/render-journal.jsonl`` so a killed build skips them on rerun. Worker processes die with the build
(``PR_SET_PDEATHSIG`` on Linux, and a watchdog that exits when the parent process changes), so a build killed
with ``kill -9`` leaves nothing rendering behind it; an interrupted build stops its workers at once.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
import time
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


PARENT_POLL_S = 0.5
"""How often a worker checks that the build that started it is still alive (where prctl is missing)."""


def _worker_init(parent_pid: int) -> None:
    """Worker initializer: die with the build; leave Ctrl-C and SIGTERM to it (it stops the pool, reports once)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: the kernel kills us when the parent dies
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_POLL_S)
        os._exit(1)

    threading.Thread(target=watch, name="ksafe-parent-watch", daemon=True).start()


def _stop_now(pool: ProcessPoolExecutor) -> None:
    """Cancel queued renders and kill the workers (an interrupted build must not wait for them)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # no public API before Python 3.14
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(OSError, AttributeError):
            process.kill()


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
    try:
        _render_into_journal(args, out, context_ids, assets, workers, on_progress)
    except OSError as exc:
        if exc.filename is None:  # a buffered journal write (full disk): name the file
            raise OSError(exc.errno, exc.strerror or str(exc), str(out / JOURNAL)) from exc
        raise
    return assets


def _render_into_journal(
    args: list[tuple[str, str, Any, int, str, str]],
    out: Path,
    context_ids: dict[str, str],
    assets: dict[str, ImageAsset],
    workers: int,
    on_progress: Callable[[int], None] | None,
) -> None:
    with (out / JOURNAL).open("a", encoding="utf-8", buffering=1) as journal:  # line-buffered: a kill loses little

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
            pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_init, initargs=(os.getpid(),))
            try:
                for key, asset_dict in pool.map(_render_one, args, chunksize=32):
                    record(key, asset_dict)
            except BaseException:
                _stop_now(pool)
                raise
            pool.shutdown(wait=True)
        journal.flush()
        os.fsync(journal.fileno())
