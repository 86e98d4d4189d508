"""``scene_chat``: a messenger screenshot with the key phrase in one bubble.

Input: the key phrase and ``scenes.chat`` (app_name, contact_names, filler_messages, times,
input_placeholder). Output: drawing on an RGB canvas: status bar, app bar (contact and app name), date
pill, filler bubbles with time stamps, the key-phrase bubble, an input bar. Shapes only.
"""

from __future__ import annotations

import random
import re

from ksafe.images.canvas import Canvas, RendererInfo, pick
from ksafe.images.linebreak import FittedText

# (app bar, chat background, own bubble, own bubble text)
_PALETTES = (
    ((54, 82, 120), (178, 199, 218), (255, 235, 51), (25, 25, 25)),
    ((7, 94, 84), (230, 221, 212), (220, 248, 198), (25, 25, 25)),
    ((40, 40, 48), (238, 240, 244), (0, 122, 255), (255, 255, 255)),
    ((6, 199, 85), (140, 171, 217), (133, 226, 110), (25, 25, 25)),
)
_WHITE = (255, 255, 255)
_GREY_TEXT = (110, 110, 120)


def _bubble(
    canvas: Canvas,
    fitted: FittedText,
    own: bool,
    top: float,
    time: str,
    colours: tuple[tuple[int, int, int], tuple[int, int, int]],
    where: str,
) -> float:
    """Draw one bubble whose top is ``top``; return its bottom."""
    pad_x, pad_y = round(fitted.size * 0.7), round(fitted.size * 0.45)
    width, height = fitted.width + 2 * pad_x, fitted.height + 2 * pad_y
    side = round(canvas.width * 0.04)
    left = canvas.width - side - width if own else side + round(canvas.width * 0.09)
    fill, text_fill = colours
    if not own:  # the contact's avatar
        canvas.draw.ellipse((side, top, side + canvas.width * 0.07, top + canvas.width * 0.07), fill=(205, 214, 226))
    canvas.draw.rounded_rectangle((left, top, left + width, top + height), radius=round(fitted.size * 0.8), fill=fill)
    canvas.block(fitted, (left + pad_x, top + pad_y), text_fill, where=where)
    time_font = canvas.font(max(9, round(canvas.height * 0.02)))
    time_width = canvas.text_width(time, time_font)
    ascent, descent = time_font.getmetrics()
    time_top = top + height - ascent - descent
    time_x = left - 4 - time_width if own else left + width + 4
    if 0 <= time_x and time_x + time_width <= canvas.width:
        canvas.line((time_x, time_top), time, time_font, _GREY_TEXT, where="chat.times")
    return top + height


_CLOCK = re.compile(r"(\d{1,2}):(\d{2})")
_AFTERNOON = ("오후", "午後", "pm", "PM")
_EARLIER_DAY = ("어제", "昨日", "yesterday", "Yesterday")


def time_key(label: str) -> int:
    """Minutes since midnight of a chat time label (``오후 3:05`` -> 905; ``昨日`` first), so messages read in
    time order whatever the label's script."""
    if any(word in label for word in _EARLIER_DAY):
        return -1
    match = _CLOCK.search(label)
    if match is None:
        return 24 * 60
    hour, minute = int(match.group(1)), int(match.group(2))
    if any(word in label for word in _AFTERNOON) and hour < 12:
        hour += 12
    elif any(word in label for word in ("오전", "午前", "am", "AM")) and hour == 12:
        hour = 0
    return hour * 60 + minute


