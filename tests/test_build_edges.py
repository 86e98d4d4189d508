"""Rebuilding into existing folders, leftovers of killed builds, and untrusted topics files."""

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
from ksafe.cultures.loader import topic_id
from ksafe.errors import KsafeError
from ksafe.schema.records import BenchmarkItem, Topic


def _tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_output_folder_named_like_a_culture_code_does_not_hide_the_pack(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "ksafe", "build", "--culture", "ko", "--limit", "12", "--out", "ko"]
    for _ in range(2):  # the rerun must find the built-in pack, not the output folder `ko`
        result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=180)
        assert result.returncode == 0, result.stderr


def test_refuses_a_non_empty_folder_that_is_not_a_benchmark(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    (out / "images" / "photos").mkdir(parents=True)
    (out / "images" / "photos" / "cat.png").write_bytes(b"not ours")
    with pytest.raises(KsafeError, match="not empty"):
        build_benchmark(BuildOptions(culture="ko", out=out, limit=10, workers=1))
    assert (out / "images" / "photos" / "cat.png").read_bytes() == b"not ours"


def test_leftovers_of_a_killed_build_with_other_options_are_not_kept(tmp_path: Path) -> None:
    out, clean = tmp_path / "out", tmp_path / "clean"
    command = [sys.executable, "-m", "ksafe", "build", "-c", "ko", "--limit", "600", "--workers", "1", "-o", str(out)]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if (out / "images").exists() and len(list((out / "images").rglob("*.png"))) >= 30:
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    build_benchmark(BuildOptions(culture="ko", out=out, limit=40, seed=9, workers=1))
    build_benchmark(BuildOptions(culture="ko", out=clean, limit=40, seed=9, workers=1))
    assert _tree(out) == _tree(clean)


def test_no_parquet_removes_the_shards_of_an_earlier_build(tmp_path: Path) -> None:
    out = tmp_path / "b"
    build_benchmark(BuildOptions(culture="ja", out=out, limit=20, workers=1))
    assert list((out / "data").glob("*.parquet"))
    (out / "data" / "notes.parquet").write_bytes(b"user file")
    build_benchmark(BuildOptions(culture="ja", out=out, limit=10, seed=2, workers=1, write_parquet=False, force=True))
    assert [p.name for p in (out / "data").glob("*.parquet")] == ["notes.parquet"]
    assert "configs:" not in (out / "README.md").read_text(encoding="utf-8")


def _topic(name: str, **fields: object) -> str:
    record = Topic(id="same", culture="ko", name=name, description="d", categories=("illegal_unethical",))
    return json.dumps({**record.model_dump(mode="json"), **fields}, ensure_ascii=False)


def test_topics_file_ids_are_recomputed_and_categories_deduplicated(tmp_path: Path) -> None:
    path = tmp_path / "topics.jsonl"
    lines = [_topic("전세 사기", categories=["illegal_unethical", "illegal_unethical"]), _topic("보이스피싱")]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "b"
    build_benchmark(BuildOptions(culture="ko", out=out, g_count=0, c_count=30, topics_file=path, workers=1))
    items = [BenchmarkItem.model_validate_json(line) for line in (out / "items.jsonl").read_text().splitlines()]
    assert {i.topic_id for i in items if i.benign_kind != "borderline"} == {
        topic_id("ko", "전세 사기"),
        topic_id("ko", "보이스피싱"),
    }
    assert len({i.id for i in items}) == len(items)
    harmful = [(i.query, i.strategy) for i in items if i.is_harmful]
    assert len(set(harmful)) == len(harmful)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (_topic("전세 사기", culture="ja").encode(), "culture"),
        (b"\xff\xfe not utf-8", "not UTF-8"),
        (_topic("전세 사기\U00013000").encode(), r"U\+13000"),
    ],
)
def test_bad_topics_files_name_file_and_line(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "topics.jsonl"
    path.write_bytes(content + b"\n")
    with pytest.raises(KsafeError, match=message) as err:
        build_benchmark(BuildOptions(culture="ko", out=tmp_path / "b", topics_file=path, workers=1))
    assert str(path) in str(err.value)
    assert not (tmp_path / "b").exists()


def test_two_builds_never_write_one_folder_at_once(tmp_path: Path) -> None:
    from ksafe.fileio import exclusive_lock

    out = tmp_path / "b"
    with (
        exclusive_lock(out / ".ksafe" / "lock", "held by the test"),
        pytest.raises(KsafeError, match="another ksafe build"),
    ):
        build_benchmark(BuildOptions(culture="ko", out=out, limit=10, workers=1))
    result = build_benchmark(BuildOptions(culture="ko", out=out, limit=10, workers=1))
    lines = (out / "items.jsonl").read_text(encoding="utf-8").splitlines()
    assert result.items == len(lines) > 20 and not (out / ".ksafe").exists()


def test_a_rerun_removes_half_written_images_of_a_killed_build_and_nothing_else(tmp_path: Path) -> None:
    """A render worker killed between writing and renaming leaves ``.<image>.<random>.tmp`` (seen after SIGTERM):
    the same command's rerun removes it; a hidden file of the user's in the same folder stays."""
    out = tmp_path / "b"
    options = BuildOptions(culture="ko", out=out, limit=20, seed=2, workers=1)
    build_benchmark(options)
    image = next((out / "images").glob("*/*.png"))
    stale = image.with_name(f".{image.name}.k3x_9q.tmp")
    stale.write_bytes(image.read_bytes()[:100])
    mine = image.with_name(".my-notes.tmp")
    mine.write_text("keep")
    before = _tree(out)
    build_benchmark(options)
    assert not stale.exists()
    assert mine.read_text() == "keep"
    after = _tree(out)
    del before[stale.relative_to(out).as_posix()]
    assert after == before
