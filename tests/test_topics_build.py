"""From community posts to a built benchmark: `ksafe topics mine` output feeds `ksafe build --topics`.

Mines the project-written Korean corpus with the offline classifier, then builds a small C subset from the
mined topics and checks that every item's topic is a mined topic (not a curated one).
"""

from __future__ import annotations

import json
from pathlib import Path

from ksafe.build import BuildOptions, build_benchmark
from ksafe.schema.records import Topic
from ksafe.topics.mining.run import mine_to_files

DATA = Path(__file__).parent / "data"


def test_mined_topics_build_a_benchmark(tmp_path: Path) -> None:
    topics_path = tmp_path / "topics.jsonl"
    summary = mine_to_files(pack="ko", sources=[str(DATA / "corpus_ko.jsonl")], out=topics_path, classifier="offline")
    mined = [Topic.model_validate_json(line) for line in topics_path.read_text(encoding="utf-8").splitlines()]
    assert summary["topics"] == len(mined) >= 5
    by_id = {t.id: t for t in mined}
    names = {t.name for t in mined}

    out = tmp_path / "bench"
    result = build_benchmark(
        BuildOptions(
            culture="ko", out=out, topics_file=topics_path, g_count=0, c_count=40, workers=1, write_parquet=False
        )
    )
    items = [json.loads(line) for line in (out / "items.jsonl").read_text(encoding="utf-8").splitlines()]
    assert result.items == len(items) and items
    assert {item["subset"] for item in items} == {"C"}
    assert sum(item["is_harmful"] for item in items) == 40
    items = [item for item in items if item["benign_kind"] != "borderline"]  # pack requests, not topics
    for item in items:
        assert item["topic"] in names, item["topic"]
        assert item["topic_id"] in by_id and by_id[item["topic_id"]].name == item["topic"]
    for item in items:  # an item's category is one its mined topic was mapped to
        assert item["category"] in by_id[item["topic_id"]].categories
    assert len({item["topic"] for item in items}) >= 3
