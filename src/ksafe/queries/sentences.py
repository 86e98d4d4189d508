"""Sentence splitting and comparison, for recording what contextualization changed."""

from __future__ import annotations

import re
import unicodedata

_NO_BREAK_AFTER = "\u0e46\u0e2f"
"""Thai MAI YAMOK (``ๆ``) and PAIYANNOI (``ฯ``): a space after them is part of the word (``เร็วๆ นี้``)."""


def _is_letter(ch: str, marks: bool) -> bool:
    category = unicodedata.category(ch)[0]
    return not ch.isascii() and (category == "L" or (marks and category == "M"))


def _space_breaks(text: str) -> str:
    """``text`` with each space between two words of a script without spaces between words turned into a line
    break: in Thai a space ends a clause or sentence, but not one beside a number or a Latin word, nor the one
    after a number's unit (``โอนเงิน 5,000 บาท ผ่าน LINE``), nor one after ``ๆ`` or ``ฯ``."""
    parts = re.split(r"([ \t\u00a0\u3000]+)", text)  # words at even indices, spaces at odd ones
    for i in range(1, len(parts) - 1, 2):
        before, after = parts[i - 1], parts[i + 1]
        if not before or not after or before[-1] in _NO_BREAK_AFTER:
            continue
        follows_number = i >= 3 and bool(parts[i - 3]) and (parts[i - 3][-1].isascii() or parts[i - 3][-1].isdigit())
        if _is_letter(before[-1], True) and _is_letter(after[0], False) and not follows_number:
            parts[i] = "\n"
    return "".join(parts)


def split_sentences(text: str, enders: str) -> list[str]:
    """Split ``text`` after any character of ``enders`` (and at newlines); keep non-empty parts.

    A space in ``enders`` (Thai, Lao packs: ``" ?!"``) means a space between two words of the script ends a
    sentence (``_space_breaks``).
    """
    if " " in enders:
        text, enders = _space_breaks(text), enders.replace(" ", "")
    if not enders:
        return [part.strip() for part in text.splitlines() if part.strip()] or [text]
    pattern = re.compile(f"(?<=[{re.escape(enders)}])\\s*|\\n+")
    parts = [part.strip() for part in pattern.split(text)]
    return [part for part in parts if part] or [text]


def changed_sentences(before: str, after: str, enders: str) -> tuple[tuple[int, ...], int]:
    """Return the indices of sentences of ``after`` that differ from ``before``, and the sentence count."""
    old = split_sentences(before, enders)
    new = split_sentences(after, enders)
    changed = tuple(i for i, sentence in enumerate(new) if i >= len(old) or old[i] != sentence)
    return changed, len(new)
