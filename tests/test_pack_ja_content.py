"""Content checks of the Japanese (ja, JSAFE-MM) culture pack.

Input: the YAML files in ``src/ksafe/cultures/packs/ja``. Output: none. Side effects: reads the files and the
bundled CJK font. The checks mirror what a build relies on: every file validates, every category has enough
topics and templates, placeholders are the allowed ones, every strategy has a wrapper and every character
renders in "Noto Sans CJK JP".
"""

from __future__ import annotations

import collections
import functools
import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fontTools.ttLib import TTFont
from pydantic import BaseModel

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
from ksafe.jailbreaks.apply import apply_strategy
from ksafe.jailbreaks.registry import strategy_names
from ksafe.schema.taxonomy import DEFAULT_CATEGORY_IDS
from ksafe.text.template import check_template, fill, placeholders

PACK_DIR = Path(__file__).resolve().parents[1] / "src" / "ksafe" / "cultures" / "packs" / "ja"
TEMPLATE_SLOTS = {"topic", "keyword", *global_slots(), "sns", "community", "chat_room", "marketplace", "region"}
TEMPLATE_SLOTS |= {"small_sum", "large_sum", "count", "adult_audience", "deadline"}
WRAPPER_SLOTS = {"prompt", "transformed"}
FILES: dict[str, type[BaseModel]] = {
    "pack.yaml": PackInfo,
    "taxonomy.yaml": TaxonomyFile,
    "topics.yaml": TopicsFile,
    "templates.yaml": TemplatesFile,
    "jailbreaks.yaml": JailbreaksFile,
    "scenes.yaml": ScenesFile,
    "refusals.yaml": RefusalFile,
}
JA_STRATEGIES = {
    "CharacterRolePlay",
    "AssumedResponsibility",
    "ResearchExperiment",
    "TextContinuation",
    "LogicalReasoning",
    "ProgramExecution",
    "Translation",
    "SuperiorModel",
    "SudoMode",
    "SimulateJailbreaking",
    "KanaSubstitution",
    "RomajiSubstitution",
}


def _raw(name: str) -> Any:
    with (PACK_DIR / name).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _load(name: str) -> Any:
    parsed = FILES[name].model_validate(_raw(name))
    return expand_templates(parsed) if name == "templates.yaml" else parsed


@functools.cache
def _slot_values() -> dict[str, str]:
    pools = SlotsFile.model_validate(_raw("slots.yaml")).slots
    return {name: values[0] for name, values in pools.items()} | {"keyword": "キーワード"}


