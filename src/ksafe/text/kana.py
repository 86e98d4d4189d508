"""Japanese transforms: katakana reading and Hepburn romaji, via fugashi with unidic-lite.

Input: any string; Japanese tokens are replaced by their reading, other tokens (Latin, numbers, unknown
words) keep their surface form.
Output: a new string. Side effect: the first call creates one fugashi ``Tagger`` (loads the unidic-lite
dictionary from the installed package, no network) and caches it for the process; nothing happens at import.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ksafe.errors import KsafeError

_HIRAGANA = (0x3041, 0x3096)
_KATAKANA_OFFSET = 0x60
_NO_READING = (None, "", "*")
_GOJUON = (
    "ア a イ i ウ u エ e オ o カ ka キ ki ク ku ケ ke コ ko サ sa シ shi ス su セ se ソ so "
    "タ ta チ chi ツ tsu テ te ト to ナ na ニ ni ヌ nu ネ ne ノ no ハ ha ヒ hi フ fu ヘ he ホ ho "
    "マ ma ミ mi ム mu メ me モ mo ヤ ya ユ yu ヨ yo ラ ra リ ri ル ru レ re ロ ro ワ wa ヰ i ヱ e ヲ o "
    "ガ ga ギ gi グ gu ゲ ge ゴ go ザ za ジ ji ズ zu ゼ ze ゾ zo ダ da ヂ ji ヅ zu デ de ド do "
    "バ ba ビ bi ブ bu ベ be ボ bo パ pa ピ pi プ pu ペ pe ポ po ヴ vu ン n "
    "ァ a ィ i ゥ u ェ e ォ o ャ ya ュ yu ョ yo ヮ wa ヵ ka ヶ ke"
).split()
_SINGLE = dict(zip(_GOJUON[::2], _GOJUON[1::2], strict=True))
_EXTRA = (
    "シェ she ジェ je チェ che ファ fa フィ fi フェ fe フォ fo フュ fyu ティ ti ディ di トゥ tu ドゥ du "
    "テュ tyu デュ dyu ウィ wi ウェ we ウォ wo ヴァ va ヴィ vi ヴェ ve ヴォ vo ツァ tsa ツェ tse ツォ tso "
    "イェ ye クァ kwa グァ gwa"
).split()


def _digraphs() -> dict[str, str]:
    """Two-kana syllables: yoon (キャ kya, シャ sha) and the extended katakana combinations."""
    table = dict(zip(_EXTRA[::2], _EXTRA[1::2], strict=True))
    for base in "キギニヒビピミリ":
        for small, vowel in zip("ャュョ", "auo", strict=True):
            table[base + small] = _SINGLE[base][:-1] + "y" + vowel
    for base, stem in (("シ", "sh"), ("ジ", "j"), ("チ", "ch"), ("ヂ", "j")):
        for small, vowel in zip("ャュョ", "auo", strict=True):
            table[base + small] = stem + vowel
    return table


_DIGRAPH = _digraphs()
_VOWELS = "aeiou"
# Particles written by their sound in Hepburn (は -> wa, へ -> e, を -> o).
_SOUND_PARTICLES = {"は": "wa", "へ": "e", "を": "o"}
# Inflecting parts of speech: an auxiliary (た, ます) after one of them continues the same word.
_INFLECTING_POS = ("動詞", "形容詞", "助動詞")
_PUNCTUATION = {
    "。": ".", "、": ",", "，": ",", "．": ".", "！": "!", "？": "?", "：": ":", "；": ";", "・": "",
    "」": '"', "』": '"', "）": ")", "〜": "~", "…": "...",
}  # fmt: skip
_OPENING = {"「": '"', "『": '"', "（": "("}


@lru_cache(maxsize=1)
def _tagger() -> Any:
    """Create the fugashi tagger once (lazily: loading the dictionary takes a moment)."""
    try:
        import fugashi  # heavy import kept out of module import time
    except ImportError as error:  # pragma: no cover - fugashi is a declared dependency
        raise KsafeError(
            "Japanese transforms need fugashi and unidic-lite (pip install fugashi unidic-lite)"
        ) from error
    return fugashi.Tagger()


@dataclass(frozen=True)
class _Token:
    surface: str
    space_before: str
    reading: str
    """Katakana reading, or the surface (hiragana made katakana) when the dictionary has none."""
    pos1: str
    pos2: str
    has_reading: bool


def hiragana_to_katakana(text: str) -> str:
    """Convert hiragana to katakana; every other character is unchanged."""
    low, high = _HIRAGANA
    return "".join(chr(ord(c) + _KATAKANA_OFFSET) if low <= ord(c) <= high else c for c in text)


def _tokens(text: str) -> list[_Token]:
    """Tokenize ``text`` with a katakana reading per token."""
    tokens: list[_Token] = []
    for word in _tagger()(text):
        feature = word.feature
        kana = getattr(feature, "kana", None)
        has_reading = not word.is_unk and isinstance(kana, str) and kana not in _NO_READING
        tokens.append(
            _Token(
                surface=word.surface,
                space_before=word.white_space,
                reading=str(kana) if has_reading else hiragana_to_katakana(word.surface),
                pos1=getattr(feature, "pos1", None) or "",
                pos2=getattr(feature, "pos2", None) or "",
                has_reading=has_reading,
            )
        )
    return tokens


def katakana_reading(text: str) -> str:
    """Replace Japanese text by its katakana reading (the unidic ``kana`` feature).

    Unknown, Latin and number tokens keep their surface (hiragana in them becomes katakana); spaces
    between tokens are kept.

    Args:
        text: Any text.

    Returns:
        The reading, e.g. ``振り込め詐欺`` -> ``フリコメサギ``.
    """
    return "".join(
        token.space_before + (token.surface if _is_katakana(token.surface) else token.reading)
        for token in _tokens(text)
    )


def _is_katakana(text: str) -> bool:
    """Is ``text`` written in katakana only (a word already in the target script of ``katakana_reading``)?"""
    return bool(text) and all("\u30a0" <= char <= "\u30ff" for char in text)


def _is_latin_literal(token: _Token) -> bool:
    """Is ``token`` a Latin or number token (already in the target script of ``romaji``)?"""
    normalized = unicodedata.normalize("NFKC", token.surface)
    return bool(normalized) and normalized.isascii() and normalized.isalnum()


def kana_to_romaji(kana: str) -> str:
    """Romanize a katakana (or hiragana) string in modified Hepburn, ASCII only.

    ッ doubles the next consonant (ッチ -> tchi), ー repeats the previous vowel, ン before a vowel or y is
    written ``n'``. Characters that are not kana pass through.
    """
    kana = hiragana_to_katakana(kana)
    out: list[str] = []
    geminate = False
    index = 0
    while index < len(kana):
        pair = kana[index : index + 2]
        if pair in _DIGRAPH:
            mora, index = _DIGRAPH[pair], index + 2
        else:
            char = kana[index]
            index += 1
            if char == "ッ":
                geminate = True
                continue
            if char == "ー":
                mora = out[-1][-1] if out and out[-1] and out[-1][-1] in _VOWELS else ""
            else:
                mora = _SINGLE.get(char, char)
        if out and out[-1] == "n" and mora[:1] in (*_VOWELS, "y"):
            out[-1] = "n'"
        if geminate and mora[:1].isalpha() and mora[0] not in _VOWELS:
            mora = ("t" if mora.startswith("ch") else mora[0]) + mora
        geminate = False
        out.append(mora)
    return "".join(out)


@dataclass
class _Word:
    parts: list[str] = field(default_factory=list)
    """Kana readings, or literal text prefixed with ``\\x01`` (Latin, numbers, sound particles)."""

    def romanize(self) -> str:
        """Romanize the word, reading its kana parts together so ッ and ー see across tokens."""
        out, kana = [], ""
        for part in self.parts:
            if part.startswith("\x01"):
                out += [kana_to_romaji(kana).lower(), part[1:]]
                kana = ""
            else:
                kana += part
        out.append(kana_to_romaji(kana).lower())
        return "".join(out)


def _continues_word(token: _Token, previous: _Token) -> bool:
    """Does ``token`` join the previous word without a space (inflection, suffix, て/ば, after ッ)?"""
    if token.space_before:
        return False
    if _is_latin_literal(token) and _is_latin_literal(previous):
        return True  # 3D, A4: one Latin word split by the analyser
    if previous.reading.endswith("ッ") or token.pos1 == "接尾辞":
        return True
    if token.pos1 == "助動詞":
        return previous.pos1 in _INFLECTING_POS
    return token.pos1 == "助詞" and token.pos2 == "接続助詞"


def _part(token: _Token) -> str:
    """The romaji source of a token: its kana, or a literal for sound particles and unread tokens."""
    if token.pos1 == "助詞" and token.surface in _SOUND_PARTICLES:
        return "\x01" + _SOUND_PARTICLES[token.surface]
    if _is_latin_literal(token) or (
        not token.has_reading and not all("\u30a0" <= c <= "\u30ff" for c in token.reading)
    ):
        return "\x01" + unicodedata.normalize("NFKC", token.surface)  # already Latin: kept as written
    return token.reading


def romaji(text: str) -> str:
    """Romanize Japanese text in (modified) Hepburn, lower-case, ASCII for Japanese tokens.

    The katakana reading of each token is romanized; words are separated by spaces at token boundaries,
    except that inflections, suffixes and conjunctive particles join the previous word (待って -> matte).
    Long vowels are written by doubling (コーヒー -> koohii), ン before a vowel or y is ``n'``
    (原因 -> gen'in). Latin and number tokens keep their NFKC-normalised surface; Japanese punctuation
    becomes its ASCII counterpart.

    Args:
        text: Any text.

    Returns:
        The romaji, e.g. ``振り込め詐欺`` -> ``furikome sagi``.
    """
    out = ""
    word: _Word | None = None
    previous: _Token | None = None
    opened = True  # at the start, or right after an opening bracket: no space before the next word

    def flush() -> None:
        nonlocal out, word, opened
        if word is not None:
            out += ("" if opened else " ") + word.romanize()
            word, opened = None, False

    for token in _tokens(text):
        if token.surface in _OPENING:
            flush()
            out += ("" if opened else " ") + _OPENING[token.surface]
            opened, previous = True, None
        elif token.surface in _PUNCTUATION or (token.pos1 == "補助記号" and not token.has_reading):
            flush()
            out += _PUNCTUATION.get(token.surface, unicodedata.normalize("NFKC", token.surface))
            previous = None
        elif word is not None and previous is not None and _continues_word(token, previous):
            word.parts.append(_part(token))
            previous = token
        else:
            flush()
            word, previous = _Word([_part(token)]), token
    flush()
    return out
