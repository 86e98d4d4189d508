"""Template x topic fit rules from the native read of every fill (issue 11, pack review).

A native reader rejects a "victim" twin for a crime without a person as its victim (替え玉受験の被害者の手記,
마약 거래 증거 확보를 피해자가) and a Korean particle written after a slot whose final sound it does not match
(페이스북와). Both are checked on the pack files as shipped.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from ksafe.cultures.composition import expand_templates
from ksafe.cultures.pack_model import TemplatesFile, TopicsFile

PACKS = Path(__file__).resolve().parents[1] / "src" / "ksafe" / "cultures" / "packs"
VICTIM_WORDS = {"ja": ("被害者",), "ko": ("피해자",)}
FIXED_PARTICLE_AFTER_SLOT = re.compile(r"\{[a-z_]+\}(?:와|과|을|를|이|가|은|는|으로|로)(?=[\s,.、。])")


@lru_cache(maxsize=2)
def _templates(code: str) -> TemplatesFile:
    raw = yaml.safe_load((PACKS / code / "templates.yaml").read_text(encoding="utf-8"))
    return expand_templates(TemplatesFile.model_validate(raw))


def _texts(template_side: object) -> list[str]:
    return [getattr(template_side, name) for name in ("key_phrase", "query", "prompt")]


@pytest.mark.parametrize("code", ["ja", "ko"])
def test_victim_templates_never_take_victimless_acts(code: str) -> None:
    for template in _templates(code).templates:
        if "victimless_act" not in template.kinds:
            continue
        for side in (template.harmful, template.benign):
            for text in _texts(side):
                for word in VICTIM_WORDS[code]:
                    assert word not in text, f"{code} {template.id}: '{word}' in a template taking victimless_act"


@pytest.mark.parametrize("code", ["ja", "ko"])
def test_victimless_acts_exist_and_have_templates(code: str) -> None:
    raw = yaml.safe_load((PACKS / code / "topics.yaml").read_text(encoding="utf-8"))
    topics = [t for t in TopicsFile.model_validate(raw).topics if t.kind == "victimless_act"]
    assert topics, f"{code}: no victimless_act topic"
    for topic in topics:
        templates = _templates(code).templates
        taking = [t for t in templates if t.category in topic.categories and "victimless_act" in t.kinds]
        assert len(taking) >= 6, f"{code} {topic.name}: {len(taking)} templates"


def test_korean_particle_after_a_slot_is_chosen_at_fill_time() -> None:
    for template in _templates("ko").templates:
        for side in (template.harmful, template.benign):
            for text in _texts(side):
                match = FIXED_PARTICLE_AFTER_SLOT.search(text)
                assert match is None, f"ko {template.id}: fixed particle in '{match.group(0) if match else ''}'"


ATTACK_WORDS = ("대상", "피해 키우", "피해 규모", "도주")
"""Words of templates that presume an attack (its targets, its damage, fleeing after it)."""


def test_preparing_a_weapon_never_takes_an_attack_template() -> None:
    """ "화염병 제조 대상 고르기" / "사제 폭발물 제조 피해 키우는 법": making, acquiring or modifying a weapon is
    a ``preparation_act``, and templates that speak of an attack's targets, damage or flight leave it out."""
    raw = yaml.safe_load((PACKS / "ko" / "topics.yaml").read_text(encoding="utf-8"))
    preparing = [t for t in TopicsFile.model_validate(raw).topics if t.kind == "preparation_act"]
    assert {"화염병 제조", "사제 폭발물 제조", "불법 무기 밀수"} <= {t.name for t in preparing}
    templates = _templates("ko").templates
    for topic in preparing:
        taking = [t for t in templates if t.category in topic.categories and "preparation_act" in t.kinds]
        assert len(taking) >= 6, f"{topic.name}: {len(taking)} templates"
        for template in taking:
            for text in _texts(template.harmful):
                assert not any(word in text for word in ATTACK_WORDS), f"{template.id}: {text}"
    # a mined weaponization topic (no kind) still takes every template of the category
    from ksafe.cultures.composition import default_kinds
    from ksafe.cultures.loader import load_pack

    assert default_kinds(load_pack("ko").topics)["weaponization"] == "act_or_method"


def _stems(text: str) -> set[str]:
    """The first two syllables of each Hangul word (``고르기`` and ``고르는`` share ``고르``)."""
    text = re.sub(r"\{[^}]*\}", " ", text)
    return {word[:2] for word in re.findall(r"[가-힣]+", text)}


def test_ko_weaponization_pairings_read_naturally() -> None:
    """The native read of every weaponization pairing of a ``--limit 2000`` build (follow-ups 2):
    "가스통 폭발 위협 피해 키우는 법을 피해 규모가 커지도록" (a threat's damage, and 피해 twice),
    "다중이용시설 테러 관련 테러를 예고하는", "차량 돌진 공격 관련 법망 피하는 법을 합법적인 일처럼" (an attack
    cannot look legal), "디도스 공격 준비 중 단속 피하는 법을 경찰과 세관에"."""
    weapon = [t for t in _templates("ko").templates if t.category == "weaponization"]
    for template in weapon:  # the ask never repeats a word of its key phrase
        for side in (template.harmful, template.benign):
            ask = side.query[len(side.key_phrase) :]
            assert not _stems(side.key_phrase) & _stems(ask), f"{template.id}: {side.query}"
    attack_only = ("예고", "예행연습", "정당화", "대상", "도주", "피해 키우")
    for template in weapon:
        text = template.harmful.key_phrase
        if any(word in text for word in attack_only):
            assert "preparation_act" not in template.kinds, f"{template.id}: {text}"
        if "합법적인" in template.harmful.query:  # making or smuggling a weapon can pass as legal; an attack cannot
            assert template.kinds == ["preparation_act"], template.id
        assert "세관" not in template.harmful.query or template.kinds == ["preparation_act"], template.id
    raw = yaml.safe_load((PACKS / "ko" / "topics.yaml").read_text(encoding="utf-8"))
    for topic in TopicsFile.model_validate(raw).topics:
        if "weaponization" in topic.categories:  # a topic is the act: "X 위협" or "X 무기화" as an attack misreads
            assert not topic.name.endswith("위협"), topic.name
            assert not topic.name.endswith("무기화") or topic.kind == "preparation_act", topic.name
