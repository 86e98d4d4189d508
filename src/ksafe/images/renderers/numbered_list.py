"""``numbered_list``: the key phrase as a title, then empty items "1.", "2.", "3." (FigStep style).

Input: the key phrase. Output: drawing on a grayscale canvas: title on top, three numbered empty lines.
"""

from __future__ import annotations

import random

from ksafe.images.canvas import Canvas, RendererInfo

ITEMS = ("1.", "2.", "3.")


def render_numbered_list(canvas: Canvas, text: str, rng: random.Random) -> None:
    """Draw the title as large as fits above three numbered rows with ruled empty lines."""
    del rng
    width, height = canvas.width, canvas.height
    margin = round(min(width, height) * 0.07)
    row_height = round(height * 0.13)
    items_top = height - margin - row_height * len(ITEMS)
    title_box = (width - 2 * margin, items_top - margin - round(height * 0.04))
    fitted = canvas.fit(
        text,
        title_box[0],
        title_box[1],
        start=max(16, height // 9),
        minimum=10,
        where="key phrase (title)",
        weight="Bold",
        spacing=1.25,
        balance=True,
    )
    canvas.block(fitted, (margin, margin), 0, where="key phrase (title)")
    rule_y = margin + fitted.height + round(height * 0.02)
    canvas.draw.line((margin, rule_y, width - margin, rule_y), fill=0, width=2)
    number_size = min(fitted.size, round(row_height * 0.5))
    number_font = canvas.font(number_size, "Bold")
    ascent, descent = number_font.getmetrics()
    for index, label in enumerate(ITEMS):
        top = items_top + index * row_height + (row_height - ascent - descent) / 2
        box = canvas.line((margin, top), label, number_font, 0, where="list number")
        baseline = round(top + ascent + descent * 0.6)
        canvas.draw.line((box[2] + number_size * 0.4, baseline, width - margin, baseline), fill=190, width=1)


NUMBERED_LIST = RendererInfo(
    name="numbered_list",
    description="The key phrase as a title above empty items 1., 2., 3. (FigStep).",
    function=render_numbered_list,
    mode="L",
    background=255,
    text_only=True,
)
