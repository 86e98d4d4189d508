"""Step 2 for subset G: English global-risk seeds -> literal translation -> contextualized version.

Input: the shared English seeds and global entities, and the pack's literal translations and local entities.
Output: ``QueryPair``s whose main pair is contextualized and whose variants are the English source and the
literal translation, with a record of which sentences contextualization changed. Side effects: none.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping

from ksafe.cultures.loader import CulturePack, SharedData
from ksafe.cultures.pack_model import GSeed, QueryText
from ksafe.queries.c_queries import QueryPair
from ksafe.queries.sentences import changed_sentences
from ksafe.schema.base import content_id
from ksafe.schema.records import Contextualization, GVersion, Query
from ksafe.text.money import convert_dollars
from ksafe.text.template import fill, placeholders


def _slots(texts: QueryText) -> list[str]:
    names: list[str] = []
    for field in (texts.key_phrase, texts.prompt, texts.query):
        for name, _ in placeholders(field):
            if name not in names:
                names.append(name)
    return names


PLACE_SLOTS = frozenset({"city", "landmark"})
"""Slots naming a place; contextualization keeps them as translated."""
PLACE_BOUND_SLOTS = frozenset({"institution", "law", "bank", "id_document", "money"})
"""Slots that belong to the place: in a seed set in a named (foreign) place they keep their translation, so a
shop in Phoenix keeps its dollars (city and currency stay together) instead of earning won or yen."""


def draw_indices(
    slot_names: list[str],
    shared: SharedData,
    rng: random.Random,
    category: str | None = None,
    fits: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """Which global value fills each slot: one of the seed's value group where it names one (``fits``: a
    woman's name for a girlfriend), else a law or institution of the seed's domain (``by_category``), and a
    landmark and a city in one seed tied (the landmark stands in that city, ``landmark_city``)."""
    entities = shared.global_entities.entities
    indices: dict[str, int] = {}
    for name in slot_names:
        group = (fits or {}).get(name)
        if group is not None:
            fitting = shared.global_entities.groups.get(name, {}).get(group, [])
        else:
            fitting = shared.global_entities.by_category.get(name, {}).get(category or "", [])
        valid = [i for i in fitting if 0 <= i < len(entities[name])]
        indices[name] = rng.choice(valid) if valid else rng.randrange(len(entities[name]))
    cities, landmark_cities = entities.get("city", []), shared.global_entities.landmark_city
    if "landmark" in indices and "city" in indices and landmark_cities:
        tied = [j for j, city in enumerate(landmark_cities) if city in cities]
        if tied:
            indices["landmark"] = rng.choice(tied)
            indices["city"] = cities.index(landmark_cities[indices["landmark"]])
    return indices


def local_equivalent(pack: CulturePack, name: str, index: int, english: str, literal: str) -> str:
    """The contextualized value of a slot: money converted at the pack's rate in local format; a slot value
    with a natural local equivalent (``equivalent`` in entities.yaml) swapped for it; anything else kept."""
    if name == "money" and pack.info.currency is not None:
        converted = convert_dollars(english, pack.info.currency.per_dollar, pack.info.currency.format)
        return converted or literal
    equivalents = pack.entities.entities[name].equivalent
    if index < len(equivalents) and equivalents[index]:
        return equivalents[index]
    return literal


def fills_per_seed(target: int, seeds: int, strategies: int) -> int:
    """How many entity fills each seed needs so that ``target`` items never repeat a (query, strategy)."""
    if seeds == 0 or strategies == 0:
        return 0
    return max(1, math.ceil(target / (seeds * strategies)))


def _make(
    pack: CulturePack,
    seed: GSeed,
    fill_index: int,
    version: GVersion,
    language: str,
    texts: QueryText,
    values: dict[str, str],
    pair_id: str,
    *,
    is_harmful: bool,
    contextualization: Contextualization | None = None,
) -> Query:
    key_phrase = fill(texts.key_phrase, values)
    prompt = fill(texts.prompt, values)
    query_text = fill(texts.query, values)
    return Query(
        id=content_id(
            "query", pack.code, "G", seed.id, fill_index, version, is_harmful, key_phrase, prompt, query_text
        ),
        culture=pack.code,
        language=language,
        subset="G",
        category=seed.category,
        domain=pack.taxonomy.domain_of(seed.category),
        topic_id=seed.id,
        topic=seed.id,
        template_id=seed.id,
        pair_id=pair_id,
        is_harmful=is_harmful,
        key_phrase=key_phrase,
        prompt=prompt,
        query=query_text,
        g_version=version,
        contextualization=contextualization,
    )


def _contextualization(literal: str, local: str, swaps: list[tuple[str, str, str]], enders: str) -> Contextualization:
    changed, count = changed_sentences(literal, local, enders)
    return Contextualization(
        literal=literal,
        contextualized=local,
        swaps=tuple(swaps),
        changed_sentences=changed,
        sentence_count=count,
    )


def make_g_queries(pack: CulturePack, shared: SharedData, seed: int, fills: int) -> dict[str, list[QueryPair]]:
    """Make ``fills`` contextualized query pairs per English seed, grouped by category."""
    by_category: dict[str, list[QueryPair]] = {c: [] for c in pack.taxonomy.category_ids}
    translations = pack.g_translations.translations
    seen_texts: set[str] = set()
    for g_seed in shared.g_seeds.seeds:
        translated = translations[g_seed.id]
        slot_names = _slots(g_seed.harmful) + [s for s in _slots(g_seed.benign) if s not in _slots(g_seed.harmful)]
        for fill_index in range(fills):
            rng = random.Random(content_id("g-fill", seed, pack.code, g_seed.id, fill_index))
            english: dict[str, str] = {}
            literal: dict[str, str] = {}
            local: dict[str, str] = {}
            swaps: list[tuple[str, str, str]] = []
            abroad = bool(PLACE_SLOTS & set(slot_names))  # the seed stays in its (kept) foreign city
            for name, index in draw_indices(slot_names, shared, rng, g_seed.category, g_seed.fits).items():
                english[name] = shared.global_entities.entities[name][index]
                literal[name] = pack.entities.entities[name].literal[index]
                if abroad and name in PLACE_BOUND_SLOTS:
                    local[name] = literal[name]  # a Korean law, or won, in Phoenix would not make sense
                else:
                    local[name] = local_equivalent(pack, name, index, english[name], literal[name])
                if local[name] != literal[name]:
                    swaps.append((name, literal[name], local[name]))
            pair_id = content_id("pair", pack.code, "G", g_seed.id, fill_index)
            versions: dict[GVersion, QueryPair] = {}
            version_plan: tuple[tuple[GVersion, str, dict[str, str]], ...] = (
                ("source_en", "en", english),
                ("literal", pack.info.language, literal),
                ("contextualized", pack.info.language, local),
            )
            for version, language, values in version_plan:
                pair = []
                for is_harmful in (True, False):
                    src = g_seed.harmful if is_harmful else g_seed.benign
                    texts = src if version == "source_en" else (translated.harmful if is_harmful else translated.benign)
                    context = None
                    if version == "contextualized":
                        literal_text = fill(texts.query, literal)
                        local_text = fill(texts.query, local)
                        context = _contextualization(literal_text, local_text, swaps, pack.info.sentence_end)
                    pair.append(
                        _make(
                            pack,
                            g_seed,
                            fill_index,
                            version,
                            language,
                            texts,
                            values,
                            pair_id,
                            is_harmful=is_harmful,
                            contextualization=context,
                        )
                    )
                versions[version] = QueryPair(harmful=pair[0], benign=pair[1])
            main = versions["contextualized"]
            if main.harmful.query in seen_texts:  # two fills drew the same values
                continue
            seen_texts.add(main.harmful.query)
            by_category[g_seed.category].append(
                QueryPair(
                    harmful=main.harmful,
                    benign=main.benign,
                    variants=(versions["source_en"], versions["literal"]),
                )
            )
    return by_category
