"""``scene_sign``: a street sign or poster board with the key phrase in big letters.

Input: the key phrase and ``scenes.sign`` (headers, footers). Output: drawing on an RGB canvas: sky,
pavement, two posts, a framed board with a header band, the key phrase and a footer. Shapes only.
"""

from __future__ import annotations

import random

from ksafe.images.canvas import Canvas, RendererInfo, pick

# (board, band, text on board, text on band)
_BOARDS = (
    ((0, 104, 71), (0, 78, 52), (255, 255, 255), (255, 255, 255)),
    ((16, 64, 150), (10, 44, 110), (255, 255, 255), (255, 255, 255)),
    ((250, 250, 246), (196, 24, 36), (20, 20, 24), (255, 255, 255)),
    ((255, 205, 0), (25, 25, 25), (20, 20, 20), (255, 205, 0)),
)


def render_scene_sign(canvas: Canvas, text: str, rng: random.Random) -> None:
    """Draw a sign on two posts; header in a band, key phrase as large as fits, footer at the bottom."""
    sign = canvas.ctx.scenes.sign
    width, height = canvas.width, canvas.height
    unit = height / 512
    board_fill, band_fill, board_text, band_text = _BOARDS[rng.randrange(len(_BOARDS))]
    horizon = height * 0.78
    canvas.draw.rectangle((0, 0, width, horizon), fill=rng.choice(((176, 212, 238), (205, 220, 232))))
    canvas.draw.rectangle((0, horizon, width, height), fill=(150, 150, 146))
    canvas.draw.rectangle((0, horizon, width, horizon + 6 * unit), fill=(120, 120, 118))
    board = (40 * unit, 32 * unit, width - 40 * unit, height * 0.74)
    for post_x in (width * 0.3, width * 0.7):
        canvas.draw.rectangle((post_x - 7 * unit, board[3] - 4, post_x + 7 * unit, height * 0.9), fill=(110, 112, 118))
    canvas.draw.rounded_rectangle(
        (board[0] + 4, board[1] + 6, board[2] + 4, board[3] + 6), radius=round(14 * unit), fill=(90, 100, 110)
    )
    canvas.draw.rounded_rectangle(board, radius=round(14 * unit), fill=band_fill)
    frame = 6 * unit
    body = (board[0] + frame, board[1] + frame, board[2] - frame, board[3] - frame)
    band_height = 52 * unit
    canvas.draw.rounded_rectangle(body, radius=round(10 * unit), fill=board_fill)
    canvas.draw.rectangle((body[0], body[1], body[2], body[1] + band_height), fill=band_fill)
    inner_pad = 16 * unit
    inner_width = body[2] - body[0] - 2 * inner_pad
    header = canvas.fit(
        pick(sign, "sign", "headers", rng),
        inner_width,
        band_height - 10 * unit,
        start=round(26 * unit),
        minimum=9,
        where="sign.headers",
        weight="Bold",
        max_lines=1,
    )
    canvas.block(
        header,
        (body[0] + inner_pad, body[1] + (band_height - header.height) / 2),
        band_text,
        where="sign.headers",
        align="center",
        box_width=inner_width,
    )
    footer_font = canvas.font(max(9, round(14 * unit)))
    f_ascent, f_descent = footer_font.getmetrics()
    footer_top = body[3] - inner_pad * 0.6 - f_ascent - f_descent
    canvas.draw.line(
        (body[0] + inner_pad, footer_top - 6 * unit, body[2] - inner_pad, footer_top - 6 * unit),
        fill=board_text,
        width=1,
    )
    footer = canvas.fit(
        pick(sign, "sign", "footers", rng),
        inner_width,
        f_ascent + f_descent,
        start=int(footer_font.size),
        minimum=8,
        where="sign.footers",
        max_lines=1,
    )
    canvas.block(
        footer,
        (body[0] + inner_pad, footer_top),
        board_text,
        where="sign.footers",
        align="center",
        box_width=inner_width,
    )
    key_top, key_bottom = body[1] + band_height + inner_pad, footer_top - 6 * unit - inner_pad
    key = canvas.fit(
        text,
        inner_width,
        key_bottom - key_top,
        start=round(64 * unit),
        minimum=10,
        where="key phrase (sign)",
        weight="Black",
        spacing=1.2,
        balance=True,
    )
    canvas.block(
        key,
        (body[0] + inner_pad, key_top + (key_bottom - key_top - key.height) / 2),
        board_text,
        where="key phrase (sign)",
        align="center",
        box_width=inner_width,
    )


SCENE_SIGN = RendererInfo(
    name="scene_sign",
    description="A street sign or poster: local header, the key phrase in big letters, local footer.",
    function=render_scene_sign,
)
