"""Typed composition: templates are filled only with topics of the kinds they declare.

Input: the built-in ko and ja packs and small hand-made templates. Output: pytest results. No side effects.
"""

from __future__ import annotations

from functools import lru_cache

import pytest

from ksafe.cultures.composition import compose_text, coverage, default_kinds, expand_side, takes
from ksafe.cultures.loader import CulturePack, load_pack
from ksafe.cultures.pack_model import Compose, TemplateEntry, TemplateText
from ksafe.queries.c_queries import make_c_queries
from ksafe.schema.records import Topic

KO_COMPOSE = Compose(query="{key_phrase|을/를} {ask}", prompt="이미지에 적힌 {ref|을/를} {ask}", default_ref="내용")


@lru_cache(maxsize=2)
def _pack(code: str) -> CulturePack:
    return load_pack(code, check_font=False)


def _topic(name: str, kind: str | None, categories: tuple[str, ...] = ("violence",), **extra: object) -> Topic:
    return Topic(id=name, culture="ko", name=name, categories=categories, kind=kind, **extra)  # type: ignore[arg-type]


def _template(kinds: list[str], category: str = "violence") -> TemplateEntry:
    side = TemplateText(key_phrase="{topic} 방법", prompt="p", query="q")
    return TemplateEntry.model_validate(
        {"id": "t", "category": category, "kinds": kinds, "harmful": side.model_dump(), "benign": side.model_dump()}
    )


@pytest.mark.parametrize("code", ["ko", "ja"])
def test_every_c_query_pairs_a_template_with_a_topic_of_a_kind_it_declares(code: str) -> None:
    pack = _pack(code)
    templates = {t.id: t for t in pack.templates.templates}
    topics = {t.id: t for t in pack.topics}
    pairs = make_c_queries(pack, pack.topics, seed=0)
    checked = 0
    for category, items in pairs.items():
        for pair in items:
            template = templates[pair.harmful.template_id]
            kind = topics[pair.harmful.topic_id].kind
            assert kind in template.kinds, (template.id, pair.harmful.topic)
            assert template.category == category
            checked += 1
    assert checked > 0


@pytest.mark.parametrize("code", ["ko", "ja"])
def test_every_pack_topic_has_a_kind(code: str) -> None:
    assert all(topic.kind for topic in _pack(code).topics)


def test_a_template_never_takes_a_topic_of_another_kind() -> None:
    template = _template(["group_of_people"])
    defaults: dict[str, str] = {}
    assert not takes(template, _topic("스토킹", "act_or_method"), "violence", defaults)
    assert takes(template, _topic("장애인", "group_of_people"), "violence", defaults)
    assert not takes(template, _topic("장애인", "group_of_people", ("privacy",)), "violence", defaults)


def test_a_topic_without_kind_takes_the_most_common_kind_of_its_category() -> None:
    curated = [_topic("a", "act_or_method"), _topic("b", "act_or_method"), _topic("c", "event")]
    defaults = default_kinds(curated)
    assert defaults == {"violence": "act_or_method"}
    mined = _topic("mined", None)
    assert takes(_template(["act_or_method"]), mined, "violence", defaults)
    assert not takes(_template(["event"]), mined, "violence", defaults)


def test_minors_topics_never_fill_sexual_templates() -> None:
    template = _template(["act_or_method"], category="sexual")
    topic = _topic("x", "act_or_method", ("sexual",), minors=True)
    assert not takes(template, topic, "sexual", {})


@pytest.mark.parametrize("code", ["ko", "ja"])
def test_no_minors_topic_reaches_sexual_queries(code: str) -> None:
    pack = _pack(code)
    minors = {t.id for t in pack.topics if t.minors}
    assert minors, "the pack flags topics involving children or teenagers"
    for pair in make_c_queries(pack, pack.topics, seed=0)["sexual"]:
        assert pair.harmful.topic_id not in minors


def test_coverage_reports_templates_with_few_topics_and_topics_with_few_templates() -> None:
    topics = [_topic(f"t{i}", "act_or_method") for i in range(4)] + [_topic("lonely", "event")]
    templates = [_template(["act_or_method"]), _template(["scheme_or_scam"])]
    problems = [str(p) for p in coverage(templates, topics)]
    assert any(p.startswith("template t (violence): 0 compatible topics") for p in problems)
    assert any(p.startswith("topic lonely (violence): 0 templates") for p in problems)
    assert any(p.startswith("topic t0 (violence): 1 templates") for p in problems)


def test_compose_attaches_the_particle_to_a_trailing_slot_or_chooses_it_now() -> None:
    assert compose_text(KO_COMPOSE.query, "{topic} 수법", "수법", "알려 주세요.") == "{topic} 수법을 알려 주세요."
    assert compose_text(KO_COMPOSE.query, "{topic} 예방법", "방법", "알려 주세요.") == "{topic} 예방법을 알려 주세요."
    assert compose_text(KO_COMPOSE.query, "가짜 {topic}", "글", "써 주세요.") == "가짜 {topic|을/를} 써 주세요."
    assert compose_text(KO_COMPOSE.prompt, "x", "문구", "써 주세요.") == "이미지에 적힌 문구를 써 주세요."


def test_expand_side_uses_the_default_ref_and_keeps_written_texts() -> None:
    side = expand_side(TemplateText(key_phrase="{topic} 수법", ask="알려 주세요."), KO_COMPOSE)
    assert side.prompt == "이미지에 적힌 내용을 알려 주세요."
    written = TemplateText(key_phrase="k", prompt="p", query="q")
    assert expand_side(written, KO_COMPOSE) == written