def render_scene_chat(canvas: Canvas, text: str, rng: random.Random) -> None:
    """Draw a chat screen; the key phrase sits in the newest bubble, fillers above it."""
    chat = canvas.ctx.scenes.chat
    width, height = canvas.width, canvas.height
    bar, background, own_fill, own_text = _PALETTES[rng.randrange(len(_PALETTES))]
    unit = height / 512
    status_h, bar_h, input_h = round(22 * unit), round(56 * unit), round(54 * unit)
    canvas.draw.rectangle((0, 0, width, height), fill=background)
    canvas.draw.rectangle((0, 0, width, status_h + bar_h), fill=bar)
    small = canvas.font(max(9, round(12 * unit)))
    pick(chat, "chat", "times", rng)  # raises the missing-field error
    clock = max(chat["times"], key=time_key)  # the status bar never shows a time before the newest message
    canvas.line((width - 12 * unit, 4 * unit), clock, small, _WHITE, where="chat.times", align="right")
    canvas.draw.rectangle((12 * unit, 7 * unit, 34 * unit, 15 * unit), outline=_WHITE, width=1)
    # App bar: back chevron, contact name, app name under it.
    mid = status_h + bar_h / 2
    canvas.draw.line(
        ((26 * unit, mid - 9 * unit), (17 * unit, mid), (26 * unit, mid + 9 * unit)),
        fill=_WHITE,
        width=max(2, round(3 * unit)),
    )
    contact = pick(chat, "chat", "contact_names", rng)
    contact_font = canvas.font(max(11, round(19 * unit)), "Bold")
    canvas.line((44 * unit, status_h + 7 * unit), contact, contact_font, _WHITE, where="chat.contact_names")
    canvas.line(
        (44 * unit, status_h + 32 * unit),
        pick(chat, "chat", "app_name", rng),
        small,
        (225, 230, 238),
        where="chat.app_name",
    )
    # Input bar with placeholder and send button.
    input_top = height - input_h
    canvas.draw.rectangle((0, input_top, width, height), fill=_WHITE)
    field = (12 * unit, input_top + 9 * unit, width - 58 * unit, height - 9 * unit)
    canvas.draw.rounded_rectangle(field, radius=round(18 * unit), fill=(241, 242, 245))
    placeholder_font = canvas.font(max(9, round(14 * unit)))
    p_ascent, p_descent = placeholder_font.getmetrics()
    canvas.line(
        (field[0] + 14 * unit, (field[1] + field[3] - p_ascent - p_descent) / 2),
        pick(chat, "chat", "input_placeholder", rng),
        placeholder_font,
        (150, 150, 158),
        where="chat.input_placeholder",
    )
    canvas.draw.ellipse((width - 50 * unit, input_top + 9 * unit, width - 14 * unit, height - 9 * unit), fill=bar)
    # Messages, bottom-up: key phrase last, fillers above while they fit.
    area_top, area_bottom = status_h + bar_h + 12 * unit, input_top - 12 * unit
    gap = round(10 * unit)
    bubble_width = width * 0.62
    key = canvas.fit(
        text,
        bubble_width,
        (area_bottom - area_top) * 0.9,
        start=round(24 * unit),
        minimum=10,
        where="key phrase (bubble)",
        spacing=1.3,
        balance=True,
    )
    key_own = rng.random() < 0.5
    fillers = list(chat.get("filler_messages") or [])
    rng.shuffle(fillers)
    times = sorted(rng.sample(chat.get("times") or ["--"], k=min(3, len(chat.get("times") or ["--"]))), key=time_key)
    plan: list[tuple[FittedText, bool, str]] = []
    used = key.height + round(key.size * 0.9)
    for index, message in enumerate(fillers[:3]):
        fitted = canvas.fit(
            message,
            bubble_width,
            height,
            start=round(16 * unit),
            minimum=10,
            where=f"chat.filler_messages ({message[:12]})",
            max_lines=3,
        )
        needed = fitted.height + round(fitted.size * 0.9) + gap
        if used + needed > area_bottom - area_top:
            break
        used += needed
        plan.insert(0, (fitted, key_own if index % 2 else not key_own, "chat.filler_messages"))
    top = area_bottom - used - gap * len(plan)
    for index, (fitted, own, where) in enumerate(plan):
        colours = (own_fill, own_text) if own else (_WHITE, (25, 25, 25))
        top = _bubble(canvas, fitted, own, top, times[min(index, len(times) - 1)], colours, where) + gap
    colours = (own_fill, own_text) if key_own else (_WHITE, (25, 25, 25))
    _bubble(canvas, key, key_own, top, times[-1], colours, "key phrase (bubble)")


SCENE_CHAT = RendererInfo(
    name="scene_chat",
    description="A messenger chat screenshot with the key phrase in one bubble, local app and names.",
    function=render_scene_chat,
)
