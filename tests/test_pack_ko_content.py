"""Content checks of the Korean (ko) culture pack data.

Input: the YAML files under ``src/ksafe/cultures/packs/ko``. Output: pytest results. No side effects.
Asserts the sizes the benchmark relies on (topics and templates per category), that every template and
wrapper uses only known placeholders, that the filled templates keep the key phrase inside the query,
and that the pack's font covers every character.
"""

from __future__ import annotations

import collections
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from fontTools.ttLib import TTFont

from ksafe.cultures.composition import expand_templates
from ksafe.cultures.pack_model import (
    JailbreaksFile,
    PackInfo,
    RefusalFile,
    ScenesFile,
    SlotsFile,
    TaxonomyFile,
    TemplatesFile,
    TopicsFile,
)
from ksafe.cultures.validate import global_slots
from ksafe.schema.taxonomy import DEFAULT_CATEGORY_IDS
from ksafe.text.template import check_template, fill, placeholders

PACK = Path(__file__).resolve().parents[1] / "src" / "ksafe" / "cultures" / "packs" / "ko"
OWN_FILES = (
    "pack.yaml",
    "taxonomy.yaml",
    "topics.yaml",
    "templates.yaml",
    "jailbreaks.yaml",
    "scenes.yaml",
    "refusals.yaml",
)
TEMPLATE_SLOTS = {"topic", "keyword", *global_slots(), "sns", "community", "chat_room", "marketplace", "region"}
TEMPLATE_SLOTS |= {"small_sum", "large_sum", "count", "adult_audience", "deadline"}
WRAPPER_SLOTS = {"prompt", "transformed"}
KOREAN_STRATEGIES = {
    "CharacterRolePlay": None,
    "AssumedResponsibility": None,
    "ResearchExperiment": None,
    "TextContinuation": None,
    "LogicalReasoning": None,
    "ProgramExecution": None,
    "Translation": None,
    "SuperiorModel": None,
    "SudoMode": None,
    "SimulateJailbreaking": None,
    "ChoseongAbbreviation": "hangul_initials",
    "Romanization": "hangul_romanize",
    "SlangRegister": None,
}


def _raw(name: str) -> Any:
    with (PACK / name).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@lru_cache(maxsize=1)
def _topics() -> TopicsFile:
    return TopicsFile.model_validate(_raw("topics.yaml"))


@lru_cache(maxsize=1)
def _templates() -> TemplatesFile:
    return expand_templates(TemplatesFile.model_validate(_raw("templates.yaml")))


@lru_cache(maxsize=1)
def _slot_values() -> dict[str, str]:
    pools = SlotsFile.model_validate(_raw("slots.yaml")).slots
    return {name: values[0] for name, values in pools.items()} | {"keyword": "키워드"}


@lru_cache(maxsize=1)
def _jailbreaks() -> JailbreaksFile:
    return JailbreaksFile.model_validate(_raw("jailbreaks.yaml"))


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in (*_strings(key), *_strings(item))]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def test_every_file_validates_against_its_model() -> None:
    info = PackInfo.model_validate(_raw("pack.yaml"))
    assert (info.code, info.benchmark_name, info.script, info.locale) == ("ko", "KSAFE-MM", "Hang", "ko-KR")
    assert info.font.face_name == "Noto Sans CJK KR"
    assert (info.defaults.g_count, info.defaults.c_count) == (1650, 12485)
    assert "numbered_list" in info.image_prompts
    TaxonomyFile.model_validate(_raw("taxonomy.yaml"))
    ScenesFile.model_validate(_raw("scenes.yaml"))
    RefusalFile.model_validate(_raw("refusals.yaml"))
    _topics()
    _templates()
    _jailbreaks()


def test_taxonomy_has_the_eleven_categories_with_lexicons() -> None:
    taxonomy = TaxonomyFile.model_validate(_raw("taxonomy.yaml"))
    assert {d.id for d in taxonomy.domains} == {"content_safety", "socio_economic", "legal_rights"}
    assert [c.id for c in taxonomy.categories] == list(DEFAULT_CATEGORY_IDS)
    for category in taxonomy.categories:
        assert 20 <= len(category.lexicon) <= 40, category.id
        assert len(set(category.lexicon)) == len(category.lexicon), category.id
        assert category.local_name and category.description


def test_topics_cover_every_category() -> None:
    topics = _topics().topics
    assert len(topics) >= 220
    names = [t.name for t in topics]
    assert len(set(names)) == len(names), "duplicate topic names"
    per_category = collections.Counter(c for t in topics for c in t.categories)
    for category_id in DEFAULT_CATEGORY_IDS:
        assert per_category[category_id] >= 15, category_id
    for topic in topics:
        assert set(topic.categories) <= set(DEFAULT_CATEGORY_IDS), topic.name
        assert 1 <= len(topic.categories) <= 3, topic.name
        assert 3 <= len(topic.keywords) <= 6, topic.name
        assert topic.description.isascii(), f"{topic.name}: description must be English"


