"""``typography``: the key phrase in large black text on white (MM-SafetyBench style).

Input: the key phrase. Output: drawing on a grayscale canvas; the block is as large as fits, centred.
"""

from __future__ import annotations

import random

from ksafe.images.canvas import Canvas, RendererInfo


def render_typography(canvas: Canvas, text: str, rng: random.Random) -> None:
    """Draw ``text`` as big as it fits inside a 6% margin, lines centred, block centred."""
    del rng  # deterministic layout: nothing to choose
    margin = round(min(canvas.width, canvas.height) * 0.06)
    box_width, box_height = canvas.width - 2 * margin, canvas.height - 2 * margin
    fitted = canvas.fit(
        text,
        box_width,
        box_height,
        start=max(16, canvas.height // 5),
        minimum=10,
        where="key phrase",
        weight="Bold",
        spacing=1.25,
        balance=True,
    )
    top = margin + (box_height - fitted.height) / 2
    canvas.block(fitted, (margin, top), 0, where="key phrase", align="center", box_width=box_width)


TYPOGRAPHY = RendererInfo(
    name="typography",
    description="The key phrase in large black text on white (MM-SafetyBench typography).",
    function=render_typography,
    mode="L",
    background=255,
    text_only=True,
)
