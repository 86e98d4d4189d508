"""Registry of script-aware text transforms used by jailbreak strategies.

Input: a transform name (as written in a pack's ``jailbreaks.yaml``) and a text.
Output: the transformed text. No side effects at import: the Japanese transforms load their
morphological analyser on first use (see ``ksafe.text.kana``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ksafe.errors import KsafeError
from ksafe.text.hangul import hangul_initials, hangul_romanize
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


TRANSFORM_INFO: dict[str, TransformInfo] = {
    info.name: info
    for info in (
        TransformInfo(
            "hangul_initials",
            "Hang",
            "Each Hangul syllable becomes its initial consonant (초성체): 전세 사기 -> ㅈㅅ ㅅㄱ.",
            hangul_initials,
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
