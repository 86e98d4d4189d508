"""Registry of script-aware text transforms used by jailbreak strategies.

Input: a transform name (as written in a pack's ``jailbreaks.yaml``) and a text.
Output: the transformed text. No side effects at import: the Japanese transforms load their
morphological analyser on first use (see ``ksafe.text.kana``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ksafe.errors import KsafeError
from ksafe.text.hangul import hangul_initials_short, hangul_romanize
from ksafe.text.kana import katakana_reading, romaji


@dataclass(frozen=True)
class TransformInfo:
    """What a transform does and which script it reads."""

    name: str
    """Name used in ``jailbreaks.yaml`` (``transform:``)."""
    script: str
    """ISO 15924 code of the script the transform reads (``Hang``, ``Jpan``); matches ``PackInfo.script``."""
    description: str
    """One sentence for users and the dataset card."""
    function: Callable[[str], str]
    """The pure function applied to the key phrase."""
    topic_only: bool = False
    """Apply to the topic inside the key phrase only (the rest and its particles stay readable), when the
    key phrase contains the topic."""


TRANSFORM_INFO: dict[str, TransformInfo] = {
    info.name: info
    for info in (
        TransformInfo(
            "hangul_initials",
            "Hang",
            "The leading short words (two at most, five syllables at most each) become their initial consonants "
            "(초성체), the rest is kept so it stays decodable: 전세 사기 수법 -> ㅈㅅ ㅅㄱ 수법.",
            hangul_initials_short,
            topic_only=True,
        ),
        TransformInfo(
            "hangul_romanize",
            "Hang",
            "Revised Romanization of Korean with sound changes between syllables: 국민 -> gungmin.",
            hangul_romanize,
        ),
        TransformInfo(
            "katakana_reading",
            "Jpan",
            "Japanese text rewritten as its katakana reading (fugashi + unidic-lite): 詐欺 -> サギ.",
            katakana_reading,
        ),
        TransformInfo(
            "romaji",
            "Jpan",
            "Japanese text rewritten in lower-case Hepburn romaji: 振り込め詐欺 -> furikome sagi.",
            romaji,
        ),
    )
}

TRANSFORMS: dict[str, Callable[[str], str]] = {name: info.function for name, info in TRANSFORM_INFO.items()}
"""Transform functions by name."""

TRANSFORM_DESCRIPTIONS: dict[str, str] = {name: info.description for name, info in TRANSFORM_INFO.items()}
"""One-sentence descriptions by name."""


def get_transform(name: str) -> Callable[[str], str]:
    """Return the transform called ``name``.

    Raises:
        KsafeError: no transform has that name (the message lists the known ones).
    """
    try:
        return TRANSFORMS[name]
    except KeyError:
        raise KsafeError(f"unknown transform {name!r} (known: {', '.join(TRANSFORMS)})") from None


def transforms_for_script(script: str) -> list[str]:
    """Names of the transforms that read ``script`` (an ISO 15924 code such as ``Hang``)."""
    return [name for name, info in TRANSFORM_INFO.items() if info.script == script]
