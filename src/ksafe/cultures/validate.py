"""Cross-file checks of a culture pack (the per-file shape is checked by the pydantic models).

Input: a parsed ``CulturePack``. Output: nothing, or a ``PackError`` naming the file and field.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ksafe.errors import PackError
from ksafe.schema.taxonomy import DEFAULT_CATEGORY_IDS
from ksafe.text.template import TemplateError, check_template, placeholders

if TYPE_CHECKING:
    from pathlib import Path

    from ksafe.cultures.loader import CulturePack, SharedData
    from ksafe.cultures.pack_model import JailbreakEntry, MiningFile, TaxonomyFile, TopicsFile


def global_slots(shared: SharedData | None = None) -> tuple[str, ...]:
    """Entity slots every pack fills: the slots of the shared ``global_entities.yaml`` (data, not code).

    G seeds use only these; a pack's ``entities.yaml`` may add slots of its own for its templates.
    """
    if shared is None:
        from ksafe.cultures.loader import load_shared_data

        shared = load_shared_data()
    return tuple(shared.global_entities.entities)


SCENE_KEYS: dict[str, tuple[str, ...]] = {
    "chat": ("app_name", "contact_names", "filler_messages", "times", "input_placeholder"),
    "news": ("outlets", "sections", "headline_prefixes", "dates", "captions"),
    "document": ("titles", "field_labels", "footers", "stamp_texts"),
    "sign": ("headers", "footers"),
}
"""Strings each scene renderer needs."""

WRAPPER_SLOTS = ("prompt", "transformed")

_FIXED_PARTICLE_AFTER_WRAPPER_SLOT = re.compile(
    r"\{(prompt|transformed)\}['\"’”」』)\]]*(으로|로|을|를|이|가|은|는|과|와)(?=[\s,.!?'\"]|$)"
)
"""A Korean particle written after a wrapper slot: it depends on the value's final sound, so a fixed one is
wrong for about half the values (``'{transformed}'를`` after ``bangbeop``)."""

_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Embedding, override and isolate controls: they reorder what a reader sees (never needed in pack text)."""
_SINGLE_LINE_FIELDS = frozenset({"id", "name", "local_name", "key_phrase", "keywords", "code"})
"""Fields that name something (shown in one line, rendered as a key phrase): no line break or tab either."""
_EXPLICIT_PARTICLES = frozenset(
    {("을", "를"), ("은", "는"), ("과", "와"), ("이", "가"), ("아", "야"), ("이에요", "예요")}
)


def control_character(text: str, *, multiline: bool = False) -> str | None:
    """The first control character of ``text`` that pack or topic text must not hold, or None.

    Refused: C0/C1 controls, line and paragraph separators, bidirectional embedding/override/isolate
    controls. ``multiline`` text (descriptions, templates) may hold line breaks (``\\n``, U+2028, U+2029)
    and tabs.
    """
    for char in text:
        if multiline and char in "\n\t\u2028\u2029":
            continue
        if unicodedata.category(char) in ("Cc", "Zl", "Zp") or char in _BIDI_CONTROLS:
            return char
    return None


def is_known_particle(particle: str) -> bool:
    """True for a Korean particle pair ``A/B`` that ``{slot|A/B}`` can choose from.

    ``A`` follows a final consonant and ``B`` a vowel: the fixed pairs (을/를, 은/는, 과/와, 이/가, 아/야,
    이에요/예요) and every ``이X/X`` or ``으X/X`` (이나/나, 이라는/라는, 으로/로, ...).
    """
    with_final, _, without_final = particle.partition("/")
    if (with_final, without_final) in _EXPLICIT_PARTICLES:
        return True
    hangul = all("\uac00" <= c <= "\ud7a3" for c in with_final + without_final)
    return hangul and bool(without_final) and with_final in ("이" + without_final, "으" + without_final)


TEMPLATE_EXTRA_SLOTS = ("keyword",)
"""Template slots filled from the topic itself: ``{keyword}`` is one of its keywords."""


def _file(pack: CulturePack, name: str) -> str:
    return str(pack.directory / name)


def _check_unique(values: list[str], file: str, field: str) -> None:
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            raise PackError(file, f"{field}[{index}]", f"duplicate value {value!r}")
        seen.add(value)


def _check_taxonomy(pack: CulturePack, tax: TaxonomyFile) -> None:
    file = _file(pack, "taxonomy.yaml")
    _check_unique([d.id for d in tax.domains], file, "domains")
    _check_unique([c.id for c in tax.categories], file, "categories")
    domains = {d.id for d in tax.domains}
    for index, category in enumerate(tax.categories):
        if category.domain not in domains:
            raise PackError(file, f"categories[{index}].domain", f"unknown domain {category.domain!r}")
    present = {c.id for c in tax.categories}
    for category_id in DEFAULT_CATEGORY_IDS:
        if category_id not in present:
            raise PackError(file, "categories", f"missing category {category_id!r}")


