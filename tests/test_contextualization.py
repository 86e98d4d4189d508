"""G contextualization keeps sense: tied slots, same-function equivalents, converted money, 10-30% changed.

Input: the built-in ko and ja packs and the shared seeds. Output: pytest results. No side effects.
"""

from __future__ import annotations

import random
import re
from functools import lru_cache

import pytest

from ksafe.cultures.loader import CulturePack, SharedData, load_pack, load_shared_data
from ksafe.cultures.validate import _check_g_seed_fits
from ksafe.errors import PackError
from ksafe.queries.g_queries import draw_indices, fills_per_seed, local_equivalent, make_g_queries
from ksafe.text.money import convert_dollars, format_japanese, format_korean, round_significant
from ksafe.text.template import placeholders


@lru_cache(maxsize=2)
def _pack(code: str) -> CulturePack:
    return load_pack(code, check_font=False)


@lru_cache(maxsize=1)
def _shared() -> SharedData:
    return load_shared_data()


def test_a_landmark_always_stands_in_the_city_the_seed_names() -> None:
    entities = _shared().global_entities.entities
    for seed in range(200):
        indices = draw_indices(["city", "landmark"], _shared(), random.Random(seed))
        landmark_city = _shared().global_entities.landmark_city
        assert landmark_city[indices["landmark"]] == entities["city"][indices["city"]]


@pytest.mark.parametrize(
    ("amount", "korean", "japanese"),
    [("$5,000", "680만 원", "75万円"), ("$100", "14만 원", "1万5000円"), ("$100,000", "1억 4,000만 원", "1500万円")],
)
def test_money_is_converted_at_the_pack_rate_in_local_format(amount: str, korean: str, japanese: str) -> None:
    assert convert_dollars(amount, _pack("ko").info.currency.per_dollar, "ko") == korean  # type: ignore[union-attr]
    assert convert_dollars(amount, _pack("ja").info.currency.per_dollar, "ja") == japanese  # type: ignore[union-attr]
    assert local_equivalent(_pack("ko"), "money", 0, amount, "x") == korean


def test_money_formats() -> None:
    assert round_significant(6_750_000) == 6_800_000
    assert format_korean(5_000) == "5,000원" and format_korean(30_000_000) == "3,000만 원"
    assert format_japanese(7_500) == "7,500円" and format_japanese(130_000_000) == "1億3000万円"


@pytest.mark.parametrize("code", ["ko", "ja"])
def test_institutions_and_laws_are_swapped_for_same_function_ones_and_global_brands_kept(code: str) -> None:
    pack, entities = _pack(code), _shared().global_entities.entities
    irs = entities["institution"].index("the IRS")
    assert local_equivalent(pack, "institution", irs, "the IRS", "x") == {"ko": "국세청", "ja": "国税庁"}[code]
    copyright_act = entities["law"].index("the Copyright Act")
    literal = pack.entities.entities["law"].literal[copyright_act]
    assert local_equivalent(pack, "law", copyright_act, "the Copyright Act", literal) == literal  # same law
    youtube = entities["platform"].index("YouTube")
    literal = pack.entities.entities["platform"].literal[youtube]
    assert local_equivalent(pack, "platform", youtube, "YouTube", literal) == literal
    name = pack.entities.entities["person_name"].literal[0]
    assert local_equivalent(pack, "person_name", 0, "John Smith", name) == name  # names stay as translated


@pytest.mark.parametrize("code", ["ko", "ja"])
def test_changed_sentence_share_lands_near_the_papers(code: str) -> None:
    pack, shared = _pack(code), _shared()
    fills = fills_per_seed(pack.info.defaults.g_count, len(shared.g_seeds.seeds), 11)
    contexts = [p.harmful.contextualization for v in make_g_queries(pack, shared, 0, fills).values() for p in v]
    assert all(c is not None for c in contexts)
    sentences = sum(c.sentence_count for c in contexts if c)
    changed = sum(len(c.changed_sentences) for c in contexts if c)
    assert 0.10 <= changed / sentences <= 0.30
    for context in contexts:
        assert context is not None
        for slot, literal, local in context.swaps:
            assert literal != local, slot  # only real swaps are recorded


