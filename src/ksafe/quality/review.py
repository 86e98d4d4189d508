"""Native-reader review kit: a sampled review sheet, and the rejections it yields for the next build.

Input: a benchmark directory (``items.jsonl``, ``manifest.json``) and, for ``apply``, a filled sheet (CSV).
Output: ``review_sheet`` writes a CSV (item, text, key phrase, image path, category, verdict, reason);
``apply_review`` writes ``rejections.json`` (template and topic ids to drop, per culture), which
``ksafe build --rejections FILE`` reads and records in the manifest. Side effects: those two files only,
written atomically; an existing sheet is never overwritten.
"""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

from pydantic import Field

from ksafe.errors import KsafeError
from ksafe.fileio import write_text_atomic
from ksafe.quality.lint import read_items
from ksafe.schema.base import FrozenRecord

SHEET_COLUMNS = (
    "item_id",
    "culture",
    "category",
    "subset",
    "strategy",
    "image_kind",
    "benign_kind",
    "template_id",
    "topic_id",
    "topic",
    "key_phrase",
    "text",
    "image",
    "verdict",
    "reason",
)
"""Columns of a review sheet; the reviewer fills ``verdict`` (accept / reject) and ``reason``."""

REJECT_WORDS = frozenset({"reject", "rejected", "no", "x", "bad", "flag", "flagged"})
"""Verdicts (case-insensitive) that reject an item's template and topic."""


class Rejections(FrozenRecord):
    """Templates and topics a native reviewer rejected (``rejections.json``)."""

    culture: str
    template_ids: tuple[str, ...] = ()
    """Templates (C) or seeds (G) whose items were rejected; the next build leaves them out."""
    topic_ids: tuple[str, ...] = ()
    """C topics of rejected items; left out only when ``reject_topics`` (a bad template says nothing
    about a topic)."""
    reasons: dict[str, str] = Field(default_factory=dict)
    """Item id -> the reviewer's reason."""
    reject_topics: bool = False


def review_sheet(bench: Path, n: int, out: Path, seed: int = 0) -> int:
    """Write a sheet of ``n`` items sampled with ``seed`` (harmful and benign alike) to ``out`` (CSV).

    Raises:
        KsafeError: ``out`` exists (it may hold a reviewer's work), or the benchmark cannot be read.
    """
    if out.exists():
        raise KsafeError(f"{out}: exists (it may hold a reviewer's verdicts); choose another --out")
    items = read_items(bench)
    chosen = random.Random(seed).sample(items, min(n, len(items)))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=SHEET_COLUMNS)
    writer.writeheader()
    for item in chosen:
        writer.writerow(
            {
                "item_id": item.id,
                "culture": item.culture,
                "category": item.category,
                "subset": item.subset,
                "strategy": item.strategy,
                "image_kind": item.image_kind,
                "benign_kind": item.benign_kind or "",
                "template_id": item.template_id,
                "topic_id": item.topic_id,
                "topic": item.topic,
                "key_phrase": item.key_phrase,
                "text": item.text,
                "image": str((bench / item.image).resolve()),
                "verdict": "",
                "reason": "",
            }
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out, buffer.getvalue())
    return len(chosen)


def read_rejections(path: Path) -> Rejections:
    """Parse a ``rejections.json``.

    Raises:
        KsafeError: the file is missing or not a rejections record.
    """
    try:
        return Rejections.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KsafeError(f"{path}: rejections file not found") from None
    except ValueError as exc:
        raise KsafeError(f"{path}: not a rejections file ({str(exc).splitlines()[0]})") from None


def apply_review(bench: Path, sheet: Path, out: Path | None = None, reject_topics: bool = False) -> Rejections:
    """Collect the rejected templates (and topics) of a filled sheet into ``rejections.json``.

    Rejections already in ``out`` are kept (reviews accumulate). Returns what was written.

    Raises:
        KsafeError: the sheet is missing, lacks the columns, or names items the benchmark does not hold.
    """
    if not sheet.is_file():
        raise KsafeError(f"{sheet}: review sheet not found")
    rows = list(csv.DictReader(io.StringIO(sheet.read_text(encoding="utf-8-sig"))))
    missing = {"item_id", "verdict"} - set(rows[0] if rows else {})
    if missing:
        raise KsafeError(f"{sheet}: missing column(s) {', '.join(sorted(missing))}")
    items = {item.id: item for item in read_items(bench)}
    target = out or bench / "rejections.json"
    previous = read_rejections(target) if target.is_file() else None
    templates = set(previous.template_ids if previous else ())
    topics = set(previous.topic_ids if previous else ())
    reasons = dict(previous.reasons if previous else {})
    culture = previous.culture if previous else ""
    for number, row in enumerate(rows, start=2):
        if row.get("verdict", "").strip().lower() not in REJECT_WORDS:
            continue
        item = items.get(row["item_id"].strip())
        if item is None:
            raise KsafeError(f"{sheet}: line {number}: item_id {row['item_id']!r} is not in {bench}")
        if culture and item.culture != culture:
            raise KsafeError(f"{sheet}: line {number}: culture {item.culture!r}, the rejections are {culture!r}")
        culture = item.culture
        templates.add(item.template_id)
        if item.subset == "C" and item.benign_kind != "borderline":
            topics.add(item.topic_id)
        reasons[item.id] = row.get("reason", "").strip()
    record = Rejections(
        culture=culture,
        template_ids=tuple(sorted(templates)),
        topic_ids=tuple(sorted(topics)),
        reasons=dict(sorted(reasons.items())),
        reject_topics=reject_topics or bool(previous and previous.reject_topics),
    )
    write_text_atomic(target, json.dumps(record.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n")
    return record