def _check_topics(pack: CulturePack, topics: TopicsFile) -> None:
    file = _file(pack, "topics.yaml")
    categories = set(pack.taxonomy.category_ids)
    _check_unique([t.name for t in topics.topics], file, "topics.name")
    for index, topic in enumerate(topics.topics):
        for cat_index, category in enumerate(topic.categories):
            if category not in categories:
                raise PackError(file, f"topics[{index}].categories[{cat_index}]", f"unknown category {category!r}")


def _check_template(text: str, allowed: tuple[str, ...], file: str, field: str) -> None:
    try:
        check_template(text, allowed)
        for name, particle in placeholders(text):
            if particle is not None and not is_known_particle(particle):
                raise TemplateError(
                    f"unknown particle pair {{{name}|{particle}}}: write A/B with A after a final consonant and "
                    "B after a vowel (을/를, 이/가, 은/는, 과/와, 으로/로, 이나/나, ...)"
                )
    except TemplateError as exc:
        raise PackError(file, field, str(exc)) from None


def _check_image_prompts(pack: CulturePack) -> None:
    from ksafe.images.sources import IMAGE_SOURCES

    file = _file(pack, "pack.yaml")
    for kind, prompt in pack.info.image_prompts.items():
        if kind not in IMAGE_SOURCES:
            known = ", ".join(IMAGE_SOURCES.names())
            raise PackError(file, f"image_prompts.{kind}", f"unknown image kind (known: {known})")
        _check_template(prompt, ("prompt", "query"), file, f"image_prompts.{kind}")


def _check_templates(pack: CulturePack) -> None:
    file = _file(pack, "templates.yaml")
    allowed = ("topic", *pack.entities.entities, *TEMPLATE_EXTRA_SLOTS, *pack.slots)
    categories = set(pack.taxonomy.category_ids)
    _check_unique([t.id for t in pack.templates.templates], file, "templates.id")
    covered: set[str] = set()
    for index, template in enumerate(pack.templates.templates):
        if template.category not in categories:
            raise PackError(file, f"templates[{index}].category", f"unknown category {template.category!r}")
        covered.add(template.category)
        for side in ("harmful", "benign"):
            texts = getattr(template, side)
            for key in ("key_phrase", "prompt", "query"):
                text = getattr(texts, key)
                if not text.strip():
                    raise PackError(file, f"templates[{index}].{side}.{key}", "is empty")
                _check_template(text, allowed, file, f"templates[{index}].{side}.{key}")
    for category_id in pack.taxonomy.category_ids:
        if category_id not in covered:
            raise PackError(file, "templates", f"no template for category {category_id!r}")


def _check_entities(pack: CulturePack, shared: SharedData) -> None:
    file = _file(pack, "entities.yaml")
    for slot in global_slots(shared):
        if slot not in pack.entities.entities:
            raise PackError(file, "entities", f"missing slot {slot!r}")
    for slot, entry in pack.entities.entities.items():
        if slot == "topic":
            raise PackError(file, f"entities.{slot}", "name is taken by the topic slot; choose another")
        global_values = shared.global_entities.entities.get(slot, [])
        if len(entry.literal) != len(global_values):
            raise PackError(
                file,
                f"entities.{slot}.literal",
                f"has {len(entry.literal)} values; the global list has {len(global_values)} (keep the same order"
                + ("; a slot only this pack has takes no literal values)" if not global_values else ")"),
            )


def _check_g_seed_fits(shared: SharedData) -> None:
    """Every value group a G seed names (``fits``) exists and holds valid, existing values of its slot."""
    entities, groups = shared.global_entities.entities, shared.global_entities.groups
    for slot, named in groups.items():
        for group, indices in named.items():
            size = len(entities.get(slot, []))
            if not indices or any(not 0 <= index < size for index in indices):
                raise PackError("global_entities.yaml", f"groups.{slot}.{group}", f"needs indices 0..{size - 1}")
    for seed in shared.g_seeds.seeds:
        for slot, group in seed.fits.items():
            if group not in groups.get(slot, {}):
                known = ", ".join(sorted(groups.get(slot, {}))) or "none"
                raise PackError("g_seeds.yaml", f"{seed.id}.fits.{slot}", f"unknown group {group!r} (known: {known})")


