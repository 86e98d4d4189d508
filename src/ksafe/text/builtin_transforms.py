"""ksafe's own script-aware transforms, registered through the ``ksafe.transforms`` entry point.

Input: none. Output: ``TransformInfo`` records. No side effects at import: the Japanese transforms load
their morphological analyser on first use (see ``ksafe.text.kana``).
"""

from __future__ import annotations

from ksafe.text.hangul import hangul_initials_short, hangul_romanize
from ksafe.text.kana import katakana_reading, romaji
from ksafe.text.transforms import TransformInfo

TRANSFORMS: tuple[TransformInfo, ...] = (
    TransformInfo(
        "hangul_initials",
        "Hang",
        "The first short Hangul words (two at most, five syllables at most each) become their initial "
        "consonants (초성체); Latin words, long compounds and the rest are kept so it stays decodable: "
        "전세 사기 수법 -> ㅈㅅ ㅅㄱ 수법, AI 연인 챗봇 -> AI ㅇㅇ ㅊㅂ.",
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
"""The built-in transforms (Korean, then Japanese)."""
