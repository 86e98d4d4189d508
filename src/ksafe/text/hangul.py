"""Hangul transforms: initial-consonant abbreviation and Revised Romanization of Korean.

Input: any string; Hangul syllables (U+AC00..U+D7A3) are transformed, every other character is kept.
Output: a new string. Pure functions, no side effects, nothing loaded at import beyond small tables.

Romanization follows the Revised Romanization (RR, 2000): syllables are decomposed into initial, medial
and final jamo, and the main sound changes across syllable boundaries inside a word are applied
(liaison before ㅇ, nasalisation, lateralisation, palatalisation, aspiration of a final ㅎ). Tensification
is not written, as in RR (독도 -> dokdo). As RR prescribes for nouns, ㅎ after a final ㄱ/ㄷ/ㅂ is kept
(묵호 -> mukho). ㄴ-insertion (학여울 -> hangnyeoul) needs morphology and is not applied.
"""

from __future__ import annotations

_FIRST = 0xAC00
_LAST = 0xD7A3
_MEDIALS = 21
_FINALS = 28

_INITIAL_JAMO = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_INITIAL_ROMAN = (
    "g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h",
)  # fmt: skip
_MEDIAL_ROMAN = (
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi",
    "yu", "eu", "ui", "i",
)  # fmt: skip
_FINAL_JAMO = ("", *"ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ")

# Sound of a final before a consonant or at the end of a word (the seven representative sounds).
_FINAL_ALONE = {
    "": "", "ㄱ": "k", "ㄲ": "k", "ㄳ": "k", "ㄴ": "n", "ㄵ": "n", "ㄶ": "n", "ㄷ": "t", "ㄹ": "l",
    "ㄺ": "k", "ㄻ": "m", "ㄼ": "l", "ㄽ": "l", "ㄾ": "l", "ㄿ": "p", "ㅀ": "l", "ㅁ": "m", "ㅂ": "p",
    "ㅄ": "p", "ㅅ": "t", "ㅆ": "t", "ㅇ": "ng", "ㅈ": "t", "ㅊ": "t", "ㅋ": "k", "ㅌ": "t", "ㅍ": "p",
    "ㅎ": "t",
}  # fmt: skip
# Before an initial ㅇ the (last part of the) final moves to the next syllable: (stays, moves).
_LIAISON = {
    "": ("", ""), "ㄱ": ("", "g"), "ㄲ": ("", "kk"), "ㄳ": ("k", "s"), "ㄴ": ("", "n"), "ㄵ": ("n", "j"),
    "ㄶ": ("", "n"), "ㄷ": ("", "d"), "ㄹ": ("", "r"), "ㄺ": ("l", "g"), "ㄻ": ("l", "m"),
    "ㄼ": ("l", "b"), "ㄽ": ("l", "s"), "ㄾ": ("l", "t"), "ㄿ": ("l", "p"), "ㅀ": ("", "r"),
    "ㅁ": ("", "m"), "ㅂ": ("", "b"), "ㅄ": ("p", "s"), "ㅅ": ("", "s"), "ㅆ": ("", "ss"),
    "ㅇ": ("ng", ""), "ㅈ": ("", "j"), "ㅊ": ("", "ch"), "ㅋ": ("", "k"), "ㅌ": ("", "t"),
    "ㅍ": ("", "p"), "ㅎ": ("", ""),
}  # fmt: skip
_NASAL = {"k": "ng", "t": "n", "p": "m"}
_ASPIRATED = {"ㄱ": "k", "ㄷ": "t", "ㅈ": "ch"}
_H_FINALS = {"ㅎ": "", "ㄶ": "n", "ㅀ": "l"}
_MEDIAL_I = 20


def _decompose(char: str) -> tuple[int, int, int] | None:
    """Return (initial, medial, final) indices of a Hangul syllable, or ``None`` for other characters."""
    code = ord(char)
    if not _FIRST <= code <= _LAST:
        return None
    offset = code - _FIRST
    return offset // (_MEDIALS * _FINALS), (offset // _FINALS) % _MEDIALS, offset % _FINALS


def hangul_initials(text: str) -> str:
    """Replace each Hangul syllable by its initial consonant (초성), as compatibility jamo.

    Args:
        text: Any text.

    Returns:
        The text with syllables abbreviated, e.g. ``전세 사기`` -> ``ㅈㅅ ㅅㄱ``; other characters unchanged.
    """
    out: list[str] = []
    for char in text:
        parts = _decompose(char)
        out.append(char if parts is None else _INITIAL_JAMO[parts[0]])
    return "".join(out)


CHOSUNG_MAX_WORDS = 2
"""Initial-consonant abbreviations stay decodable only for short phrases: at most this many words ..."""
CHOSUNG_MAX_SYLLABLES = 5
"""... of at most this many syllables each (``ㅈㅅ ㅅㄱ``, ``ㅂㅇㅅㅍㅅ``; never ``ㄱㄷ ㄴ ㄱㅎㅎㅇ ㅍㅎㅈ ㅇㅁㅇ``)."""