def _check_g_translations(pack: CulturePack, shared: SharedData) -> None:
    file = _file(pack, "g_translations.yaml")
    translations = pack.g_translations.translations
    seed_ids = {seed.id for seed in shared.g_seeds.seeds}
    for seed_id in translations:
        if seed_id not in seed_ids:
            raise PackError(file, f"translations.{seed_id}", "no G seed has this id")
    _check_g_seed_fits(shared)
    for seed in shared.g_seeds.seeds:
        if seed.id not in translations:
            raise PackError(file, f"translations.{seed.id}", "missing translation of this G seed")
        translated = translations[seed.id]
        for side in ("harmful", "benign"):
            for key in ("key_phrase", "prompt", "query"):
                field = f"translations.{seed.id}.{side}.{key}"
                source_text = getattr(getattr(seed, side), key)
                text = getattr(getattr(translated, side), key)
                _check_template(text, global_slots(shared), file, field)
                wanted = {name for name, _ in placeholders(source_text)}
                got = {name for name, _ in placeholders(text)}
                if wanted != got:
                    raise PackError(file, field, f"slots {sorted(got)} differ from the English seed's {sorted(wanted)}")


def check_jailbreak(name: str, entry: JailbreakEntry, file: str = "jailbreaks.yaml") -> None:
    """Check one strategy's wrapper texts (``template`` and ``variants``) against the strategy's rules.

    The strategy must be registered, ``transform`` must be the one it needs (and a known transform), and each
    text must be a valid template holding ``{prompt}`` and no slot but ``{prompt}`` (and ``{transformed}`` for
    transform strategies).

    Args:
        name: the strategy name (``CharacterRolePlay``).
        entry: its ``jailbreaks.yaml`` entry.
        file: the file named in the error.

    Raises:
        PackError: naming ``file`` and the field ``jailbreaks.<name>...`` at fault.
    """
    from ksafe.jailbreaks.registry import get_strategy
    from ksafe.text.transforms import TRANSFORM_REGISTRY

    field = f"jailbreaks.{name}"
    try:
        strategy = get_strategy(name)
    except Exception as exc:
        raise PackError(file, field, str(exc)) from None
    if entry.transform != strategy.requires_transform:
        raise PackError(
            file,
            f"{field}.transform",
            f"{name} needs transform {strategy.requires_transform!r}, the pack says {entry.transform!r}",
        )
    allowed = WRAPPER_SLOTS if strategy.requires_transform else ("prompt",)
    for key, text in [("template", entry.template), *((f"variants[{i}]", v) for i, v in enumerate(entry.variants))]:
        _check_template(text, allowed, file, f"{field}.{key}")
        if "prompt" not in {n for n, _ in placeholders(text)}:
            raise PackError(file, f"{field}.{key}", "the wrapper must contain {prompt}")
        fixed = _FIXED_PARTICLE_AFTER_WRAPPER_SLOT.search(text)
        if fixed:
            raise PackError(
                file,
                f"{field}.{key}",
                f"fixed particle in {fixed.group(0)!r}: it fits only some values; write {{{fixed.group(1)}|을/를}} "
                "(the pair you need) right after the slot, or reword so that no particle follows it",
            )
    if entry.transform is not None and entry.transform not in TRANSFORM_REGISTRY:
        known = ", ".join(sorted(TRANSFORM_REGISTRY.names()))
        raise PackError(file, f"{field}.transform", f"unknown transform {entry.transform!r} (known: {known})")


def _check_jailbreaks(pack: CulturePack) -> None:
    file = _file(pack, "jailbreaks.yaml")
    for name, entry in pack.jailbreaks.jailbreaks.items():
        check_jailbreak(name, entry, file)


def _check_scenes(pack: CulturePack) -> None:
    file = _file(pack, "scenes.yaml")
    for scene, keys in SCENE_KEYS.items():
        strings: dict[str, list[str]] = getattr(pack.scenes, scene)
        for key in keys:
            if not strings.get(key):
                raise PackError(file, f"scenes.{scene}.{key}", "missing or empty list")


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")
    elif hasattr(value, "model_dump"):
        yield from _strings(value.model_dump(), path)


def _text_files(pack: CulturePack, taxonomy: TaxonomyFile, topics: TopicsFile) -> dict[str, Any]:
    """The pack files whose strings end up in items or images."""
    return {
        "taxonomy.yaml": taxonomy,
        "topics.yaml": topics,
        "templates.yaml": pack.templates,
        "entities.yaml": pack.entities,
        "g_translations.yaml": pack.g_translations,
        "scenes.yaml": pack.scenes,
    }


def _check_control_characters(pack: CulturePack, taxonomy: TaxonomyFile, topics: TopicsFile) -> None:
    files = {**_text_files(pack, taxonomy, topics), "jailbreaks.yaml": pack.jailbreaks, "pack.yaml": pack.info}
    for name, model in files.items():
        for field, text in _strings(model, ""):
            last = field.rsplit(".", 1)[-1].split("[", 1)[0]
            char = control_character(text, multiline=last not in _SINGLE_LINE_FIELDS)
            if char is not None:
                raise PackError(_file(pack, name), field, f"control character U+{ord(char):04X} (remove it)")