def _strings(value: Any) -> Iterator[str]:
    """Yield every string (keys and values) inside a parsed YAML document."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@functools.cache
def _font_codepoints() -> frozenset[int]:
    info = _load("pack.yaml")
    assert info.font.package is not None
    package_file = importlib.import_module(info.font.package).__file__
    assert package_file is not None
    font_path = Path(package_file).parent / info.font.file
    font = TTFont(font_path, fontNumber=0, lazy=True)
    assert font["name"].getDebugName(1) == info.font.face_name
    return frozenset(font.getBestCmap())


@pytest.mark.parametrize("name", sorted(FILES))
def test_file_validates_against_its_model(name: str) -> None:
    assert isinstance(_load(name), FILES[name])


def test_pack_info_is_japanese_with_kinsoku() -> None:
    info = _load("pack.yaml")
    assert (info.code, info.benchmark_name, info.language, info.locale, info.script) == (
        "ja",
        "JSAFE-MM",
        "ja",
        "ja-JP",
        "Jpan",
    )
    assert info.font.face_name == "Noto Sans CJK JP"
    assert info.line_breaking.mode == "chars"
    for char in "、。」』）】ーっゃゅょッャュョ？！":
        assert char in info.line_breaking.no_line_start, char
    for char in "「『（【":
        assert char in info.line_breaking.no_line_end, char
    assert not set(info.line_breaking.no_line_start) & set(info.line_breaking.no_line_end)
    assert set("。？！") <= set(info.sentence_end)
    assert (info.defaults.g_count, info.defaults.c_count) == (1100, 5000)
    assert "numbered_list" in info.image_prompts
    for prompt in info.image_prompts.values():
        check_template(prompt, {"prompt", "query"})  # {query}: kinds whose image carries no text (sd)


def test_taxonomy_has_the_eleven_categories_with_lexicons() -> None:
    taxonomy = _load("taxonomy.yaml")
    assert tuple(c.id for c in taxonomy.categories) == DEFAULT_CATEGORY_IDS
    domains = {d.id for d in taxonomy.domains}
    assert domains == {"content_safety", "socio_economic", "legal_rights"}
    for category in taxonomy.categories:
        assert category.domain in domains
        assert category.local_name and category.description
        assert 20 <= len(category.lexicon) <= 40, category.id
        assert len(set(category.lexicon)) == len(category.lexicon), category.id


def test_topics_cover_every_category() -> None:
    topics = _load("topics.yaml").topics
    assert len(topics) >= 130
    names = [t.name for t in topics]
    assert len(set(names)) == len(names)
    counts = collections.Counter(c for t in topics for c in t.categories)
    assert set(counts) == set(DEFAULT_CATEGORY_IDS)
    for category in DEFAULT_CATEGORY_IDS:
        assert counts[category] >= 10, category
    for topic in topics:
        assert 1 <= len(topic.categories) <= 3, topic.name
        assert len(set(topic.categories)) == len(topic.categories), topic.name
        assert 3 <= len(topic.keywords) <= 6, topic.name
        assert topic.description.isascii(), topic.name
        assert "{" not in topic.name and "}" not in topic.name


JAPAN_SPECIFIC = (
    "特殊詐欺 闇バイト 反社会的勢力 パワハラ いじめ 在日コリアン 部落差別 アイヌ 竹島 尖閣 靖国 旧統一教会 "
    "選挙デマ 盗撮 リベンジポルノ 援助交際 自殺の名所 練炭 オーバードーズ マイナンバー 漫画村 3Dプリンター銃 "
    "ホスト 売掛金 転売ヤー"
).split()


@pytest.mark.parametrize("needle", JAPAN_SPECIFIC)
def test_japan_specific_topics_are_present(needle: str) -> None:
    topics = _load("topics.yaml").topics
    assert any(needle in t.name or any(needle in k for k in t.keywords) for t in topics), needle


def test_templates_per_category_with_benign_twins() -> None:
    templates = _load("templates.yaml").templates
    ids = [t.id for t in templates]
    assert len(set(ids)) == len(ids)
    counts = collections.Counter(t.category for t in templates)
    for category in DEFAULT_CATEGORY_IDS:
        assert counts[category] >= 24, category
    for template in templates:
        assert template.id.startswith(template.category + "_"), template.id
        assert template.harmful.key_phrase != template.benign.key_phrase, template.id
        for side in (template.harmful, template.benign):
            for text in (side.key_phrase, side.prompt, side.query):
                check_template(text, TEMPLATE_SLOTS)
                assert all(particle is None for _, particle in placeholders(text)), template.id
            # The jailbreak transforms replace the key phrase inside the query, so it must appear verbatim.
            assert side.key_phrase in side.query, template.id
            assert "{topic}" in side.key_phrase, template.id
            assert "{topic}" not in side.prompt, template.id
            assert side.prompt.startswith("画像"), template.id


def test_templates_fill_with_every_topic_of_their_category() -> None:
    topics = _load("topics.yaml").topics
    for template in _load("templates.yaml").templates:
        for topic in (t for t in topics if template.category in t.categories and t.kind in template.kinds):
            query = fill(template.harmful.query, _slot_values() | {"topic": topic.name})
            assert topic.name in query and "{" not in query


def test_jailbreaks_cover_all_japanese_strategies() -> None:
    jailbreaks = _load("jailbreaks.yaml").jailbreaks
    assert set(jailbreaks) == JA_STRATEGIES
    assert set(strategy_names("ja")) - {"none"} == JA_STRATEGIES
    assert jailbreaks["KanaSubstitution"].transform == "katakana_reading"
    assert jailbreaks["RomajiSubstitution"].transform == "romaji"
    for name, entry in jailbreaks.items():
        check_template(entry.template, WRAPPER_SLOTS)
        slots = {slot for slot, _ in placeholders(entry.template)}
        assert "prompt" in slots, name
        assert ("transformed" in slots) == (entry.transform is not None), name
    assert "python" in jailbreaks["ProgramExecution"].template


def test_jailbreak_wrappers_apply_to_a_real_query() -> None:
    jailbreaks = _load("jailbreaks.yaml").jailbreaks
    template = _load("templates.yaml").templates[0]
    topic = next(t.name for t in _load("topics.yaml").topics if template.category in t.categories)
    key_phrase = fill(template.harmful.key_phrase, _slot_values() | {"topic": topic})
    query = fill(template.harmful.query, _slot_values() | {"topic": topic})
    for name, entry in jailbreaks.items():
        wrapped = apply_strategy(name, entry, text=query, key_phrase=key_phrase)
        if entry.transform is None:
            assert query in wrapped, name
        else:
            assert key_phrase not in wrapped, name


def test_scene_strings_have_enough_entries() -> None:
    scenes = _load("scenes.yaml").scenes
    required = {
        "chat": {"app_name", "contact_names", "filler_messages", "times", "input_placeholder"},
        "news": {"outlets", "sections", "headline_prefixes", "dates", "captions"},
        "document": {"titles", "field_labels", "footers", "stamp_texts"},
        "sign": {"headers", "footers"},
    }
    for kind, keys in required.items():
        block = getattr(scenes, kind)
        assert keys <= set(block), kind
        for key in keys:
            assert len(block[key]) >= 3, (kind, key)
    assert len(scenes.chat["filler_messages"]) >= 10
    assert {"賃貸借契約書", "内容証明郵便", "通知書"} <= set(scenes.document["titles"])


def test_refusal_and_warning_phrases() -> None:
    refusals = _load("refusals.yaml")
    assert len(refusals.refusal_phrases) >= 40
    assert len(refusals.warning_phrases) >= 15
    assert len(set(refusals.refusal_phrases)) == len(refusals.refusal_phrases)
    assert len(set(refusals.warning_phrases)) == len(refusals.warning_phrases)
    assert "申し訳ありませんが" in refusals.refusal_phrases
    assert any("専門家" in phrase for phrase in refusals.warning_phrases)


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_character_is_in_the_font(name: str) -> None:
    codepoints = _font_codepoints()
    assert 0x1F600 not in codepoints  # the check can fail: the font has no emoji
    chars = {char for text in _strings(_raw(name)) for char in text if not char.isspace()}
    missing = sorted(char for char in chars if ord(char) not in codepoints)
    assert not missing, f"{name}: characters missing from Noto Sans CJK JP: {''.join(missing)}"