def hangul_initials_short(text: str) -> str:
    """Abbreviate the first short Hangul words of ``text`` to initial consonants (초성체 as people write it).

    At most ``CHOSUNG_MAX_WORDS`` consecutive words are abbreviated, each a Hangul word of at most
    ``CHOSUNG_MAX_SYLLABLES`` syllables; words before them that cannot be abbreviated (Latin or digits such
    as ``AI``, ``3D``, ``5·18``, mixed words such as ``K팝``, or long compounds) are kept as they are, and so is
    the rest of the phrase, so a reader can still decode it (``전세 사기 수법`` -> ``ㅈㅅ ㅅㄱ 수법``;
    ``AI 연인 챗봇`` -> ``AI ㅇㅇ ㅊㅂ``; ``다중이용시설 테러`` -> ``다중이용시설 ㅌㄹ``). Text with no such word
    comes back unchanged.
    """
    words = text.split(" ")
    done = 0
    for index, word in enumerate(words):
        syllables = sum(_decompose(char) is not None for char in word)
        if syllables == 0 or syllables > CHOSUNG_MAX_SYLLABLES or syllables != len(word):
            if done:
                break  # the abbreviated words stay one run
            continue
        words[index] = hangul_initials(word)
        done += 1
        if done == CHOSUNG_MAX_WORDS:
            break
    return " ".join(words)


def _boundary(final: str, initial: int, next_medial: int) -> tuple[str, str]:
    """Romanize a final jamo and the following initial across a syllable boundary inside a word."""
    initial_jamo = _INITIAL_JAMO[initial]
    default = (_FINAL_ALONE[final], _INITIAL_ROMAN[initial])
    if initial_jamo == "ㅇ":
        stays, moves = _LIAISON[final]
        if next_medial == _MEDIAL_I and final in ("ㄷ", "ㅌ", "ㄾ"):  # palatalisation: 굳이 guji, 같이 gachi
            moves = "j" if final == "ㄷ" else "ch"
        return stays, moves
    if final in _H_FINALS:  # a final ㅎ aspirates or nasalises what follows: 좋고 joko, 놓는 nonneun
        if initial_jamo in _ASPIRATED:
            return _H_FINALS[final], _ASPIRATED[initial_jamo]
        if initial_jamo == "ㅅ":
            return _H_FINALS[final], "ss"
        if initial_jamo == "ㄴ":
            return (_H_FINALS[final] or "n"), "l" if final == "ㅀ" else "n"
    sound = _FINAL_ALONE[final]
    if initial_jamo == "ㄹ":
        if sound in ("l", "n") and final not in ("ㄵ", "ㄶ"):  # 신라 silla, 별로 byeollo
            return "l", "l"
        if sound:  # 종로 jongno, 왕십리 wangsimni, 백리 baengni
            return _NASAL.get(sound, sound), "n"
        return default
    if initial_jamo in ("ㄴ", "ㅁ"):
        if sound == "l" and initial_jamo == "ㄴ":  # 별내 byeollae
            return "l", "l"
        if sound in _NASAL:  # 국민 gungmin, 밥물 bammul
            return _NASAL[sound], _INITIAL_ROMAN[initial]
        return default
    if initial_jamo == "ㅎ" and final == "ㄷ" and next_medial == _MEDIAL_I:  # 굳히다 guchida
        return "", "ch"
    return default


def _romanize_word(syllables: list[tuple[int, int, int]]) -> str:
    """Romanize one run of Hangul syllables, applying sound changes between them."""
    pieces: list[str] = []
    carried = _INITIAL_ROMAN[syllables[0][0]]
    for index, (_, medial, final) in enumerate(syllables):
        final_jamo = _FINAL_JAMO[final]
        if index + 1 < len(syllables):
            next_initial, next_medial, _ = syllables[index + 1]
            final_roman, next_roman = _boundary(final_jamo, next_initial, next_medial)
        else:
            final_roman, next_roman = _FINAL_ALONE[final_jamo], ""
        pieces.append(carried + _MEDIAL_ROMAN[medial] + final_roman)
        carried = next_roman
    return "".join(pieces)


def hangul_romanize(text: str) -> str:
    """Romanize Hangul by the Revised Romanization of Korean, lower-case.

    Sound changes apply inside each run of consecutive Hangul syllables; spaces and other characters
    are kept as they are.

    Args:
        text: Any text.

    Returns:
        The romanized text, e.g. ``전세 사기`` -> ``jeonse sagi``, ``국민`` -> ``gungmin``.
    """
    out: list[str] = []
    run: list[tuple[int, int, int]] = []
    for char in text:
        parts = _decompose(char)
        if parts is not None:
            run.append(parts)
            continue
        if run:
            out.append(_romanize_word(run))
            run = []
        out.append(char)
    if run:
        out.append(_romanize_word(run))
    return "".join(out)
