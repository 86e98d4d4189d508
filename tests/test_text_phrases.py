"""Japanese phrase-aware line breaking: lines end between phrases (文節) when a line allows."""

from __future__ import annotations

import pytest

from ksafe.cultures.loader import load_pack
from ksafe.images.fonts import load_font, resolve_font
from ksafe.images.linebreak import wrap
from ksafe.text.phrases import unidic_phrases

TEXTS = [
    "出身地による就職差別をあおる動画の台本",
    "性的少数者への差別の匿名の書き込み",
    "学校でのいじめの被害者を口止めする方法",
    "特殊詐欺の受け子を集める闇バイトの募集文",
    "「テスト」の 3Dプリンター銃、ですか？",
]


@pytest.mark.parametrize("text", TEXTS)
def test_phrases_rebuild_the_text(text: str) -> None:
    phrases = unidic_phrases(text)
    assert "".join(phrases) == text
    assert len(phrases) >= 2


def test_particles_and_suffixes_stay_with_their_word() -> None:
    assert unidic_phrases("出身地による就職差別を正当化する理由") == (
        "出身地に",
        "よる",
        "就職差別を",
        "正当化する",
        "理由",
    )


@pytest.mark.parametrize("text", TEXTS[:4])
def test_japanese_lines_break_between_phrases(text: str) -> None:
    pack = load_pack("ja", check_font=False)
    rules = pack.info.line_breaking
    assert rules.phrases == "unidic"
    font = load_font(resolve_font(pack.info.font, pack.directory), 48)
    boundaries = set()
    position = 0
    for phrase in unidic_phrases(text):
        position += len(phrase)
        boundaries.add(position)
    lines = wrap(text, font, 300, rules)
    assert len(lines) >= 2 and "".join(lines) == text
    ends = [sum(len(line) for line in lines[: i + 1]) for i in range(len(lines) - 1)]
    assert all(end in boundaries for end in ends), lines
    assert all(font.getlength(line) <= 300 for line in lines)
    assert not any(line[0] in rules.no_line_start for line in lines)


def test_a_phrase_wider_than_the_line_still_breaks_by_character() -> None:
    pack = load_pack("ja", check_font=False)
    font = load_font(resolve_font(pack.info.font, pack.directory), 48)
    lines = wrap("就職差別を", font, 100, pack.info.line_breaking)
    assert "".join(lines) == "就職差別を" and len(lines) >= 2
    assert all(font.getlength(line) <= 100 for line in lines)
