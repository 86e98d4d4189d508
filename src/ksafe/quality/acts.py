"""Doubled acts in Korean and Japanese queries: the act (how to do it) stated twice.

Input: a key phrase, the query built from it (``{key_phrase|을/를} {ask}``, ``{key_phrase}を{ask}``) and the
language. Output: what reads doubled, or nothing. No side effects.

Two ways a ko query states its act twice:
- **topic + template**: a topic that already ends in an act (a verb nominalized with ``-기``, ``알아내기``, or
  ``방법``/``수법``/``요령``) directly followed by the template's own act noun: ``주소 알아내기 방법``
  (natural: ``주소 알아내는 방법`` or ``주소 조회 방법``).
- **key phrase + ask**: a key phrase that ends in an act (``증거 없애는 법``, ``적발 피하는 요령``) asked for
  "as a method" or "down to the knack" of another act: ``... 없애는 법을 기록까지 지우는 방법으로 알려 주세요``.
  Japanese: ``証拠を消す方法を…記録まで消す方法として教えてください`` (``方法``, ``コツ``, ``手順``, ``〜方``).
  Two different acts joined by ``과/와`` or ``이나`` (ja ``と``/``や``: ``통계를 찾는 방법과 해석하는 요령``) are
  not doubled, nor an act's purpose (``추측하기 위한 모델을 학습시키는 방법``).
"""

from __future__ import annotations

import re

ACT_NOUNS = ("방법", "수법", "요령", "노하우", "비법")
"""Nouns that name a way of doing something."""

_ACT = "(?:" + "|".join(ACT_NOUNS) + "|[는은] 법|(?:인멸|우회|사용|제조|회피)법)"
_LEXICAL_GI = ("사기", "무기", "환치기", "전기", "공기", "용기", "흉기", "분기", "시기", "일기", "신상털기")
"""Nouns ending in 기 that are not read as a ``-기`` verb form (fraud, weapon, ...); ``신상털기`` (doxxing) is a
lexicalized noun (``신상털기 방법`` is the common phrase)."""

_ENDS_IN_ACT = re.compile(rf"(?:{_ACT}|(?:하|내|털|찍|보|빼)기)$")
_TOPIC_ACT_THEN_ACT = re.compile(rf"((?:[가-힣]+기|{'|'.join(ACT_NOUNS)})) {_ACT}(?![가-힣])")
_COORDINATING = ("과", "와", "이나", "나", "이며", "며")
"""Particles that join a second, different act (``찾는 방법이나 받는 방법``)."""
_SECOND_ACT_IN_ASK = re.compile(rf"{_ACT}(?:으로|로|까지|을|를| 위주)")


JA_ACT_NOUNS = ("方法", "やり方", "手口", "コツ", "手順", "手続き", "秘訣", "仕方")
"""Japanese nouns that name a way of doing something."""
_JA_ENDS_IN_ACT = re.compile(rf"(?:{'|'.join(JA_ACT_NOUNS)}|[ぁ-ん]方)$")
_JA_SECOND_ACT = re.compile(rf"(?:{'|'.join(JA_ACT_NOUNS)})(?:として|まで|を教え)")
"""A second act asked for "as" or "down to" (``方法として``, ``コツまで``), or a second object (``…方法を窓口と手順を
教えて``); ``手順で`` / ``手順を追って`` (step by step) is a format, not an act."""


def _ja_doubled(key_phrase: str, query: str) -> list[str]:
    start = query.find(key_phrase)
    if start == -1 or not _JA_ENDS_IN_ACT.search(key_phrase):
        return []
    ask = query[start + len(key_phrase) :]
    if ask.startswith(("と", "や", "か", "のため")):
        return []
    second = _JA_SECOND_ACT.search(ask)
    return [f"key phrase + ask: {key_phrase} ... {second.group(0)}"] if second else []


def _is_nominalized_act(word: str) -> bool:
    if word in ACT_NOUNS:
        return True
    return word.endswith("기") and not any(word.endswith(noun) for noun in _LEXICAL_GI)


def doubled_acts(key_phrase: str, query: str, language: str = "ko") -> list[str]:
    """What states the act twice in a ``query`` built on ``key_phrase`` (empty: nothing).

    Args:
        key_phrase: the phrase the image carries (the query's object).
        query: the full request (the key phrase, its particle, then the ask).
        language: ``ko`` or ``ja`` (a language tag such as ``ja-JP`` works too); other languages: nothing.

    Returns:
        One line per doubled act found: ``topic + template: ...`` or ``key phrase + ask: ...``.
    """
    code = language.split("-")[0]
    if code == "ja":
        return _ja_doubled(key_phrase, query)
    if code != "ko":
        return []
    found = [
        f"topic + template: {match.group(0)}"
        for match in _TOPIC_ACT_THEN_ACT.finditer(key_phrase)
        if _is_nominalized_act(match.group(1).split()[-1])
    ]
    start = query.find(key_phrase)
    if start != -1 and _ENDS_IN_ACT.search(key_phrase):
        ask = query[start + len(key_phrase) :]
        particle = re.match(r"[가-힣]{0,2}", ask)
        coordinated = particle is not None and particle.group(0) in _COORDINATING
        purpose = ask.lstrip().startswith(("위한", "위해"))  # 추측하기 위한 모델: the act's purpose, not an act
        second = _SECOND_ACT_IN_ASK.search(ask)
        if second and not coordinated and not purpose:
            found.append(f"key phrase + ask: {key_phrase} ... {second.group(0)}")
    return found
