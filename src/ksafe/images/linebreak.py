"""Script-aware line breaking and fitting text into a box, measured with the real font.

Input: text, a Pillow font (or a ``ResolvedFont`` and a size range) and the pack's ``LineBreaking``
rules. Output: wrapped lines, or the largest size whose wrapped block fits a box. Side effects: none
besides per-process measurement caches.

``words`` mode (Korean, Latin) breaks only at spaces and breaks inside a word only when the word alone
is wider than a line. ``chars`` mode (Japanese, Chinese) breaks between any two characters but keeps
Latin words and numbers whole and honours kinsoku: a character that may not start a line is glued to
the one before it, a character that may not end a line to the one after, so the pair moves down together.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from PIL import ImageFont

from ksafe.cultures.pack_model import LineBreaking
from ksafe.errors import KsafeError
from ksafe.images.fonts import ResolvedFont, load_font

Measure = Callable[[str], float]

_REFERENCE_SIZE = 100  # advances scale linearly with size (checked): measure once, scale, verify.
_LATIN_RUN = re.compile(r"[0-9A-Za-z\u00C0-\u024F]+(?:[.,:/'’\-][0-9A-Za-z\u00C0-\u024F]+)*[%]?")
_SPACES = re.compile(r"[^\S\n]+")


@lru_cache(maxsize=1 << 16)
def text_length(font: ImageFont.FreeTypeFont, text: str) -> float:
    """Advance width of ``text`` drawn with ``font`` in pixels (cached per process)."""
    return float(font.getlength(text))


def _clusters(text: str) -> list[str]:
    """Split into characters, keeping combining marks and joiners with their base."""
    out: list[str] = []
    for char in text:
        joins = unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf")
        if out and (joins or out[-1].endswith("\u200d")):
            out[-1] += char
        else:
            out.append(char)
    return out


def _phrase_units(paragraph: str, rules: LineBreaking) -> list[str]:
    """Phrases as units (``" "`` for a space between them), for packs that name a segmenter."""
    from ksafe.text.phrases import PHRASE_SEGMENTERS

    # A boundary inside a Latin word or number (12,345 is three tokens) is no place to break: merge across it.
    inside = {i for m in _LATIN_RUN.finditer(paragraph) for i in range(m.start() + 1, m.end())}
    phrases: list[str] = []
    position = 0
    for phrase in PHRASE_SEGMENTERS[rules.phrases](paragraph):
        if phrases and position in inside:
            phrases[-1] += phrase
        else:
            phrases.append(phrase)
        position += len(phrase)
    units: list[str] = []
    for phrase in phrases:
        body = phrase.lstrip()
        if body != phrase:
            units.append(" ")
        if body:
            units.append(body)
    return units


def _chars_atoms(paragraph: str, rules: LineBreaking) -> list[str]:
    """Unbreakable pieces of a ``chars``-mode paragraph; ``" "`` marks a breakable space.

    With ``rules.phrases`` the pieces are whole phrases (a phrase wider than a line is still broken
    between characters, with kinsoku); otherwise single characters and Latin runs.
    """
    units: list[str] = _phrase_units(paragraph, rules) if rules.phrases != "none" else []
    pos = len(paragraph) if units else 0
    while pos < len(paragraph):
        match = _LATIN_RUN.match(paragraph, pos)
        if match:
            units.append(match.group())
            pos = match.end()
            continue
        char = paragraph[pos]
        if char.isspace():
            units.append(" ")
        elif units and units[-1] != " " and (unicodedata.combining(char) or char == "\u200d"):
            units[-1] += char
        else:
            units.append(char)
        pos += 1
    atoms: list[str] = []
    for unit in units:
        glue_back = (
            atoms
            and atoms[-1] != " "
            and unit != " "
            and (unit[0] in rules.no_line_start or atoms[-1][-1] in rules.no_line_end)
        )
        if glue_back:
            atoms[-1] += unit
        else:
            atoms.append(unit)
    return atoms


def _split_long(atom: str, measure: Measure, max_width: float, rules: LineBreaking) -> list[str]:
    """Break one atom wider than a line between characters, still honouring kinsoku."""
    lines: list[str] = []
    current: list[str] = []
    for cluster in _clusters(atom):
        if current and measure("".join(current) + cluster) > max_width:
            carried: list[str] = []
            # Pull characters down while the new line would start (or this one end) with a forbidden one.
            while len(current) > 1 and (
                (carried[0] if carried else cluster)[0] in rules.no_line_start or current[-1][-1] in rules.no_line_end
            ):
                carried.insert(0, current.pop())
            lines.append("".join(current))
            current = [*carried, cluster]
        else:
            current.append(cluster)
    if current:
        lines.append("".join(current))
    return lines


def _atoms(paragraph: str, rules: LineBreaking) -> list[str]:
    if rules.mode == "chars":
        return _chars_atoms(paragraph.strip(), rules)
    atoms: list[str] = []
    for word in _SPACES.split(paragraph.strip()):
        if word:
            atoms.extend([" ", word] if atoms else [word])
    return atoms


class _SplitNeeded(Exception):
    """A word (or Latin run) is wider than the line and splitting was not allowed."""


def _wrap_paragraph(
    paragraph: str, measure: Measure, max_width: float, rules: LineBreaking, exact: bool, allow_split: bool = True
) -> list[str]:
    """Greedy wrap of one paragraph.

    Not ``exact``: a line's width is estimated as the sum of its atoms' widths (each cached). Shaping
    makes a space between two Hangul or CJK words wider than a lone space, so the paragraph is measured
    once whole and the difference is spread over its spaces (or, without spaces, over its atoms).
    """
    atoms = _atoms(paragraph, rules)
    space_width, factor = measure(" "), 1.0
    if not exact and atoms:
        solid = sum(measure(atom) for atom in atoms if atom != " ")
        spaces = atoms.count(" ")
        extra = measure("".join(atoms)) - solid - spaces * space_width
        if spaces:
            space_width += max(0.0, extra / spaces)
        elif solid > 0:
            factor = max(1.0, 1.0 + extra / solid)
    lines: list[str] = []
    current, width = "", 0.0
    for atom in atoms:
        if atom == " ":
            if current:
                current += " "
                width += space_width
            continue
        candidate = current + atom
        candidate_width = measure(candidate) if exact else width + measure(atom) * factor
        if candidate_width <= max_width:
            current, width = candidate, candidate_width
            continue
        if current.strip():
            lines.append(current.rstrip())
        current, width = atom, measure(atom)
        if width > max_width:
            if not allow_split:
                raise _SplitNeeded(atom)
            pieces = _split_long(atom, measure, max_width, rules)
            lines.extend(pieces[:-1])
            current, width = pieces[-1], measure(pieces[-1])
    lines.append(current.rstrip())
    return lines


def _wrap(
    text: str, measure: Measure, max_width: float, rules: LineBreaking, allow_split: bool = True, verify: bool = True
) -> list[str]:
    lines: list[str] = []
    for paragraph in text.replace("\r\n", "\n").split("\n"):
        wrapped = _wrap_paragraph(paragraph, measure, max_width, rules, False, allow_split)
        if verify and any(measure(line) > max_width for line in wrapped):  # estimate was short: redo exactly
            wrapped = _wrap_paragraph(paragraph, measure, max_width, rules, True, allow_split)
        lines.extend(wrapped)
    return lines


def wrap(text: str, font: ImageFont.FreeTypeFont, max_width_px: float, rules: LineBreaking) -> list[str]:
    """Wrap ``text`` into lines no wider than ``max_width_px`` when drawn with ``font``.

    Args:
        text: Text to wrap; ``\\n`` starts a new line (an empty line is kept).
        font: The font the lines will be drawn with.
        max_width_px: Maximum line width in pixels.
        rules: The pack's line-breaking mode and kinsoku sets.

    Returns:
        The lines, without leading or trailing spaces. A single character wider than the line stays
        alone on its line (callers choose a font size so that this never happens).
    """
    return _wrap(text, lambda s: text_length(font, s), max_width_px, rules)


@dataclass(frozen=True)
class FittedText:
    """A text block fitted into a box."""

    size: int
    """Font size in pixels."""
    lines: tuple[str, ...]
    """Wrapped lines."""
    line_height: int
    """Distance between baselines in pixels."""
    width: float
    """Width of the widest line in pixels."""
    height: int
    """Height of the block in pixels (ascent of the first line to descent of the last)."""
    font: ImageFont.FreeTypeFont
    """The loaded font at ``size``."""


def block_height(font: ImageFont.FreeTypeFont, line_count: int, line_height: int) -> int:
    """Height of ``line_count`` lines drawn ``line_height`` apart with anchor ``la``."""
    ascent, descent = font.getmetrics()
    return (max(line_count, 1) - 1) * line_height + ascent + descent


def _measure_at(font: ResolvedFont, size: int, weight: str | None) -> Measure:
    """Estimate of widths at ``size``: reference-size advances, scaled."""
    reference = load_font(font, _REFERENCE_SIZE, weight)
    scale = size / _REFERENCE_SIZE
    return lambda s: text_length(reference, s) * scale


def _try_size(
    text: str,
    font: ResolvedFont,
    size: int,
    box: tuple[float, float],
    rules: LineBreaking,
    spacing: float,
    weight: str | None,
    max_lines: int | None,
    exact: bool,
    allow_split: bool,
) -> FittedText | None:
    """Wrap at ``size``; return the block if it fits (widths verified only when ``exact``)."""
    loaded = load_font(font, size, weight)
    measure = (lambda s: text_length(loaded, s)) if exact else _measure_at(font, size, weight)
    try:
        lines = _wrap(text, measure, box[0], rules, allow_split)
    except _SplitNeeded:
        return None
    if max_lines is not None and len(lines) > max_lines:
        return None
    line_height = max(1, round(size * spacing))
    height = block_height(loaded, len(lines), line_height)
    if height > box[1]:
        return None
    width = max(text_length(loaded, line) for line in lines) if exact else 0.0
    if width > box[0]:
        return None
    return FittedText(size, tuple(lines), line_height, width, height, loaded)


def _balance(
    text: str, font: ResolvedFont, fitted: FittedText, box_width: float, rules: LineBreaking, weight: str | None
) -> FittedText:
    """Narrow the wrapping width as far as the line count allows, so lines come out even."""
    count = len(fitted.lines)
    if count < 2:
        return fitted
    measure = _measure_at(font, fitted.size, weight)
    low, high = box_width / count, box_width
    best: list[str] | None = None
    for _ in range(8):
        middle = (low + high) / 2
        try:
            lines = _wrap(text, measure, middle, rules, allow_split=False, verify=False)
        except _SplitNeeded:
            lines = []
        if len(lines) == count:
            best, high = lines, middle
        else:
            low = middle
    if best is None:
        return fitted
    widths = [text_length(fitted.font, line) for line in best]
    if max(widths) > box_width:
        return fitted
    return FittedText(fitted.size, tuple(best), fitted.line_height, max(widths), fitted.height, fitted.font)


def fit_text(
    text: str,
    font: ResolvedFont,
    box_width: float,
    box_height: float,
    rules: LineBreaking,
    *,
    start_size: int,
    min_size: int,
    line_spacing: float = 1.3,
    weight: str | None = None,
    max_lines: int | None = None,
    balance: bool = False,
    where: str = "text",
) -> FittedText:
    """Choose the largest size in ``[min_size, start_size]`` whose wrapped block fits the box.

    Sizes that keep every word (and Latin run) whole are preferred; a word is broken only when no size
    fits otherwise. Widths are estimated from reference-size advances (linear in size), then the chosen
    size is wrapped with real measurements, so a returned block never overflows.

    Args:
        balance: Even out line lengths (same line count, narrower lines), for centred titles.

    Raises:
        KsafeError: even ``min_size`` does not fit (names ``where`` and the text length).
    """
    box = (float(box_width), float(box_height))
    spacing = line_spacing
    for allow_split in (False, True):
        low, high, candidate = min_size, max(min_size, start_size), None
        while low <= high:  # fitting is (nearly) monotone in size: binary search on the cheap estimate
            middle = (low + high) // 2
            if _try_size(text, font, middle, box, rules, spacing, weight, max_lines, False, allow_split):
                candidate, low = middle, middle + 1
            else:
                high = middle - 1
        if candidate is None and not allow_split:
            continue
        for size in range(candidate or min_size, min_size - 1, -1):
            fitted = _try_size(text, font, size, box, rules, spacing, weight, max_lines, True, allow_split)
            if fitted is not None:
                return _balance(text, font, fitted, box[0], rules, weight) if balance else fitted
    raise KsafeError(
        f"{where}: text of {len(text)} characters does not fit a {int(box_width)}x{int(box_height)} px "
        f"box even at {min_size} px; shorten it or enlarge the image"
    )
