"""Step 1 input: the topics a build uses.

Input: a culture pack, and optionally a ``topics.jsonl`` of ``Topic`` records (e.g. from ``ksafe topics mine``).
Output: a tuple of ``Topic`` records whose categories all exist in the pack's taxonomy. Side effects: none.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from ksafe.cultures.loader import CulturePack, topic_id
from ksafe.cultures.yaml_io import format_loc
from ksafe.errors import KsafeError
from ksafe.schema.records import Topic

MAX_NAME_CHARS = 100
"""Longest topic name or keyword (curated ones are under 20 characters; a key phrase must fit an image)."""
MAX_LINE_CHARS = 1_000_000
"""Longest line of a topics file (a topic with its evidence)."""


def read_topics_file(path: Path, pack: CulturePack) -> tuple[Topic, ...]:
    """Read Topic records from a JSONL file and check them against the pack.

    Raises:
        KsafeError: unreadable file, invalid record, or a category the taxonomy lacks (names the line).
    """
    if not path.is_file():
        raise KsafeError(f"{path}: topics file not found")
    from ksafe.images.fonts import resolve_font
    from ksafe.images.glyphs import missing_glyphs

    font = resolve_font(pack.info.font, pack.directory)
    categories = set(pack.taxonomy.category_ids)
    topics: list[Topic] = []
    seen: set[str] = set()
    try:
        lines = path.read_text(encoding="utf-8").split("\n")  # JSON Lines: only \n ends a line (not U+2028)
    except UnicodeDecodeError as exc:
        raise KsafeError(f"{path}: not UTF-8 (byte {exc.start})") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if len(line) > MAX_LINE_CHARS:
            raise KsafeError(f"{path}: line {number}: {len(line):,} characters, over {MAX_LINE_CHARS:,} for one topic")
        try:
            topic = Topic.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            raise KsafeError(f"{path}: line {number}: not JSON ({exc.msg})") from None
        except ValidationError as exc:
            first = exc.errors()[0]
            raise KsafeError(f"{path}: line {number}: {format_loc(tuple(first['loc']))}: {first['msg']}") from None
        for category in topic.categories:
            if category not in categories:
                raise KsafeError(f"{path}: line {number}: categories: unknown category {category!r}")
        if topic.culture != pack.code:
            raise KsafeError(f"{path}: line {number}: culture: {topic.culture!r}, but the build is for {pack.code!r}")
        _check_text(topic, f"{path}: line {number}")
        # Ids are recomputed from the content, never trusted: equal ids would merge distinct topics.
        topic = topic.model_copy(
            update={"id": topic_id(pack.code, topic.name), "categories": tuple(dict.fromkeys(topic.categories))}
        )
        missing = missing_glyphs(font, topic.name + "".join(topic.keywords))
        if missing:
            raise KsafeError(
                f"{path}: line {number}: name: character {missing[0]!r} (U+{ord(missing[0]):04X}) "
                f"is not in font {font.path.name}"
            )
        if topic.name in seen:
            continue
        seen.add(topic.name)
        topics.append(topic)
    if not topics:
        raise KsafeError(f"{path}: no topics in file")
    return tuple(topics)


def _check_text(topic: Topic, where: str) -> None:
    """Names are short, one-line phrases (they become key phrases in images); no text holds control characters."""
    from ksafe.cultures.validate import control_character

    fields = [("name", topic.name, False), ("description", topic.description, True)]
    fields += [(f"keywords[{i}]", keyword, False) for i, keyword in enumerate(topic.keywords)]
    for field, text, multiline in fields:
        if not multiline and len(text) > MAX_NAME_CHARS:
            raise KsafeError(f"{where}: {field}: {len(text):,} characters, over {MAX_NAME_CHARS} (a topic is a phrase)")
        char = control_character(text, multiline=multiline)
        if char is not None:
            raise KsafeError(f"{where}: {field}: control character U+{ord(char):04X}")


def select_topics(pack: CulturePack, topics_file: Path | None = None) -> tuple[Topic, ...]:
    """Return the topics to build from: the file's when given, else the pack's curated list."""
    if topics_file is not None:
        return read_topics_file(topics_file, pack)
    return pack.topics
