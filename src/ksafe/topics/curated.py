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
from ksafe.jsonl import jsonl_lines
from ksafe.schema.records import Topic


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
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise KsafeError(f"{path}: not UTF-8 (byte {exc.start})") from None
    for number, line in jsonl_lines(text):
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


def select_topics(pack: CulturePack, topics_file: Path | None = None) -> tuple[Topic, ...]:
    """Return the topics to build from: the file's when given, else the pack's curated list."""
    if topics_file is not None:
        return read_topics_file(topics_file, pack)
    return pack.topics
