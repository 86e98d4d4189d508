"""Rows of the example browser: one per model x item (x G version), with every judge's verdict.

Input: a ``ReportData``. Output: JSON-ready dicts (text, response, verdicts, optional thumbnail).
Side effects: reads benchmark images to make thumbnails (downscaled JPEG data URIs).
Text is copied as is: the page only ever sets it with ``textContent``, so markup shows as characters.
"""

from __future__ import annotations

import base64
import io
import random
from pathlib import Path
from typing import Any

from ksafe.report.analysis import ReportData
from ksafe.schema.evaluation import ScoredResponse

THUMB_PX = 160
MAX_TEXT_CHARS = 4000


def thumbnail(path: Path, size: int = THUMB_PX) -> str | None:
    """A downscaled JPEG of ``path`` as a data URI, or None when it cannot be read."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as opened:
            img = opened.convert("RGB")
        img.thumbnail((size, size))
        buf = io.BytesIO()
        img.save(buf, format="JPEG", quality=70)
    except (OSError, UnidentifiedImageError):
        return None
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _clip(text: str) -> str:
    return text if len(text) <= MAX_TEXT_CHARS else text[:MAX_TEXT_CHARS] + " … [truncated]"


def build_examples(data: ReportData, max_examples: int, seed: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Return (example rows, total rows before sampling); samples evenly when above ``max_examples``."""
    rows: dict[tuple[str, str, str, str | None], dict[str, Any]] = {}
    first: dict[tuple[str, str, str, str | None], ScoredResponse] = {}
    for run in data.runs:
        labels = {e.model: e.label for e in data.entries if e.run_id == run.results.run_id}
        for r in run.responses:
            key = (run.results.run_id, r.model, r.item_id, r.g_version)
            row = rows.get(key)
            if row is None:
                first[key] = r
                row = rows[key] = {
                    "run": run.results.run_id,
                    "model": labels.get(r.model, r.model),
                    "item": r.item_id,
                    "category": r.category,
                    "domain": r.domain,
                    "subset": r.subset,
                    "strategy": r.strategy,
                    "image_kind": r.image_kind,
                    "g_version": r.g_version or "",
                    "language": r.language,
                    "harmful": r.is_harmful,
                    "text": _clip(r.text),
                    "response": _clip(r.response),
                    "verdicts": [],
                    "human": run.human_labels.get((r.item_id, r.model), ""),
                }
            row["verdicts"].append(
                {
                    "judge": r.judge,
                    "heuristic": r.is_heuristic_judge,
                    "verdict": r.verdict,
                    "rationale": _clip(r.rationale),
                }
            )
    keys = list(rows)
    total = len(keys)
    if total > max_examples:
        keys = sorted(random.Random(seed).sample(keys, max_examples), key=keys.index)
    images: dict[Path, str | None] = {}
    out = []
    for key in keys:
        row = rows[key]
        run = next(r for r in data.runs if r.results.run_id == key[0])
        path = run.item_images.get((key[2], key[3])) or run.item_images.get((key[2], None))
        if path is not None:
            if path not in images:
                images[path] = thumbnail(path)
            row["image"] = images[path]
        verdicts = {v["verdict"] for v in row["verdicts"] if v["verdict"] != "judge_error"}
        row["disagree"] = len(verdicts) > 1
        out.append(row)
    return out, total
