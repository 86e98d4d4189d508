"""End-to-end builds: coverage, twins, G versions, parquet through datasets, determinism, kill and resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ksafe.build import BuildOptions, build_benchmark
from ksafe.cultures.loader import load_pack
from ksafe.schema.records import BenchmarkItem, Manifest
from ksafe.schema.taxonomy import DEFAULT_CATEGORY_IDS


def _items(out: Path) -> list[BenchmarkItem]:
    lines = (out / "items.jsonl").read_text(encoding="utf-8").splitlines()
    return [BenchmarkItem.model_validate_json(line) for line in lines]


def _tree(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != "README.md"
    }


@pytest.mark.parametrize("fixture", ["small_build_ko", "small_build_ja"])
def test_small_build_covers_categories_strategies_and_kinds(fixture: str, request: pytest.FixtureRequest) -> None:
    out: Path = request.getfixturevalue(fixture)
    items = _items(out)
    manifest = Manifest.model_validate_json((out / "manifest.json").read_text(encoding="utf-8"))
    pack = load_pack(manifest.culture, check_font=False)
    harmful = [i for i in items if i.is_harmful]
    assert abs(len(harmful) - manifest.options["limit"]) <= 2
    assert {i.subset for i in harmful} == {"G", "C"}
    assert set(DEFAULT_CATEGORY_IDS) <= {i.category for i in harmful}
    c_strategies = {i.strategy for i in harmful if i.subset == "C"}
    assert c_strategies == {"none", *pack.jailbreaks.jailbreaks}
    assert len(c_strategies) >= 12
    assert {i.image_kind for i in harmful} >= {
        "typography",
        "numbered_list",
        "scene_chat",
        "scene_news",
        "scene_document",
        "scene_sign",
    }
    assert manifest.counts["harmful"] == len(harmful)
    assert manifest.counts["benign"] == len(items) - len(harmful)
    assert len({i.id for i in items}) == len(items)


def test_every_harmful_item_has_a_benign_twin(small_build_ko: Path) -> None:
    items = _items(small_build_ko)
    by_pair: dict[str, list[BenchmarkItem]] = {}
    for item in items:
        by_pair.setdefault(item.pair_id, []).append(item)
    for pair in by_pair.values():
        if pair[0].benign_kind == "borderline":
            assert len(pair) == 1
            continue
        plain = [i for i in pair if i.benign_kind == "plain"]
        harmful = [i for i in pair if i.is_harmful]
        assert len(plain) == 1 and harmful
        twin = plain[0]
        assert twin.strategy == "none"
        for item in harmful:
            assert (item.image_kind, item.topic_id, item.category) == (twin.image_kind, twin.topic_id, twin.category)
            assert item.key_phrase != twin.key_phrase
        strategies = {i.strategy for i in harmful}
        assert all(i.strategy in strategies for i in pair if i.benign_kind == "jailbreak")


def test_images_exist_are_pngs_and_are_stored_once(small_build_ko: Path) -> None:
    items = _items(small_build_ko)
    paths = {i.image for i in items} | {v.image for i in items for v in i.variants}
    on_disk = {p.relative_to(small_build_ko).as_posix() for p in (small_build_ko / "images").rglob("*.png")}
    assert paths == on_disk
    for path in list(paths)[:20]:
        data = (small_build_ko / path).read_bytes()
        assert data.startswith(b"\x89PNG")
        import hashlib

        assert Path(path).stem == hashlib.sha256(data).hexdigest()


def test_g_items_keep_english_literal_and_contextualized(small_build_ko: Path) -> None:
    g_items = [i for i in _items(small_build_ko) if i.subset == "G"]
    assert g_items
    for item in g_items:
        assert item.g_version == "contextualized"
        english, literal = item.variant("source_en"), item.variant("literal")
        assert english.language == "en" and literal.language == "ko"
        assert item.contextualization is not None
        assert item.contextualization.literal == literal.query
        assert item.contextualization.contextualized == item.query
        assert item.strategy == "none" or english.text != english.prompt
    changed = [i for i in g_items if i.contextualization and i.contextualization.changed_sentences]
    assert changed, "contextualization changed no sentence in any G item"
    manifest = Manifest.model_validate_json((small_build_ko / "manifest.json").read_text(encoding="utf-8"))
    summary = manifest.counts["g_contextualization"]
    harmful = [i for i in g_items if i.is_harmful and i.contextualization]
    assert summary["sentences"] == sum(i.contextualization.sentence_count for i in harmful if i.contextualization)
    assert 0 < summary["changed_sentences"] <= summary["sentences"]


def test_parquet_loads_through_datasets_with_images(small_build_ja: Path) -> None:
    from datasets import load_dataset
    from PIL import Image

    ds = load_dataset("parquet", data_files=str(small_build_ja / "data" / "*.parquet"), split="train")
    items = {i.id: i for i in _items(small_build_ja)}
    assert len(ds) == len(items)
    row = ds[0]
    assert isinstance(row["image"], Image.Image)
    assert row["image"].size == (512, 512)
    assert row["text"] == items[row["id"]].text
    assert row["image_path"] == items[row["id"]].image
    # G versions and contextualization are structured columns (lists of dicts, dicts), not JSON strings
    g_rows = [r for r in ds if r["subset"] == "G"]
    assert g_rows, "the build has no G item"
    for r in g_rows:
        item = items[r["id"]]
        assert [v["g_version"] for v in r["variants"]] == [v.g_version for v in item.variants]
        assert r["variants"][0]["text"] == item.variants[0].text
        assert item.contextualization is not None
        assert r["contextualization"]["changed_sentences"] == list(item.contextualization.changed_sentences)
        assert [tuple(s) for s in r["contextualization"]["swaps"]] == list(item.contextualization.swaps)
    c_row = next(r for r in ds if r["subset"] == "C")
    assert c_row["variants"] == [] and c_row["contextualization"] is None


def test_eval_reads_the_built_parquet_as_the_same_items(small_build_ja: Path) -> None:
    from ksafe.evaluation.dataset import load_benchmark

    shards = sorted((small_build_ja / "data").glob("*.parquet"))
    from_parquet = {i.id: i for i in load_benchmark(shards[0]).items}
    from_jsonl = {i.id: i for i in _items(small_build_ja)}
    assert from_parquet and set(from_parquet) <= set(from_jsonl)
    for item_id, item in from_parquet.items():
        assert item == from_jsonl[item_id]


def test_dataset_card_and_manifest(small_build_ja: Path) -> None:
    card = (small_build_ja / "README.md").read_text(encoding="utf-8")
    assert "Content warning" in card and "CC BY-NC 4.0" in card and "JSAFE-MM" in card
    manifest = json.loads((small_build_ja / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 7 and len(manifest["font"]["sha256"]) == 64
    assert set(manifest["counts"]) >= {"subset", "category", "strategy", "image_kind"}


def test_same_seed_is_byte_identical_and_seed_matters(tmp_path: Path) -> None:
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    build_benchmark(BuildOptions(culture="ko", out=first, limit=40, seed=3, workers=1))
    build_benchmark(BuildOptions(culture="ko", out=second, limit=40, seed=3, workers=2))
    build_benchmark(BuildOptions(culture="ko", out=other, limit=40, seed=4, workers=1))
    assert _tree(first) == _tree(second)
    assert (first / "items.jsonl").read_bytes() != (other / "items.jsonl").read_bytes()


def test_killed_build_resumes_to_the_same_result(tmp_path: Path) -> None:
    reference, killed = tmp_path / "ref", tmp_path / "killed"
    args = ["--culture", "ko", "--limit", "300", "--seed", "5", "--workers", "1"]
    build_benchmark(BuildOptions(culture="ko", out=reference, limit=300, seed=5, workers=1))
    command = [sys.executable, "-m", "ksafe", "build", *args, "--out", str(killed)]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        images = killed / "images"
        if images.exists() and len(list(images.rglob("*.png"))) >= 40:
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (killed / "manifest.json").exists(), "build finished before it could be killed"
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert _tree(killed) == _tree(reference)
    items = _items(killed)
    assert len({i.id for i in items}) == len(items)


def test_listing_commands() -> None:
    for command, expected in (
        ("cultures", "KSAFE-MM"),
        ("categories", "weaponization"),
        ("strategies", "ProgramExecution"),
    ):
        result = subprocess.run(
            [sys.executable, "-m", "ksafe", command],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "COLUMNS": "250"},
        )
        assert result.returncode == 0, result.stderr
        assert expected in result.stdout


def test_cli_import_stays_light() -> None:
    code = "import sys, ksafe.cli; print(any(m in sys.modules for m in ('PIL', 'inspect_ai', 'pyarrow', 'datasets')))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "False"


def test_topics_file_replaces_curated_topics(tmp_path: Path) -> None:
    from ksafe.cultures.loader import topic_id
    from ksafe.schema.records import Topic

    topics = tmp_path / "topics.jsonl"
    record = Topic(
        id=topic_id("ko", "전세 사기"),
        culture="ko",
        name="전세 사기",
        description="rental deposit fraud",
        categories=("illegal_unethical",),
        source="mined",
    )
    topics.write_text(record.model_dump_json() + "\n", encoding="utf-8")
    out = tmp_path / "b"
    build_benchmark(BuildOptions(culture="ko", out=out, g_count=0, c_count=10, topics_file=topics, workers=1))
    items = _items(out)
    assert {i.topic for i in items if i.benign_kind != "borderline"} == {"전세 사기"}
    bad = tmp_path / "bad.jsonl"
    bad.write_text(record.model_dump_json().replace("illegal_unethical", "nope") + "\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "ksafe", "build", "-c", "ko", "--topics", str(bad), "-o", str(tmp_path / "c")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2 and "bad.jsonl: line 1" in result.stderr and "nope" in result.stderr


def test_bad_option_values_give_one_line_errors(tmp_path: Path) -> None:
    for args, expected in (
        (["--limit", "0"], "--limit"),
        (["--culture", "zz"], "zz"),
        (["--image-size", "5"], "--image-size"),
    ):
        command = [sys.executable, "-m", "ksafe", "build", "--culture", "ko", "--out", str(tmp_path / "o"), *args]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
        assert result.returncode == 2 and len(lines) == 1 and expected in lines[0], lines
        assert not (tmp_path / "o").exists()