def test_laws_and_institutions_fit_the_seeds_category() -> None:
    shared = _shared()
    laws = shared.global_entities.entities["law"]
    for seed in range(50):
        rng = random.Random(seed)
        assert laws[draw_indices(["law"], shared, rng, "copyrights")["law"]] in {
            "the Copyright Act",
            "the Digital Millennium Copyright Act",
        }
        institution = draw_indices(["institution"], shared, rng, "political_religious_neutrality")["institution"]
        assert shared.global_entities.entities["institution"][institution] == "the Federal Election Commission"


@pytest.mark.parametrize("code", ["ko", "ja"])
def test_a_seed_set_in_a_named_city_keeps_its_laws_and_institutions(code: str) -> None:
    pack, shared = _pack(code), _shared()
    for pairs in make_g_queries(pack, shared, 0, 2).values():
        for pair in pairs:
            context = pair.harmful.contextualization
            assert context is not None
            swapped = {slot for slot, _, _ in context.swaps}
            literal = pair.variants[1].harmful
            names_place = any(city in literal.query for city in pack.entities.entities["city"].literal)
            if names_place:
                assert not swapped & {"institution", "law", "bank", "id_document"}, pair.harmful.query


@pytest.mark.parametrize("code", ["ko", "ja"])
def test_a_seed_set_in_a_named_city_keeps_its_dollars_and_one_without_converts_them(code: str) -> None:
    pack, shared = _pack(code), _shared()
    cities, amounts = pack.entities.entities["city"].literal, pack.entities.entities["money"].literal
    abroad = at_home = 0
    for pairs in make_g_queries(pack, shared, 0, 3).values():
        for pair in pairs:
            literal, local = pair.variants[1].harmful.query, pair.harmful.query
            if not any(amount in literal for amount in amounts):
                continue
            if any(city in literal for city in cities):
                abroad += 1
                kept = [amount for amount in amounts if amount in literal]
                assert all(amount in local for amount in kept), local  # the city stays, so its dollars stay
            else:
                at_home += 1
                assert not any(amount in local for amount in amounts), local  # converted to won/yen
    assert abroad and at_home  # both kinds of seed exist, so the rule is exercised


def test_every_stream_seed_names_a_video_platform() -> None:
    shared = _shared()
    platforms, groups = shared.global_entities.entities["platform"], shared.global_entities.groups["platform"]
    for g_seed in shared.g_seeds.seeds:
        # a livestream ("I stream games", "livestream self-harm"), not "streaming accounts" sold on a resale site
        if re.search(r"\b(live)?streams?\b", g_seed.harmful.query.lower()) and "{platform}" in g_seed.harmful.query:
            group = g_seed.fits.get("platform")
            assert group is not None, g_seed.id
            assert {platforms[i] for i in groups[group]} <= {"YouTube", "TikTok", "Twitch"}, g_seed.id


def test_seeds_with_gendered_roles_get_fitting_names() -> None:
    shared = _shared()
    by_id = {seed.id: seed for seed in shared.g_seeds.seeds}
    names = shared.global_entities.entities["person_name"]
    women = {names[i] for i in shared.global_entities.groups["person_name"]["woman"]}
    for pairs in make_g_queries(_pack("ko"), shared, 0, 3).values():
        for pair in pairs:
            source = pair.variants[0].harmful.query
            if by_id[pair.harmful.template_id].fits.get("person_name") == "woman":
                assert any(name in source for name in women), source
    for seed in shared.g_seeds.seeds:  # a seed only names groups of slots it uses
        used = {name for side in (seed.harmful, seed.benign) for name, _ in placeholders(side.query + side.prompt)}
        assert set(seed.fits) <= used, seed.id


def test_culture_check_rejects_an_unknown_value_group() -> None:
    shared = _shared()
    seed = shared.g_seeds.seeds[0].model_copy(update={"fits": {"person_name": "giant"}})
    broken = SharedData(
        g_seeds=shared.g_seeds.model_copy(update={"seeds": [seed]}),
        global_entities=shared.global_entities,
        jailbreaks_en=shared.jailbreaks_en,
    )
    with pytest.raises(PackError, match=r"g_seeds.yaml: g_hate_unfairness_01.fits.person_name: unknown group 'giant'"):
        _check_g_seed_fits(broken)
