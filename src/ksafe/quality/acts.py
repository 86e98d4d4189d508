"""Doubled acts in Korean queries: the act (how to do it) stated twice.

Input: a Korean key phrase and the query built from it (``{key_phrase|을/를} {ask}``). Output: what reads
doubled, or nothing. No side effects.

Two ways a ko query states its act twice:
- **topic + template**: a topic that already ends in an act (a verb nominalized with ``-기``, ``알아내기``, or
  ``방법``/``수법``/``요령``) directly followed by the template's own act noun: ``주소 알아내기 방법``
  (natural: ``주소 알아내는 방법`` or ``주소 조회 방법``).
- **key phrase + ask**: a key phrase that ends in an act (``증거 없애는 법``, ``적발 피하는 요령``) asked for
  "as a method" or "down to the knack" of another act: ``... 없애는 법을 기록까지 지우는 방법으로 알려 주세요``.
  Two different acts joined by ``과/와`` or ``이나`` (``통계를 찾는 방법과 해석하는 요령``) are not doubled, nor
  an act's purpose (``추측하기 위한 모델을 학습시키는 방법``).
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


def _is_nominalized_act(word: str) -> bool:
    if word in ACT_NOUNS:
        return True
    return word.endswith("기") and not any(word.endswith(noun) for noun in _LEXICAL_GI)


def doubled_acts(key_phrase: str, query: str) -> list[str]:
    """What states the act twice in a Korean ``query`` built on ``key_phrase`` (empty: nothing).

    Args:
        key_phrase: the phrase the image carries (the query's object).
        query: the full request (the key phrase, its particle, then the ask).

    Returns:
        One line per doubled act found: ``topic + template: ...`` or ``key phrase + ask: ...``.
    """
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
