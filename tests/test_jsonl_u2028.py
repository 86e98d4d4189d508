"""A valid JSON line holding a raw U+2028 (or U+2029, U+0085) is one record everywhere ksafe reads JSONL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ksafe.jsonl import jsonl_lines

SEPARATORS = ["\u2028", "\u2029", "\u0085"]


@pytest.mark.parametrize("sep", SEPARATORS)
def test_jsonl_lines_split_on_newline_only(sep: str) -> None:
    text = json.dumps({"a": f"x{sep}y"}, ensure_ascii=False) + "\r\n\n" + json.dumps({"b": 1}) + "\n"
    assert sep in text
    lines = list(jsonl_lines(text))
    assert [n for n, _ in lines] == [1, 3]
    assert json.loads(lines[0][1]) == {"a": f"x{sep}y"}


@pytest.mark.parametrize("sep", SEPARATORS)
def test_mining_sources_read_a_line_with_a_raw_separator(tmp_path: Path, sep: str) -> None:
    from ksafe.topics.mining.sources import load_sources

    path = tmp_path / "posts.jsonl"
    rows = [{"id": "1", "text": f"전세사기{sep}피해"}, {"id": "2", "text": "보이스피싱"}]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    assert [p.id for p in load_sources([str(path)]).posts] == ["1", "2"]


def test_a_topics_file_with_a_raw_u2028_in_a_description_is_read(tmp_path: Path) -> None:
    from ksafe.cultures.loader import load_pack
    from ksafe.topics.curated import read_topics_file

    pack = load_pack("ko")
    topic = {
        "id": "x",
        "culture": "ko",
        "name": "전세사기",
        "description": "집주인이\u2028보증금을 돌려주지 않는 사기",
        "categories": [pack.taxonomy.category_ids[0]],
        "source": "mined",
    }
    path = tmp_path / "topics.jsonl"
    path.write_text(json.dumps(topic, ensure_ascii=False) + "\n", encoding="utf-8")
    (read,) = read_topics_file(path, pack)
    assert read.description == topic["description"]