def test_korea_specific_topics_are_present() -> None:
    names = " ".join(t.name for t in _topics().topics)
    needles: tuple[str, ...] = ("전세 사기", "독도", "보이스피싱", "딥페이크", "병역 기피")
    needles += ("위안부", "탈북민", "학교폭력", "웹툰", "불법 스포츠 도박")
    for needle in needles:
        assert needle in names, needle


def test_templates_per_category_and_placeholders() -> None:
    templates = _templates().templates
    ids = [t.id for t in templates]
    assert len(set(ids)) == len(ids), "duplicate template ids"
    per_category = collections.Counter(t.category for t in templates)
    for category_id in DEFAULT_CATEGORY_IDS:
        assert per_category[category_id] >= 24, category_id
    for template in templates:
        for side in (template.harmful, template.benign):
            for text in (side.key_phrase, side.prompt, side.query):
                check_template(text, TEMPLATE_SLOTS)
            assert "{topic" not in side.prompt, f"{template.id}: the prompt must not state the key phrase"
            assert "이미지" in side.prompt, f"{template.id}: the prompt must point at the image"


def test_filled_key_phrase_is_short_and_inline_for_every_topic() -> None:
    topics = _topics().topics
    for template in _templates().templates:
        for topic in (t for t in topics if template.category in t.categories):
            for side in (template.harmful, template.benign):
                if topic.kind not in template.kinds:
                    continue
                values = _slot_values() | {"topic": topic.name}
                key = fill(side.key_phrase, values)
                query = fill(side.query, values)
                assert 2 <= len(key.split()) <= 10, f"{template.id} / {topic.name}: {key}"
                assert key in query, f"{template.id} / {topic.name}: key phrase not inline in query"


def test_particle_follows_the_final_consonant() -> None:
    template = next(t for t in _templates().templates if t.id == "violence_01")
    assert fill(template.harmful.query, {"topic": "아동 학대"}).startswith("아동 학대를 ")
    assert fill(template.harmful.query, {"topic": "스토킹"}).startswith("스토킹을 ")


def test_wrapper_particles_fit_the_values_rendered_into_them() -> None:
    """Every ko wrapper text around a sample of real queries: no particle the wrapper writes after the key
    phrase or ``{transformed}`` contradicts its final sound (what ``ksafe lint`` reports on a build)."""
    import random

    from ksafe.cultures.loader import load_pack
    from ksafe.quality.lint import rendered_wrapper_particle_errors
    from ksafe.queries.c_queries import make_c_queries

    pack = load_pack("ko")
    pairs = sorted((p for ps in make_c_queries(pack, pack.topics, 0).values() for p in ps), key=lambda p: p.harmful.id)
    queries = [q for pair in random.Random(0).sample(pairs, 80) for q in (pair.harmful, pair.benign)]
    rendered, errors = rendered_wrapper_particle_errors(pack, queries)
    assert rendered == 2 * len(queries) * sum(1 + len(e.variants) for e in pack.jailbreaks.jailbreaks.values())
    assert errors == [], f"{len(errors)} errors, first: {errors[:3]}"


def test_every_korean_strategy_has_a_wrapper() -> None:
    jailbreaks = _jailbreaks().jailbreaks
    assert set(KOREAN_STRATEGIES) <= set(jailbreaks)
    for name, entry in jailbreaks.items():
        check_template(entry.template, WRAPPER_SLOTS)
        slots = {slot for slot, _ in placeholders(entry.template)}
        assert "prompt" in slots, name
        assert entry.transform == KOREAN_STRATEGIES.get(name), name
        if entry.transform is not None:
            assert "transformed" in slots, name
    assert "python" in jailbreaks["ProgramExecution"].template


def test_scene_strings_and_refusals_are_long_enough() -> None:
    scenes = ScenesFile.model_validate(_raw("scenes.yaml")).scenes
    for scene in (scenes.chat, scenes.news, scenes.document, scenes.sign):
        for key, values in scene.items():
            if "." in key:  # per-category choices (sections.violence) may be short
                continue
            assert len(values) >= 3, key
    assert len(scenes.chat["filler_messages"]) >= 10
    refusals = RefusalFile.model_validate(_raw("refusals.yaml"))
    assert len(refusals.refusal_phrases) >= 40
    assert len(refusals.warning_phrases) >= 15


@pytest.fixture(scope="module")
def font_cmap() -> set[int]:
    package = pytest.importorskip("manimgx_fonts_cjk")
    path = Path(package.__file__).parent / "NotoSansCJK-VF.otf.ttc"
    font = TTFont(str(path), fontNumber=1, lazy=True)
    assert font["name"].getDebugName(1) == "Noto Sans CJK KR"
    return set(font.getBestCmap())


@pytest.mark.parametrize("name", OWN_FILES)
def test_font_covers_every_character(name: str, font_cmap: set[int]) -> None:
    chars = {ch for text in _strings(_raw(name)) for ch in text if not ch.isspace()}
    missing = sorted(ch for ch in chars if ord(ch) not in font_cmap)
    assert not missing, f"{name}: characters missing from the font: {missing}"
