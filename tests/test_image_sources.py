"""Image kinds come from the ``ksafe.image_sources`` registry: builds, pack checks and renderers agree."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from ksafe.build.pipeline import image_kind_lists
from ksafe.errors import KsafeError
from ksafe.images import IMAGE_SOURCES, RENDERERS, RendererInfo, get_renderer, image_kinds
from ksafe.images.canvas import Canvas


def _draw(canvas: Canvas, text: str, rng: random.Random) -> None:
    canvas.draw.rectangle((10, 10, 50, 50), fill=0)


@dataclass(frozen=True)
class FakeGenerator:
    """What an image generator plugin looks like to ksafe (it needs an image model)."""

    name: str = "fake_diffusion"
    description: str = "A picture from a model."
    text_only: bool = False
    needs_generator: bool = True


@pytest.fixture
def plugins() -> Iterator[None]:
    IMAGE_SOURCES.register(RendererInfo("plain_box", "A box.", _draw, mode="L", background=255, text_only=True), "p")
    IMAGE_SOURCES.register(FakeGenerator(), "g")  # type: ignore[arg-type]
    yield
    IMAGE_SOURCES.reset()


def test_builtin_kinds_split_into_text_only_and_scenes() -> None:
    c_kinds, g_kinds = image_kind_lists()
    assert c_kinds == image_kinds(needs_generator=False) == list(RENDERERS)
    assert g_kinds == ["typography", "numbered_list"]
    # the picture kinds are registered too, but wait for an image generator
    assert image_kinds(needs_generator=True) == ["sd", "sd_typography", "scene_news_photo"]
    assert not set(image_kinds(needs_generator=True)) & set(c_kinds)
    assert all(IMAGE_SOURCES.entries()[kind].distribution == "ksafe" for kind in c_kinds)


def test_plugin_renderers_join_builds_and_generators_wait_for_a_model(plugins: None) -> None:
    c_kinds, g_kinds = image_kind_lists()
    assert c_kinds[-1] == "plain_box" and g_kinds[-1] == "plain_box"
    assert "fake_diffusion" not in c_kinds and image_kinds(needs_generator=True)[-1] == "fake_diffusion"
    assert image_kind_lists(with_generator=True)[0][-1] == "fake_diffusion"
    assert "plain_box" in RENDERERS and "fake_diffusion" not in RENDERERS
    with pytest.raises(KsafeError, match="'fake_diffusion' is not a renderer"):
        get_renderer("fake_diffusion")


def test_an_object_that_is_no_image_source_is_refused() -> None:
    with pytest.raises(KsafeError, match=r"broken-plugin.*not a valid image kind.*lacks name"):
        IMAGE_SOURCES.register(object(), "broken-plugin")  # type: ignore[arg-type]
    assert "typography" in image_kinds()
