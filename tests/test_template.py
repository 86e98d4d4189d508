import pytest

from ksafe.text.template import (
    TemplateError,
    check_template,
    choose_particle,
    fill,
    placeholders,
    replace_with_particles,
)


@pytest.mark.parametrize(
    ("value", "particle", "expected"),
    [
        ("전세 사기", "을/를", "를"),
        ("독도", "이/가", "가"),
        ("보이스피싱", "은/는", "은"),
        ("한국", "과/와", "과"),
        ("서울", "으로/로", "로"),  # final ㄹ takes 로
        ("부산", "으로/로", "으로"),
        ("카카오톡", "을/를", "을"),
        ("SNS", "을/를", "를"),
        ("500만 원", "이/가", "이"),
        ("3", "을/를", "을"),
        ("2", "을/를", "를"),
        ("ㅈㅅ ㅅㄱ", "은/는", "은"),
        ("ㄱㄹ", "으로/로", "로"),
    ],
)
def test_korean_particle_follows_final_consonant(value: str, particle: str, expected: str) -> None:
    assert choose_particle(value, particle) == expected


def test_fill_inserts_values_and_particles() -> None:
    assert fill("{topic|을/를} 막는 법", {"topic": "전세 사기"}) == "전세 사기를 막는 법"
    assert fill("{city}에서", {"city": "東京"}) == "東京에서"


def test_unknown_placeholder_is_rejected_with_its_name() -> None:
    with pytest.raises(TemplateError, match=r"\{bogus\}"):
        check_template("hello {bogus}", ["topic"])


@pytest.mark.parametrize("bad", ["{}", "{Topic}", "{topic|을}", "{topic", "topic}"])
def test_malformed_templates_are_rejected(bad: str) -> None:
    with pytest.raises(TemplateError):
        placeholders(bad)


def test_missing_value_is_an_error() -> None:
    with pytest.raises(TemplateError, match="topic"):
        fill("{topic}", {})


def test_replacing_a_word_rechooses_the_following_particle() -> None:
    text = "가짜 통계를 만들고 가짜 통계가 퍼지면 가짜 통계로 끝"
    assert (
        replace_with_particles(text, "가짜 통계", "ㄱㅉ ㅌㄱ")
        == "ㄱㅉ ㅌㄱ을 만들고 ㄱㅉ ㅌㄱ이 퍼지면 ㄱㅉ ㅌㄱ으로 끝"
    )
    assert replace_with_particles("東京を", "東京", "トウキョウ") == "トウキョウを"
    assert replace_with_particles("abc", "x", "y") == "abc"
