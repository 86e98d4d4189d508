"""Script-aware transforms: Hangul initials, Revised Romanization, katakana reading, Hepburn romaji."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ksafe.errors import KsafeError
from ksafe.text.hangul import hangul_initials, hangul_romanize
from ksafe.text.kana import hiragana_to_katakana, kana_to_romaji, katakana_reading, romaji
from ksafe.text.transforms import (
    TRANSFORM_REGISTRY,
    TransformInfo,
    get_transform,
    transform_names,
    transforms_for_script,
)

# A sample in each script a transform reads; every registered transform must change its script's sample.
SCRIPT_SAMPLES = {"Hang": "전세 사기", "Jpan": "振り込め詐欺"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("전세 사기", "ㅈㅅ ㅅㄱ"),
        ("보이스피싱", "ㅂㅇㅅㅍㅅ"),
        ("까치 빵", "ㄲㅊ ㅃ"),
        ("KTX 열차!", "KTX ㅇㅊ!"),
        ("", ""),
    ],
)
def test_hangul_initials(text: str, expected: str) -> None:
    assert hangul_initials(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("전세 사기", "jeonse sagi"),
        ("보이스피싱", "boiseupising"),
        ("독도", "dokdo"),
        ("서울", "seoul"),
        ("한국", "hanguk"),
        ("신라", "silla"),
        ("국민", "gungmin"),
        ("부산", "busan"),
        ("종로", "jongno"),  # ㅇ + ㄹ -> ng n
        ("왕십리", "wangsimni"),  # ㅂ + ㄹ -> m n
        ("별내", "byeollae"),  # ㄹ + ㄴ -> ll
        ("대관령", "daegwallyeong"),  # ㄴ + ㄹ -> ll
        ("백마", "baengma"),  # ㄱ + ㅁ -> ng m
        ("설악", "seorak"),  # liaison of ㄹ
        ("백암", "baegam"),  # liaison of ㄱ
        ("같이", "gachi"),  # palatalisation
        ("굳이", "guji"),
        ("좋고", "joko"),  # ㅎ aspirates the next consonant
        ("놓는", "nonneun"),
        ("읽어", "ilgeo"),  # cluster: second part moves over
        ("닭", "dak"),
        ("의정부", "uijeongbu"),
        ("벚꽃", "beotkkot"),
        ("묵호", "mukho"),  # RR keeps ㅎ after ㄱ in nouns
        ("김치찌개", "gimchijjigae"),
        ("라면 2개", "ramyeon 2gae"),
    ],
)
def test_hangul_romanize(text: str, expected: str) -> None:
    assert hangul_romanize(text) == expected


def test_hangul_romanize_leaves_other_scripts_and_spacing() -> None:
    assert hangul_romanize("Hello, 서울 타워!") == "Hello, seoul tawo!"
    assert hangul_romanize("東京 ㄱㄴ abc") == "東京 ㄱㄴ abc"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("振り込め詐欺", "フリコメサギ"),
        ("東京", "トウキョウ"),
        ("コーヒー", "コーヒー"),
        ("ひらがな", "ヒラガナ"),
        ("ABC 123", "ABC 123"),
        ("詐欺の手口", "サギノテグチ"),
    ],
)
def test_katakana_reading(text: str, expected: str) -> None:
    assert katakana_reading(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("振り込め詐欺", "furikome sagi"),
        ("東京", "toukyou"),
        ("ちょっと待って", "chotto matte"),  # small ョ, sokuon doubling, て joins the verb
        ("コーヒー", "koohii"),  # long vowel mark
        ("原因", "gen'in"),  # ン before a vowel
        ("本屋", "hon'ya"),  # ン before y
        ("写真", "shashin"),
        ("私は学校へ行きます", "watakushi wa gakkou e ikimasu"),  # particles by sound, ます joins
        ("東京で詐欺があった。", "toukyou de sagi ga atta."),
        ("「ABC」は安全です", '"ABC" wa anzen desu'),  # Latin words are already in the target script: kept
    ],
)
def test_romaji(text: str, expected: str) -> None:
    assert romaji(text) == expected


@pytest.mark.parametrize(
    ("kana", "expected"),
    [("マッチ", "matchi"), ("キャッシュ", "kyasshu"), ("ヴァイオリン", "vaiorin"), ("パーティー", "paatii")],
)
def test_kana_to_romaji(kana: str, expected: str) -> None:
    assert kana_to_romaji(kana) == expected


def test_hiragana_to_katakana() -> None:
    assert hiragana_to_katakana("さぎ abc サギ") == "サギ abc サギ"


def test_transforms_by_script_come_from_the_registry() -> None:
    assert transforms_for_script("Hang") == ["hangul_initials", "hangul_romanize"]
    assert transforms_for_script("Jpan") == ["katakana_reading", "romaji"]
    assert transforms_for_script("Thai") == []
    assert get_transform("hangul_romanize")("한국") == "hanguk"


def test_unknown_transform_lists_known_names() -> None:
    with pytest.raises(KsafeError, match="hangul_initials"):
        get_transform("pig_latin")


@pytest.mark.parametrize("name", transform_names())
def test_every_registered_transform_rewrites_its_script(name: str) -> None:
    info = TRANSFORM_REGISTRY.get(name)
    assert info.description.strip()
    sample = SCRIPT_SAMPLES[info.script]  # a transform for a script without a sample fails here: add one
    out = info.function(sample)
    assert out.strip() and out != sample
    assert not set(sample.replace(" ", "")) & set(out), f"{name} keeps characters of its input: {out!r}"


def test_a_plugin_transform_is_usable_by_name_and_script() -> None:
    TRANSFORM_REGISTRY.register(TransformInfo("reverse", "Hang", "Reverses the text.", lambda t: t[::-1]), "plug")
    try:
        assert get_transform("reverse")("가나") == "나가"
        assert transforms_for_script("Hang")[-1] == "reverse"
        assert TRANSFORM_REGISTRY.entries()["reverse"].distribution == "plug"
    finally:
        TRANSFORM_REGISTRY.reset()
    assert "reverse" not in transform_names()


def test_a_transform_with_a_bad_name_is_refused() -> None:
    with pytest.raises(KsafeError, match=r"plug.*not a valid transform.*lower case"):
        TRANSFORM_REGISTRY.register(TransformInfo("Bad Name", "Hang", "x", str.upper), "plug")
    assert "Bad Name" not in transform_names()


def test_no_tagger_created_at_import() -> None:
    code = (
        "import sys, ksafe.text.transforms, ksafe.jailbreaks\n"
        "assert 'fugashi' not in sys.modules, 'fugashi imported at import time'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
