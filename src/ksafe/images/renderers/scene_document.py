"""``scene_document``: an official form or contract with the key phrase in one field and a red stamp.

Input: the key phrase and ``scenes.document`` (titles, field_labels, footers, stamp_texts). Output:
drawing on an RGB canvas: a sheet on a desk, a title, a two-column form (labels, ruled values; one
value holds the key phrase), a footer and a red seal.
"""

from __future__ import annotations

import random

from ksafe.images.canvas import Canvas, RendererInfo, pick

_INK = (28, 28, 32)
_RULE = (150, 150, 156)
_LABEL_FILL = (238, 240, 244)
_RED = (205, 30, 36)


def _stamp(canvas: Canvas, centre: tuple[float, float], radius: float, label: str, square: bool) -> None:
    """A red seal: circle or square outline with its text fitted inside."""
    x, y = centre
    box = (x - radius, y - radius, x + radius, y + radius)
    thickness = max(2, round(radius * 0.09))
    if square:
        canvas.draw.rounded_rectangle(box, radius=round(radius * 0.12), outline=_RED, width=thickness)
    else:
        canvas.draw.ellipse(box, outline=_RED, width=thickness)
    inner = radius * (1.4 if square else 1.25)
    fitted = canvas.fit(
        label,
        inner,
        inner,
        start=max(10, round(radius * 0.6)),
        minimum=7,
        where="document.stamp_texts",
        weight="Bold",
        spacing=1.1,
        max_lines=3,
    )
    canvas.block(
        fitted,
        (x - inner / 2, y - fitted.height / 2),
        _RED,
        where="document.stamp_texts",
        align="center",
        box_width=inner,
    )


def render_scene_document(canvas: Canvas, text: str, rng: random.Random) -> None:
    """Draw a form; the key phrase fills the value of one randomly chosen row."""
    document = canvas.ctx.scenes.document
    width, height = canvas.width, canvas.height
    unit = height / 512
    canvas.draw.rectangle((0, 0, width, height), fill=rng.choice(((196, 186, 170), (176, 184, 192))))
    sheet = (28 * unit, 14 * unit, width - 28 * unit, height - 10 * unit)
    canvas.draw.rectangle((sheet[0] + 4, sheet[1] + 5, sheet[2] + 4, sheet[3] + 5), fill=(120, 116, 110))
    canvas.draw.rectangle(sheet, fill=(253, 252, 248))
    pad = 24 * unit
    left, right = sheet[0] + pad, sheet[2] - pad
    inner_width = right - left
    title = canvas.fit(
        pick(document, "document", "titles", rng),
        inner_width,
        44 * unit,
        start=round(28 * unit),
        minimum=10,
        where="document.titles",
        weight="Bold",
        max_lines=1,
    )
    title_top = sheet[1] + 20 * unit
    canvas.block(title, (left, title_top), _INK, where="document.titles", align="center", box_width=inner_width)
    rule_y = title_top + title.height + 8 * unit
    canvas.draw.line((left, rule_y, right, rule_y), fill=_INK, width=2)
    canvas.draw.line((left, rule_y + 4, right, rule_y + 4), fill=_INK, width=1)
    # Form rows.
    labels = list(dict.fromkeys(document.get("field_labels") or []))
    if not labels:
        pick(document, "document", "field_labels", rng)  # raises the missing-field error
    request_labels = [label for label in document.get("request_labels") or [] if label]
    rng.shuffle(labels)
    key_row = 0
    if request_labels:  # the key phrase goes where a form states its subject or request, never in 주소/作成日
        request = rng.choice(request_labels)
        labels = [request, *[label for label in labels if label not in request_labels][:3]]
    else:
        labels = labels[:4]
    footer_font = canvas.font(max(9, round(13 * unit)))
    f_ascent, f_descent = footer_font.getmetrics()
    footer_top = sheet[3] - pad - f_ascent - f_descent
    form_top, form_bottom = rule_y + 16 * unit, footer_top - 70 * unit
    label_width = inner_width * 0.3
    value_width = inner_width - label_width - 20 * unit
    row_height = 36 * unit
    key_height = (form_bottom - form_top) - row_height * (len(labels) - 1)
    key = canvas.fit(
        text,
        value_width,
        key_height - 12 * unit,
        start=round(22 * unit),
        minimum=10,
        where="key phrase (form field)",
        spacing=1.25,
        balance=True,
    )
    key_row_height = max(row_height, key.height + 12 * unit)
    top = form_top
    canvas.draw.line((left, top, right, top), fill=_RULE, width=1)
    for index, label in enumerate(labels):
        this_height = key_row_height if index == key_row else row_height
        canvas.draw.rectangle((left, top, left + label_width, top + this_height), fill=_LABEL_FILL)
        label_fit = canvas.fit(
            label,
            label_width - 12 * unit,
            this_height - 6 * unit,
            start=round(15 * unit),
            minimum=8,
            where="document.field_labels",
            weight="Bold",
            max_lines=2,
        )
        canvas.block(
            label_fit,
            (left + 8 * unit, top + (this_height - label_fit.height) / 2),
            _INK,
            where="document.field_labels",
        )
        if index == key_row:
            canvas.block(
                key,
                (left + label_width + 10 * unit, top + (this_height - key.height) / 2),
                (20, 40, 110),
                where="key phrase (form field)",
            )
        top += this_height
        canvas.draw.line((left, top, right, top), fill=_RULE, width=1)
    canvas.draw.line((left + label_width, form_top, left + label_width, top), fill=_RULE, width=1)
    # Footer and seal.
    footer = canvas.fit(
        pick(document, "document", "footers", rng),
        inner_width * 0.62,
        f_ascent + f_descent,
        start=int(footer_font.size),
        minimum=8,
        where="document.footers",
        max_lines=1,
    )
    canvas.block(footer, (left, footer_top), _INK, where="document.footers")
    radius = 30 * unit
    stamp_centre = (right - radius - 4 * unit, min(footer_top - 8 * unit, top + 12 * unit + radius))
    _stamp(canvas, stamp_centre, radius, pick(document, "document", "stamp_texts", rng), rng.random() < 0.5)


SCENE_DOCUMENT = RendererInfo(
    name="scene_document",
    description="An official form or contract; the key phrase fills one field; a red seal.",
    function=render_scene_document,
)
