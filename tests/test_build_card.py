"""The dataset card describes the files as they are: field names, split, loading snippet, row order."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml


def _card(out: Path) -> tuple[dict[str, object], str]:
    text = (out / "README.md").read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


def test_the_field_table_names_the_real_items_fields(small_build_ja: Path) -> None:
    _, body = _card(small_build_ja)
    fields_section = body.split("## Fields", 1)[1].split("`data/*.parquet`", 1)[0]
    named = set(re.findall(r"^\| `([a-z0-9_]+)` \|", fields_section, flags=re.M))
    record = json.loads((small_build_ja / "items.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert named == set(record), named ^ set(record)
    assert "image_path" not in named


def test_yaml_split_and_loading_snippet_agree_and_load(small_build_ja: Path, tmp_path: Path) -> None:
    from datasets import load_dataset

    front, body = _card(small_build_ja)
    (config,) = front["configs"]  # type: ignore[index]
    splits = {entry["split"] for entry in config["data_files"]}
    snippet = body.split("```python", 1)[1].split("```", 1)[0]
    used = set(re.findall(r'split="([a-z]+)"', snippet))
    assert splits == used == {"test"}
    # the folder, as the card says; a fresh cache, so no dataset cached from another build at this path is read
    dataset = load_dataset(str(small_build_ja), split="test", cache_dir=str(tmp_path / "hf"))
    items = [json.loads(line) for line in (small_build_ja / "items.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(dataset) == len(items)
    assert "ordered by image" in body and "Join the two on `id`" in body
    assert sorted(dataset["id"]) == sorted(i["id"] for i in items)