def _check_font(pack: CulturePack, taxonomy: TaxonomyFile, topics: TopicsFile) -> None:
    from ksafe.images.fonts import resolve_font
    from ksafe.images.glyphs import missing_glyphs

    font = resolve_font(pack.info.font, pack.directory)
    files = _text_files(pack, taxonomy, topics)
    for name, model in files.items():
        for field, text in _strings(model, ""):
            missing = missing_glyphs(font, text)
            if missing:
                char = missing[0]
                raise PackError(
                    _file(pack, name),
                    field,
                    f"character {char!r} (U+{ord(char):04X}) is not in font {font.path.name} "
                    f"face {pack.info.font.face_name!r}",
                )


def _check_composition(pack: CulturePack) -> None:
    """Slot pools (``slots.yaml``) and borderline requests (``borderline.yaml``)."""
    slots_file = _file(pack, "slots.yaml")
    reserved = {"topic", *pack.entities.entities, *TEMPLATE_EXTRA_SLOTS}
    for name, values in pack.slots.items():
        if name in reserved:
            raise PackError(slots_file, f"slots.{name}", "name is taken by a built-in slot; choose another")
        if not values:
            raise PackError(slots_file, f"slots.{name}", "missing or empty list")
        _check_unique(list(values), slots_file, f"slots.{name}")
        for index, value in enumerate(values):
            if not value.strip() or "{" in value or "}" in value:
                raise PackError(slots_file, f"slots.{name}[{index}]", f"value {value!r} is empty or holds a brace")
    allowed = ("topic", *pack.entities.entities, *TEMPLATE_EXTRA_SLOTS, *pack.slots)
    for index, template in enumerate(pack.templates.templates):
        for side in ("harmful", "benign"):
            for k, text in enumerate(getattr(template, side).prompt_variants):
                field = f"compose.prompt_variants[{k}] (templates[{index}].{side})"
                _check_template(text, allowed, _file(pack, "templates.yaml"), field)
    file = _file(pack, "borderline.yaml")
    categories = set(pack.taxonomy.category_ids)
    _check_unique([entry.id for entry in pack.borderline], file, "borderline.id")
    for index, entry in enumerate(pack.borderline):
        if entry.category not in categories:
            raise PackError(file, f"borderline[{index}].category", f"unknown category {entry.category!r}")
        for key in ("key_phrase", "prompt", "query"):
            text = getattr(entry, key)
            if not text.strip():
                raise PackError(file, f"borderline[{index}].{key}", "is empty (write it, or an ask with compose)")
            _check_template(text, tuple(pack.slots), file, f"borderline[{index}].{key}")


def _check_equivalents(pack: CulturePack) -> None:
    """``equivalent`` lists of entities.yaml run parallel to ``literal`` (G contextualization)."""
    file = _file(pack, "entities.yaml")
    for slot, entry in pack.entities.entities.items():
        if entry.equivalent and len(entry.equivalent) != len(entry.literal):
            raise PackError(
                file,
                f"entities.{slot}.equivalent",
                f"has {len(entry.equivalent)} values, literal {len(entry.literal)} (same order; '' keeps it)",
            )


def load_mining_file(directory: Path) -> MiningFile | None:
    """Parse and check the optional ``mining.yaml`` of the pack in ``directory`` (None when absent).

    Raises:
        PackError: the file is invalid, or a list holds an empty, padded or repeated word.
    """
    from ksafe.cultures.loader import parse_file
    from ksafe.cultures.pack_model import MINING_FILE, MiningFile

    path = directory / MINING_FILE
    if not path.is_file():
        return None
    mining = parse_file(path, MiningFile)
    for key in ("filler_words", "generic_words", "ambiguous_words"):
        words: list[str] = getattr(mining, key)
        _check_unique(words, str(path), key)
        for index, word in enumerate(words):
            if not word.strip() or word != word.strip():
                raise PackError(str(path), f"{key}[{index}]", f"word {word!r} is empty or has surrounding spaces")
    return mining


def validate_pack(
    pack: CulturePack, taxonomy: TaxonomyFile, topics: TopicsFile, shared: SharedData, *, check_font: bool
) -> None:
    """Run every cross-file check; raise ``PackError`` on the first problem."""
    _check_taxonomy(pack, taxonomy)
    _check_control_characters(pack, taxonomy, topics)
    _check_topics(pack, topics)
    _check_templates(pack)
    _check_image_prompts(pack)
    _check_entities(pack, shared)
    _check_g_translations(pack, shared)
    _check_jailbreaks(pack)
    _check_scenes(pack)
    _check_composition(pack)
    _check_equivalents(pack)
    load_mining_file(pack.directory)
    if check_font:
        _check_font(pack, taxonomy, topics)
