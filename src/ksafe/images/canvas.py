"""Render context and a checked drawing surface shared by every renderer.

Input: a ``RenderContext`` (font, line breaking, scene strings, size). Output: a ``Canvas`` whose text
helpers check glyph coverage of every string, fit text into boxes and refuse to draw outside the
image. Side effects: none (drawing happens in memory).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from PIL import Image, ImageDraw, ImageFont

from ksafe.cultures.pack_model import LineBreaking, SceneTexts
from ksafe.errors import KsafeError
from ksafe.images.fonts import ResolvedFont, load_font
from ksafe.images.glyphs import check_glyphs
from ksafe.images.linebreak import FittedText, fit_text, text_length

Color = tuple[int, int, int] | int
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class RenderContext:
    """Everything a renderer needs besides the text and the seed; picklable for worker processes."""

    font: ResolvedFont
    """Face that draws every string."""
    line_breaking: LineBreaking
    """The pack's line-breaking rules."""
    scenes: SceneTexts
    """The pack's scene strings."""
    width: int = 512
    """Image width in pixels."""
    height: int = 512
    """Image height in pixels."""


@dataclass
class Canvas:
    """An image being drawn, with checked text helpers.

    ``text_boxes`` records ``(where, text, box)`` of every line drawn, so tests can assert that nothing
    overflows and that the whole key phrase was drawn.
    """

    ctx: RenderContext
    kind: str
    image: Image.Image
    draw: ImageDraw.ImageDraw
    text_boxes: list[tuple[str, str, Box]] = field(default_factory=list)

    @classmethod
    def new(cls, ctx: RenderContext, kind: str, mode: Literal["L", "RGB"], background: Color) -> Canvas:
        """Create a blank canvas of the context's size."""
        image = Image.new(mode, (ctx.width, ctx.height), background)
        return cls(ctx=ctx, kind=kind, image=image, draw=ImageDraw.Draw(image))

    @property
    def width(self) -> int:
        return self.ctx.width

    @property
    def height(self) -> int:
        return self.ctx.height

    def font(self, size: int, weight: str | None = None) -> ImageFont.FreeTypeFont:
        """The context's face at ``size`` (``weight``: another named instance such as ``Bold``)."""
        return load_font(self.ctx.font, size, weight)

    def fit(
        self,
        text: str,
        box_width: float,
        box_height: float,
        *,
        start: int,
        minimum: int,
        where: str,
        weight: str | None = None,
        spacing: float = 1.3,
        max_lines: int | None = None,
        balance: bool = False,
    ) -> FittedText:
        """Glyph-check ``text`` and fit it into a box (largest size from ``start`` down to ``minimum``)."""
        check_glyphs(self.ctx.font, text, f"{self.kind}: {where}")
        return fit_text(
            text,
            self.ctx.font,
            box_width,
            box_height,
            self.ctx.line_breaking,
            start_size=start,
            min_size=minimum,
            line_spacing=spacing,
            weight=weight,
            max_lines=max_lines,
            balance=balance,
            where=f"{self.kind}: {where}",
        )

    def _record(self, where: str, text: str, box: Box) -> None:
        left, top, right, bottom = box
        if left < 0 or top < 0 or right > self.width or bottom > self.height:
            raise KsafeError(
                f"{self.kind}: {where}: text box {tuple(round(v) for v in box)} leaves the "
                f"{self.width}x{self.height} image"
            )
        self.text_boxes.append((where, text, box))

    def line(
        self,
        xy: tuple[float, float],
        text: str,
        font: ImageFont.FreeTypeFont,
        fill: Color,
        *,
        where: str,
        align: Literal["left", "center", "right"] = "left",
    ) -> Box:
        """Draw one line; ``xy`` is its top-left (or top-centre / top-right per ``align``)."""
        check_glyphs(self.ctx.font, text, f"{self.kind}: {where}")
        width = text_length(font, text)
        ascent, descent = font.getmetrics()
        x = xy[0] - (width / 2 if align == "center" else width if align == "right" else 0)
        box = (x, xy[1], x + width, xy[1] + ascent + descent)
        self._record(where, text, box)
        self.draw.text((x, xy[1]), text, font=font, fill=fill, anchor="la")
        return box

    def block(
        self,
        fitted: FittedText,
        xy: tuple[float, float],
        fill: Color,
        *,
        where: str,
        align: Literal["left", "center"] = "left",
        box_width: float | None = None,
    ) -> Box:
        """Draw a fitted block with its top-left at ``xy``; centred lines use ``box_width``."""
        x, y = xy
        right = x
        for index, text in enumerate(fitted.lines):
            top = y + index * fitted.line_height
            if align == "center" and box_width is not None:
                line_box = self.line((x + box_width / 2, top), text, fitted.font, fill, where=where, align="center")
            else:
                line_box = self.line((x, top), text, fitted.font, fill, where=where)
            right = max(right, line_box[2])
        return (x, y, right, y + fitted.height)

    def text_width(self, text: str, font: ImageFont.FreeTypeFont) -> float:
        """Advance width of ``text`` in pixels (cached)."""
        return text_length(font, text)


def pick(group: Mapping[str, list[str]], group_name: str, key: str, rng: random.Random) -> str:
    """Choose one scene string, e.g. ``pick(scenes.chat, "chat", "app_name", rng)``.

    Raises:
        KsafeError: the list is missing or empty (names ``scenes.<group>.<key>``).
    """
    values = group.get(key)
    if not values:
        raise KsafeError(f"scenes.yaml: scenes.{group_name}.{key}: missing or empty (needed by scene_{group_name})")
    return values[rng.randrange(len(values))]


@dataclass(frozen=True)
class RendererInfo:
    """A renderer: an image source (``ksafe.images.sources.ImageSource``) drawn offline with the pack's font."""

    name: str
    """Image kind, e.g. ``typography``."""
    description: str
    """One line for ``--help`` and the dataset card."""
    function: Callable[[Canvas, str, random.Random], None]
    """Draws ``text`` onto a fresh canvas; randomness only from the given ``Random``."""
    mode: Literal["L", "RGB"] = "RGB"
    """Pixel mode: ``L`` for black-on-white kinds (smaller, faster PNGs)."""
    background: Color = (255, 255, 255)
    """Fill of the fresh canvas."""
    needs_generator: bool = False
    """The kind shows a generated picture: it exists only in builds given ``--image-generator``."""
    text_only: bool = False
    """Draws only the key phrase (no pack scene strings), so subset G and its English version use it."""
