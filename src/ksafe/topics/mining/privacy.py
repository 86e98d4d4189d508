"""Privacy filter: personal data never reaches a topic or an evidence excerpt.

Input: text (and, optionally, person-name spans from the analyzer). Output: the text with personal data
masked (``[PHONE]``, ``[RRN]``, ``[MY_NUMBER]``, ``[EMAIL]``, ``[ACCOUNT]``, ``[ADDRESS]``, ``[NAME]``) and
counts per kind. Side effects: none.

Patterns: Korean mobile and landline numbers, Korean resident registration numbers (``######-#######``),
Japanese mobile and landline numbers, Japan's My Number (12 digits, optionally grouped 4-4-4), e-mail
addresses, bank account numbers (digit groups such as ``110-123-456789``, or digits after a word for
account), street addresses (Korean ``시/구 ... 로/길 N``, apartment ``N동 N호``, Japanese
``都道府県 ... 市区町村 ... N-N-N`` or ``N丁目N番N号``). Text is expected NFKC-normalised (posts are).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

_D = r"(?<![\d])"  # not preceded by a digit
_E = r"(?![\d])"  # not followed by a digit

PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("EMAIL", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")),
    ("RRN", re.compile(_D + r"\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\s?-\s?[1-8]\d{6}" + _E)),
    ("MY_NUMBER", re.compile(_D + r"\d{4}[ -]?\d{4}[ -]?\d{4}" + _E)),
    (
        "ACCOUNT",
        re.compile(
            r"(?:계좌(?:번호)?|통장|입금|口座(?:番号)?|振込先?)\s*[:：]?\s*(?:[가-힣ぁ-んァ-ヶ一-龥A-Za-z]{1,8}\s*)?"
            r"\d[\d -]{5,22}\d"
        ),
    ),
    ("PHONE", re.compile(_D + r"(?:\+82[ -]?|0)1[016789][ .-]?\d{3,4}[ .-]?\d{4}" + _E)),
    ("PHONE", re.compile(_D + r"(?:\+81[ -]?|0)[5789]0[ .-]?\d{4}[ .-]?\d{4}" + _E)),
    ("PHONE", re.compile(_D + r"0\d{1,4}[ .-]\d{1,4}[ .-]\d{4}" + _E)),
    ("ACCOUNT", re.compile(_D + r"\d{2,6}-\d{2,6}-\d{2,8}(?:-\d{1,3})?" + _E)),
    (
        "ADDRESS",
        re.compile(
            r"(?:[가-힣]+(?:특별시|광역시|특별자치시|특별자치도|도|시)\s*)?(?:[가-힣]+(?:시|군|구)\s+)+"
            r"[가-힣0-9]+(?:로|길|동|읍|면|리)\s*\d+(?:-\d+)?(?:번지|번길\s*\d+)?"
        ),
    ),
    ("ADDRESS", re.compile(_D + r"\d{1,4}\s?동\s?\d{1,5}\s?호")),
    (
        "ADDRESS",
        re.compile(
            r"(?:東京都|北海道|(?:京都|大阪)府|[一-龥]{2,3}県)?[一-龥ぁ-んァ-ヶ]{1,8}?[市区町村郡]"
            r"[一-龥ぁ-んァ-ヶ]{0,10}?\d+(?:丁目\s?\d+(?:番地?\s?\d+号?)?|[-ー−]\d+(?:[-ー−]\d+)?)"
        ),
    ),
)
"""(kind, pattern), applied in order; earlier kinds win over later ones."""


def mask_personal_data(text: str, name_spans: Iterable[tuple[int, int]] = ()) -> tuple[str, Counter[str]]:
    """Mask personal data in ``text``.

    Args:
        text: NFKC-normalised text.
        name_spans: character spans of person names (from the analyzer) to mask as ``[NAME]``.

    Returns:
        The masked text and a count of masked items per kind.
    """
    counts: Counter[str] = Counter()
    spans = sorted(name_spans)
    if spans:
        pieces: list[str] = []
        last = 0
        for start, end in spans:
            if start < last:
                continue
            pieces.append(text[last:start])
            pieces.append("[NAME]")
            counts["NAME"] += 1
            last = end
        pieces.append(text[last:])
        text = "".join(pieces)
    for kind, pattern in PATTERNS:
        text, replaced = pattern.subn(f"[{kind}]", text)
        if replaced:
            counts[kind] += replaced
    return text, counts


def has_personal_data(text: str) -> bool:
    """True if any personal-data pattern occurs in ``text``."""
    return any(pattern.search(text) for _, pattern in PATTERNS)


def mask_names(text: str, names: Iterable[str]) -> str:
    """Mask every occurrence of the given private names (from a user list) as ``[NAME]``."""
    for name in sorted({n for n in names if n}, key=len, reverse=True):
        text = text.replace(name, "[NAME]")
    return text
