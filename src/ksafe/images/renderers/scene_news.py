"""``scene_news``: a news card whose headline carries the key phrase.

Input: the key phrase and ``scenes.news`` (outlets, sections, headline_prefixes, dates, captions).
Output: drawing on an RGB canvas: outlet masthead, section tag, headline (prefix + key phrase), date,
an illustration made of shapes, and a caption.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from ksafe.images.canvas import Canvas, RendererInfo, pick

_ACCENTS = ((200, 16, 46), (0, 82, 155), (20, 20, 20), (0, 110, 90))
_INK = (20, 20, 24)
_MUTED = (105, 108, 115)


def _illustration(canvas: Canvas, box: tuple[float, float, float, float], rng: random.Random) -> None:
    """A flat city-skyline picture: sky, sun, buildings with windows, street."""
    left, top, right, bottom = box
    sky = rng.choice(((186, 212, 235), (236, 214, 190), (200, 206, 220)))
    canvas.draw.rectangle(box, fill=sky)
    radius = (bottom - top) * 0.14
    sun_x = left + (right - left) * rng.uniform(0.6, 0.85)
    canvas.draw.ellipse((sun_x - radius, top + radius * 0.6, sun_x + radius, top + radius * 2.6), fill=(250, 240, 200))
    street = bottom - (bottom - top) * 0.12
    x = left
    while x < right:
        building_w = (right - left) * rng.uniform(0.07, 0.14)
        building_top = top + (bottom - top) * rng.uniform(0.25, 0.7)
        shade = rng.randrange(70, 140)
        canvas.draw.rectangle(
            (x, building_top, min(right, x + building_w), street), fill=(shade, shade + 8, shade + 20)
        )
        window_y = building_top + 6
        while window_y + 5 < street - 4:
            window_x = x + 4
            while window_x + 5 < min(right, x + building_w) - 3:
                canvas.draw.rectangle((window_x, window_y, window_x + 4, window_y + 5), fill=(235, 225, 160))
                window_x += 9
            window_y += 11
        x += building_w + rng.uniform(1, 6)
    canvas.draw.rectangle((left, street, right, bottom), fill=(90, 90, 96))


Illustrate = Callable[[Canvas, tuple[float, float, float, float], random.Random], None]


def render_scene_news(canvas: Canvas, text: str, rng: random.Random) -> None:
    """Draw a news card; the headline is a local prefix followed by the key phrase."""
    draw_news_card(canvas, text, rng, _illustration)


def draw_news_card(canvas: Canvas, text: str, rng: random.Random, illustrate: Illustrate) -> None:
    """Draw a news card whose photo box is filled by ``illustrate`` (shapes, or a generated photo)."""
    news = canvas.ctx.scenes.news
    width, height = canvas.width, canvas.height
    unit = height / 512
    accent = _ACCENTS[rng.randrange(len(_ACCENTS))]
    margin = round(26 * unit)
    canvas.draw.rectangle((0, 0, width, height), fill=(255, 255, 255))
    # Masthead.
    canvas.draw.rectangle((0, 0, width, round(6 * unit)), fill=accent)
    section_font = canvas.font(max(9, round(13 * unit)), "Bold")
    section = pick(news, "news", "sections", rng)
    section_w = canvas.text_width(section, section_font)
    ascent, descent = section_font.getmetrics()
    tag = (width - margin - section_w - 16 * unit, 20 * unit, width - margin, 20 * unit + ascent + descent + 6 * unit)
    canvas.draw.rounded_rectangle(tag, radius=round(4 * unit), fill=accent)
    canvas.line((tag[0] + 8 * unit, tag[1] + 3 * unit), section, section_font, (255, 255, 255), where="news.sections")
    outlet = canvas.fit(
        pick(news, "news", "outlets", rng),
        tag[0] - margin - 12 * unit,
        40 * unit,
        start=max(12, round(24 * unit)),
        minimum=9,
        where="news.outlets",
        weight="Black",
        max_lines=1,
    )
    canvas.block(outlet, (margin, 14 * unit), accent, where="news.outlets")
    rule_y = round(58 * unit)
    canvas.draw.line((margin, rule_y, width - margin, rule_y), fill=(210, 210, 214), width=1)
    # Headline: prefix + key phrase, as large as fits in up to 40% of the card.
    prefix = pick(news, "news", "headline_prefixes", rng).strip()
    joiner = " " if canvas.ctx.line_breaking.mode == "words" else ""
    headline = f"{prefix}{joiner}{text}" if prefix else text
    headline_top = rule_y + round(14 * unit)
    fitted = canvas.fit(
        headline,
        width - 2 * margin,
        height * 0.42,
        start=round(34 * unit),
        minimum=10,
        where="key phrase (headline)",
        weight="Bold",
        spacing=1.25,
        balance=True,
    )
    canvas.block(fitted, (margin, headline_top), _INK, where="key phrase (headline)")
    date_font = canvas.font(max(9, round(13 * unit)))
    date_top = headline_top + fitted.height + round(8 * unit)
    canvas.line((margin, date_top), pick(news, "news", "dates", rng), date_font, _MUTED, where="news.dates")
    # Illustration and caption fill the rest.
    caption_font = canvas.font(max(9, round(12 * unit)))
    c_ascent, c_descent = caption_font.getmetrics()
    photo_top = date_top + sum(date_font.getmetrics()) + round(10 * unit)
    caption_top = height - margin - c_ascent - c_descent
    photo_bottom = caption_top - round(6 * unit)
    if photo_bottom - photo_top >= 40 * unit:
        illustrate(canvas, (margin, photo_top, width - margin, photo_bottom), rng)
    caption = pick(news, "news", "captions", rng)
    caption_fit = canvas.fit(
        caption,
        width - 2 * margin,
        c_ascent + c_descent,
        start=int(caption_font.size),
        minimum=8,
        where="news.captions",
        max_lines=1,
    )
    canvas.block(caption_fit, (margin, caption_top), _MUTED, where="news.captions")


SCENE_NEWS = RendererInfo(
    name="scene_news",
    description="A news card with a local outlet and section; the headline carries the key phrase.",
    function=render_scene_news,
)
