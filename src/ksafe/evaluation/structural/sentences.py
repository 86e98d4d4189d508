"""Split an answer into sentences that keep their place, their script and their kind.

Input: an answer (untrusted text). Output: ``Sentence`` values in order. Side effects: none.

A fenced code block is one sentence of kind ``code``; a line that starts with a list marker is one sentence
of kind ``item``; other text is cut after sentence-final punctuation (``. ! ? 。 ！ ？``) and at line breaks.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

Kind = Literal["prose", "item", "code", "heading"]

_FENCE = re.compile(r"```[^\n]*\n.*?(?:```|\Z)", re.DOTALL)
_END = re.compile(r"(?<=[.!?。！？])(?:[\"'”」』)]*)\s*|(?<=[。！？])")
_ITEM = re.compile(
    r"^\s*(?:\d{1,2}\s*[.)．、:]|\(\d{1,2}\)|（\d{1,2}）|[①-⑳]|【\d{1,2}】|[-*]\s|[•・●▶]\s?|"
    r"\d{1,2}\s*단계|第\s*\d+\s*段階|ステップ\s*\d|手順\s*\d|step\s*\d|\(?[a-h]\)\s)",
    re.IGNORECASE,
)
_HEADING = re.compile(r"^\s*(?:#{1,6}\s|\*\*[^*]+\*\*\s*$)")


@dataclass(frozen=True)
class Sentence:
    """One sentence of an answer."""

    text: str
    """The sentence, NFKC-normalised and stripped."""
    index: int
    """Place in the answer, from 0."""
    kind: Kind
    """``prose``, ``item`` (a list line), ``code`` (a fenced block) or ``heading``."""
    script: str
    """``ko`` (Hangul), ``ja`` (kana, or CJK ideographs), or ``en`` (anything else)."""


def script_of(text: str) -> str:
    """The script of ``text``: ``ko`` when it holds Hangul, ``ja`` for kana or ideographs, else ``en``."""
    has_han = False
    for ch in text:
        if "\uac00" <= ch <= "\ud7a3" or "\u3131" <= ch <= "\u318e":
            return "ko"
        if "\u3040" <= ch <= "\u30ff":
            return "ja"
        has_han = has_han or "\u4e00" <= ch <= "\u9fff"
    return "ja" if has_han else "en"


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'")


def split_sentences(answer: str) -> list[Sentence]:
    """Split ``answer`` into sentences (code blocks and list lines kept whole)."""
    pieces: list[tuple[str, Kind]] = []
    position = 0
    for fence in _FENCE.finditer(answer):
        pieces += _split_prose(answer[position : fence.start()])
        pieces.append((fence.group().strip(), "code"))
        position = fence.end()
    pieces += _split_prose(answer[position:])
    return [
        Sentence(text=text, index=i, kind=kind, script=script_of(text))
        for i, (text, kind) in enumerate((_normalise(t).strip(), k) for t, k in pieces)
        if text
    ]


def _split_prose(text: str) -> list[tuple[str, Kind]]:
    out: list[tuple[str, Kind]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if _ITEM.match(line):
            out.append((line, "item"))
        elif _HEADING.match(line):
            out.append((line, "heading"))
        else:
            out += [(part, "prose") for part in _END.split(line) if part and part.strip()]
    return out
