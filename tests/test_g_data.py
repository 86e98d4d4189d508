"""Checks of the subset G data: English seeds, global entities, English jailbreaks, and per-pack
entity dictionaries and literal translations (Korean, Japanese).

Input: the YAML files under ``src/ksafe/cultures/data`` and ``src/ksafe/cultures/packs/{ko,ja}``, and the
CJK font shipped by ``manimgx_fonts_cjk``. Output: none. Side effects: none (read-only).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from fontTools.ttLib import TTCollection

import ksafe
from ksafe.cultures.pack_model import (
    EntitiesFile,
    GlobalEntitiesFile,
    GSeedsFile,
    GTranslationsFile,
    JailbreaksFile,
    QueryText,
)
from ksafe.cultures.validate import global_slots
from ksafe.jailbreaks.builtin import LIU_STRATEGIES
from ksafe.schema.taxonomy import DEFAULT_CATEGORY_IDS
from ksafe.text.template import check_template, fill, placeholders

CULTURES = Path(ksafe.__file__).parent / "cultures"
DATA = CULTURES / "data"
PACKS = CULTURES / "packs"
SLOTS = global_slots()
STRATEGIES = tuple(strategy.name for strategy in LIU_STRATEGIES)  # pinned in test_jailbreaks
FIELDS = ("key_phrase", "prompt", "query")
# Face index inside NotoSansCJK-VF.otf.ttc: 0 = Noto Sans CJK JP, 1 = Noto Sans CJK KR.
FACE_INDEX = {"ja": 0, "ko": 1}
# A Korean particle written bare after a slot: it must use the {slot|A/B} form instead.
BARE_PARTICLE = re.compile(r"\{[a-z_]+\}(?:을|를|이|가|은|는|과|와|으로|로)(?=[\s,.?!]|$)")


def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@cache
def seeds() -> GSeedsFile:
    return GSeedsFile.model_validate(_load(DATA / "g_seeds.yaml"))


@cache
def global_entities() -> GlobalEntitiesFile:
    return GlobalEntitiesFile.model_validate(_load(DATA / "global_entities.yaml"))


@cache
def pack_entities(code: str) -> EntitiesFile:
    return EntitiesFile.model_validate(_load(PACKS / code / "entities.yaml"))


@cache
def pack_translations(code: str) -> GTranslationsFile:
    return GTranslationsFile.model_validate(_load(PACKS / code / "g_translations.yaml"))


@cache
def font_codepoints(face_index: int) -> frozenset[int]:
    import manimgx_fonts_cjk

    font_file = Path(manimgx_fonts_cjk.__file__).parent / "NotoSansCJK-VF.otf.ttc"
    collection = TTCollection(str(font_file), lazy=True)
    return frozenset(collection.fonts[face_index].getBestCmap())


def slot_names(text: str) -> set[str]:
    return {name for name, _ in placeholders(text)}


def texts(query: QueryText) -> list[str]:
    return [getattr(query, field) for field in FIELDS]


def missing_glyphs(strings: list[str], face_index: int) -> set[str]:
    cmap = font_codepoints(face_index)
    return {char for text in strings for char in text if not char.isspace() and ord(char) not in cmap}


def test_seeds_cover_every_category_with_sequential_ids() -> None:
    file = seeds()
    counts = Counter(seed.category for seed in file.seeds)
    assert set(counts) == set(DEFAULT_CATEGORY_IDS)
    assert min(counts.values()) >= 10, counts
    ids = [seed.id for seed in file.seeds]
    assert len(set(ids)) == len(ids)
    for category in DEFAULT_CATEGORY_IDS:  # g_<category>_01 .. _NN, in file order
        mine = [seed.id for seed in file.seeds if seed.category == category]
        assert mine == [f"g_{category}_{n:02d}" for n in range(1, len(mine) + 1)], category


def test_seeds_are_distinct_requests() -> None:
    for side in ("harmful", "benign"):
        key_phrases = Counter(getattr(seed, side).key_phrase.lower() for seed in seeds().seeds)
        assert [k for k, n in key_phrases.items() if n > 1] == [], side
        queries = Counter(getattr(seed, side).query for seed in seeds().seeds)
        assert [q for q, n in queries.items() if n > 1] == [], side


def test_seeds_use_known_slots_and_carry_the_key_phrase() -> None:
    for seed in seeds().seeds:
        for side in (seed.harmful, seed.benign):
            for text in texts(side):
                check_template(text, SLOTS)
            assert slot_names(side.query), f"{seed.id}: query uses no entity slot"
            assert 2 <= len(side.key_phrase.split()) <= 8, f"{seed.id}: key phrase length"
            assert side.key_phrase.lower() in side.query.lower(), f"{seed.id}: key phrase not in query"
            assert side.key_phrase.lower() not in side.prompt.lower(), f"{seed.id}: prompt states key phrase"
        assert seed.harmful.query != seed.benign.query


def test_global_entities_have_ten_distinct_values_per_slot() -> None:
    entities = global_entities().entities
    assert len(entities) >= 10
    for slot, values in entities.items():
        assert len(values) >= 10, slot
        assert len(set(values)) == len(values), slot
        assert all(value.strip() and "{" not in value for value in values), slot


def test_english_jailbreaks_wrap_the_prompt() -> None:
    jailbreaks = JailbreaksFile.model_validate(_load(DATA / "jailbreaks_en.yaml")).jailbreaks
    assert set(jailbreaks) == set(STRATEGIES)
    for name, entry in jailbreaks.items():
        check_template(entry.template, ["prompt"])
        assert slot_names(entry.template) == {"prompt"}, name
        assert entry.transform is None, name
        wrapped = fill(entry.template, {"prompt": "PROMPT-MARKER"})
        assert wrapped.count("PROMPT-MARKER") == 1, name
    assert "python" in jailbreaks["ProgramExecution"].template.lower()
    assert "print(" in jailbreaks["ProgramExecution"].template


@pytest.mark.parametrize("code", sorted(FACE_INDEX))
def test_pack_entities_align_with_global_values(code: str) -> None:
    entities = pack_entities(code).entities
    global_values = global_entities().entities
    assert set(entities) == set(global_values)
    for slot, entry in entities.items():
        assert len(entry.literal) == len(global_values[slot]), f"{code}: {slot}: literal length"
        assert len(entry.local) >= 10, f"{code}: {slot}: local values"
        assert len(set(entry.local)) == len(entry.local), f"{code}: {slot}: duplicate local value"
        for value in [*entry.literal, *entry.local]:
            assert value.strip() == value and value, f"{code}: {slot}: {value!r}"
            assert "{" not in value and "}" not in value, f"{code}: {slot}: {value!r}"


@pytest.mark.parametrize("code", sorted(FACE_INDEX))
def test_pack_translates_every_seed_with_the_same_slots(code: str) -> None:
    translations = pack_translations(code).translations
    seed_by_id = {seed.id: seed for seed in seeds().seeds}
    assert set(translations) == set(seed_by_id)
    for seed_id, translation in translations.items():
        seed = seed_by_id[seed_id]
        for side in ("harmful", "benign"):
            english: QueryText = getattr(seed, side)
            local: QueryText = getattr(translation, side)
            for field in FIELDS:
                text = getattr(local, field)
                check_template(text, SLOTS)
                assert slot_names(text) == slot_names(getattr(english, field)), (
                    f"{code}: {seed_id}.{side}.{field}: slots differ from the English seed"
                )
                if code == "ko":
                    assert not BARE_PARTICLE.search(text), f"{code}: {seed_id}.{side}.{field}: bare particle"


@pytest.mark.parametrize("code", sorted(FACE_INDEX))
@pytest.mark.parametrize("version", ["literal", "local"])
def test_filled_query_contains_filled_key_phrase(code: str, version: str) -> None:
    entities = pack_entities(code).entities
    for index in (0, 1):
        values = {slot: getattr(entry, version)[index] for slot, entry in entities.items()}
        for seed_id, translation in pack_translations(code).translations.items():
            for side in (translation.harmful, translation.benign):
                key_phrase = fill(side.key_phrase, values)
                assert key_phrase in fill(side.query, values), f"{code}: {seed_id}: key phrase not in query"
                assert key_phrase not in fill(side.prompt, values), f"{code}: {seed_id}: prompt states it"


@pytest.mark.parametrize("code", sorted(FACE_INDEX))
def test_pack_text_is_covered_by_the_font(code: str) -> None:
    strings: list[str] = []
    for entry in pack_entities(code).entities.values():
        strings += [*entry.literal, *entry.local]
    for translation in pack_translations(code).translations.values():
        strings += texts(translation.harmful) + texts(translation.benign)
    assert missing_glyphs(strings, FACE_INDEX[code]) == set()


def test_english_text_is_covered_by_both_faces() -> None:
    strings = [value for values in global_entities().entities.values() for value in values]
    for seed in seeds().seeds:
        strings += texts(seed.harmful) + texts(seed.benign)
    for face_index in FACE_INDEX.values():
        assert missing_glyphs(strings, face_index) == set()


def test_korean_particles_follow_the_value() -> None:
    ko = pack_entities("ko").entities
    assert fill("{money|을/를}", {"money": ko["money"].local[0]}) == "500만 원을"
    assert fill("{money|을/를}", {"money": ko["money"].literal[0]}) == "5,000달러를"
    assert fill("{city|으로/로}", {"city": "서울"}) == "서울로"
