"""Kinds that show a generated picture: ``sd``, ``sd_typography`` (MM-SafetyBench SD+TYPO) and
``scene_news_photo``.

Input: the key phrase, the generated picture (PNG bytes), a ``RenderContext`` and a seed. Output: PNG bytes of
the composed image. Side effects: none. The composition is deterministic given the picture, so a resumed
build that kept the picture gives the same bytes.
"""

from __future__ import annotations

import dataclasses
import io
import random
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageOps

from ksafe.errors import KsafeError
from ksafe.images.canvas import Canvas, RenderContext, RendererInfo
from ksafe.images.renderers.scene_news import draw_news_card

Compose = Callable[[RenderContext, str, Image.Image, random.Random], Canvas]

TYPO_BAND_MAX = 0.5
"""The typeset band under an SD+TYPO picture is at most this fraction of the width."""


def _needs_picture(canvas: Canvas, text: str, rng: random.Random) -> None:
    raise KsafeError(f"image kind {canvas.kind!r} shows a generated picture: build with --image-generator")


@dataclass(frozen=True)
class PictureKind(RendererInfo):
    """A renderer whose image is built around a generated picture."""

    compose: Compose | None = None
    """Draws the kind from the key phrase and the picture."""


def fit_picture(picture: Image.Image, width: int, height: int) -> Image.Image:
    """Scale and centre-crop ``picture`` to exactly ``width`` x ``height`` (no distortion)."""
    return ImageOps.fit(picture.convert("RGB"), (width, height), method=Image.Resampling.LANCZOS)


def compose_sd(ctx: RenderContext, text: str, picture: Image.Image, rng: random.Random) -> Canvas:
    """The picture alone, at the context's size (MM-SafetyBench SD)."""
    canvas = Canvas.new(ctx, "sd", "RGB", (255, 255, 255))
    canvas.image.paste(fit_picture(picture, ctx.width, ctx.height), (0, 0))
    return canvas


def compose_sd_typography(ctx: RenderContext, text: str, picture: Image.Image, rng: random.Random) -> Canvas:
    """A square picture with the key phrase typeset in a white band beneath it (MM-SafetyBench SD+TYPO).

    The band is as tall as the fitted text plus margins (at most half the width), so the image is
    ``width`` x ``width + band``; the text is bold black, centred, broken by the pack's line-breaking rules.
    """
    width = ctx.width
    margin = round(width * 0.04)
    tall = dataclasses.replace(ctx, height=width + round(width * TYPO_BAND_MAX))
    probe = Canvas.new(tall, "sd_typography", "RGB", (255, 255, 255))
    box_width = width - 2 * margin
    box_height = round(width * TYPO_BAND_MAX) - 2 * margin
    fitted = probe.fit(
        text,
        box_width,
        box_height,
        start=max(16, width // 11),
        minimum=10,
        where="key phrase",
        weight="Bold",
        spacing=1.2,
        balance=True,
    )
    band = round(fitted.height) + 2 * margin
    canvas = Canvas.new(dataclasses.replace(ctx, height=width + band), "sd_typography", "RGB", (255, 255, 255))
    canvas.image.paste(fit_picture(picture, width, width), (0, 0))
    canvas.block(fitted, (margin, width + margin), (0, 0, 0), where="key phrase", align="center", box_width=box_width)
    return canvas


def compose_news_photo(ctx: RenderContext, text: str, picture: Image.Image, rng: random.Random) -> Canvas:
    """The ``scene_news`` card with the generated picture as its press photo."""
    canvas = Canvas.new(ctx, "scene_news_photo", "RGB", (255, 255, 255))

    def photo(target: Canvas, box: tuple[float, float, float, float], _: random.Random) -> None:
        left, top, right, bottom = (round(v) for v in box)
        target.image.paste(fit_picture(picture, right - left, bottom - top), (left, top))

    draw_news_card(canvas, text, rng, photo)
    return canvas


SD = PictureKind(
    name="sd",
    description="A generated picture of the key phrase's concept, no text (MM-SafetyBench SD).",
    function=_needs_picture,
    needs_generator=True,
    compose=compose_sd,
)
SD_TYPOGRAPHY = PictureKind(
    name="sd_typography",
    description="A generated picture with the key phrase typeset beneath it (MM-SafetyBench SD+TYPO).",
    function=_needs_picture,
    needs_generator=True,
    compose=compose_sd_typography,
)
SCENE_NEWS_PHOTO = PictureKind(
    name="scene_news_photo",
    description="A local news card whose headline carries the key phrase, with a generated press photo.",
    function=_needs_picture,
    needs_generator=True,
    compose=compose_news_photo,
)

PICTURE_KINDS: dict[str, PictureKind] = {k.name: k for k in (SD, SD_TYPOGRAPHY, SCENE_NEWS_PHOTO)}
"""Every picture kind, by name."""
PICTURE_KINDS_LIST: tuple[PictureKind, ...] = tuple(PICTURE_KINDS.values())
"""What the ``ksafe.image_sources`` entry point names (each has ``needs_generator=True``)."""


def compose_png(kind: str, text: str, picture_png: bytes, ctx: RenderContext, seed: int) -> tuple[bytes, int, int]:
    """Compose image ``kind`` from the key phrase and a generated picture.

    Returns:
        ``(png_bytes, width, height)``; equal inputs give equal bytes.

    Raises:
        KsafeError: unknown kind, empty text, or text the font cannot draw.
    """
    from ksafe.images.render import encode_png

    info = PICTURE_KINDS.get(kind)
    if info is None or info.compose is None:
        raise KsafeError(f"unknown picture kind {kind!r}; known: {', '.join(PICTURE_KINDS)}")
    if not text.strip():
        raise KsafeError(f"{kind}: the text to render is empty")
    with Image.open(io.BytesIO(picture_png)) as picture:
        picture.load()
        canvas = info.compose(ctx, text, picture, random.Random(f"{kind}\x00{seed}"))
    return encode_png(canvas), canvas.width, canvas.height
