"""The openai images backend against a fake images API on 127.0.0.1: retries, faults, bounded concurrency."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from imagekit.server import fake_images_server
from ksafe.errors import KsafeError
from ksafe.images.generators.base import GenerationRequest, GeneratorOptions, open_generator

SECRET = "sk-test-secret-0123456789"


@pytest.fixture
def api_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)


def _generate(base_url: str, monkeypatch: pytest.MonkeyPatch, prompts: list[str], **options: object) -> dict:
    monkeypatch.setenv("OPENAI_BASE_URL", base_url)
    opts = GeneratorOptions(spec="openai/fake-image-1", size=256, **options)  # type: ignore[arg-type]
    generator = open_generator(opts)
    requests = [GenerationRequest(key=str(i), prompt=p, seed=i) for i, p in enumerate(prompts)]
    return {r.request.prompt: r for r in generator.generate(requests)}


def test_faults_are_retried_and_refusals_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, api_env: None
) -> None:
    faults = {
        "[429]": "429_once",
        "[500]": "500_once",
        "[timeout]": "timeout_once",
        "[notimage]": "not_image_once",
        "[html]": "html_once",
        "[refuse]": "refuse",
    }
    prompts = ["plain street", *(f"{marker} picture" for marker in faults)]
    with fake_images_server(tmp_path / "server", faults=faults) as server:
        results = _generate(server.base_url, monkeypatch, prompts, timeout_s=1.5, retries=3, concurrency=4)
        log = server.requests()
    assert set(results) == set(prompts)
    for prompt in prompts:
        result = results[prompt]
        if "[refuse]" in prompt:
            assert result.png is None and result.refused
            continue
        assert result.png is not None, (prompt, result.error)
        with Image.open(io.BytesIO(result.png)) as image:
            assert image.format == "PNG" and image.size == (256, 256)
    asked = {p: sum(1 for e in log if e["prompt"] == p) for p in prompts}
    assert asked["plain street"] == 1
    for marker in ("[429]", "[500]", "[notimage]", "[html]"):
        assert asked[f"{marker} picture"] == 2, marker  # failed once, then answered
    assert asked["[refuse] picture"] == 1  # a refusal is not retried


def test_concurrency_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, api_env: None) -> None:
    prompts = [f"picture {i}" for i in range(24)]
    with fake_images_server(tmp_path / "server", latency_ms=100) as server:
        results = _generate(server.base_url, monkeypatch, prompts, concurrency=6)
        log = server.requests()
    assert all(r.png for r in results.values())
    peak = max(e["max_in_flight"] for e in log)
    assert 3 <= peak <= 6


def test_persistent_failures_name_no_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, api_env: None) -> None:
    with fake_images_server(tmp_path / "server", faults={"[echo]": "echo_key"}) as server:
        results = _generate(server.base_url, monkeypatch, ["[echo] street"], retries=1)
    result = results["[echo] street"]
    assert result.png is None and result.error
    assert SECRET not in result.error and "***" in result.error


def test_missing_key_is_a_user_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(KsafeError, match="OPENAI_API_KEY"):
        open_generator(GeneratorOptions(spec="openai/gpt-image-1"))


def test_unknown_backend_and_bad_spec() -> None:
    with pytest.raises(KsafeError, match="unknown image generator backend 'nope'"):
        open_generator(GeneratorOptions(spec="nope/model"))
    with pytest.raises(KsafeError, match="<backend>/<model>"):
        open_generator(GeneratorOptions(spec="gpt-image-1"))
