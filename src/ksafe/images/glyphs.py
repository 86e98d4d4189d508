"""Glyph coverage checks: a character the font lacks is an error, never a tofu box in an image.

Input: a ``ResolvedFont`` and text. Output: the missing characters, or a ``KsafeError`` naming the
first one, the font file and the face. Side effects: reads the face's cmap once per process.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from ksafe.errors import KsafeError
from ksafe.images.fonts import ResolvedFont

# Joiners and variation selectors are handled by shaping and need no glyph of their own.
_SHAPING_ONLY = frozenset({0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF}) | frozenset(range(0xFE00, 0xFE10))


@lru_cache(maxsize=16)
def _cmap(font: ResolvedFont) -> frozenset[int]:
    """Code points the face maps to a glyph."""
    from fontTools.ttLib import TTFont

    ttfont = TTFont(str(font.path), fontNumber=font.face_index, lazy=True)
    try:
        cmap = ttfont.getBestCmap() or {}
        return frozenset(cmap)
    finally:
        ttfont.close()


def _needs_glyph(char: str) -> bool:
    code = ord(char)
    if code in _SHAPING_ONLY or char.isspace():
        return False
    return unicodedata.category(char) not in ("Cc", "Cf")


def missing_glyphs(font: ResolvedFont, text: str) -> list[str]:
    """Return the distinct characters of ``text`` that ``font`` has no glyph for, in order of appearance.

    Whitespace, control and format characters are ignored.
    """
    covered = _cmap(font)
    missing: list[str] = []
    for char in dict.fromkeys(text):
        if ord(char) not in covered and _needs_glyph(char):
            missing.append(char)
    return missing


def check_glyphs(font: ResolvedFont, text: str, where: str) -> None:
    """Raise if ``text`` holds a character ``font`` cannot draw.

    Args:
        font: The face used to draw ``text``.
        text: The string about to be drawn.
        where: What is being drawn (``scene_chat: filler_messages[2]``), put first in the message.

    Raises:
        KsafeError: ``"<where>: character 'X' (U+XXXX) is not in font <file> face <name>"``.
    """
    missing = missing_glyphs(font, text)
    if missing:
        char = missing[0]
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise KsafeError(
            f"{where}: character '{char}' (U+{ord(char):04X}) is not in font {font.path.name} "
            f"face {font.face_name}{more}"
        )
