"""``--ray``: the diffusers backend through Ray Data in Ray's local mode (skipped when ray is not installed)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

pytest.importorskip("ray")
pytest.importorskip("diffusers")

import numpy as np
from PIL import Image

from imagekit.tiny_diffusers import build_tiny_pipeline
from ksafe.images.generators.base import GenerationRequest, GeneratorOptions, open_generator


@pytest.mark.slow  # ~80 s on 2 cores: Ray starts a local cluster and an actor
def test_ray_local_mode_generates_the_same_pictures(tmp_path: Path) -> None:
    model = build_tiny_pipeline(tmp_path / "tiny-sd")
    requests = [GenerationRequest(str(i), f"street {i}", i) for i in range(4)]
    options = GeneratorOptions(spec=f"diffusers/{model}", steps=2, size=64, batch_size=2)
    local = open_generator(options)
    expected = {r.request.key: r.png for r in local.generate(requests)}
    local.close()
    on_ray = open_generator(options.model_copy(update={"ray_address": "local"}))
    try:
        got = {r.request.key: r.png for r in on_ray.generate(requests)}
    finally:
        on_ray.close()
    assert set(got) == set(expected) and all(got.values())
    for key, png in got.items():  # the same seeds give the same pictures, up to float rounding of batch shapes
        difference = np.abs(_pixels(png or b"") - _pixels(expected[key] or b""))
        assert difference.max() <= 2, key


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
