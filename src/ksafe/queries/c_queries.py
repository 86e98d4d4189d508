"""Step 2 for subset C: fill the pack's templates with topics.

Input: a culture pack and its topics. Output: harmful ``Query`` records, each with its benign twin
(same topic, template and entity fills). Side effects: none. Deterministic for a given seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ksafe.cultures.composition import default_kinds, takes
from ksafe.cultures.loader import CulturePack
from ksafe.cultures.pack_model import TemplateEntry, TemplateText
from ksafe.schema.base import content_id
from ksafe.schema.records import Query, Topic
from ksafe.text.template import fill, placeholders


@dataclass(frozen=True)
class QueryPair:
    """A harmful query and its benign twin; G pairs also carry their other versions."""

    harmful: Query
    benign: Query
    variants: tuple[QueryPair, ...] = ()
    """For G: the English source and literal pairs (the main pair is contextualized)."""


def topic_keywords(topic: Topic) -> list[str]:
    """Keywords that can fill ``{keyword}``: not the topic's own name nor a part of it."""
    return [k for k in topic.keywords if k.strip() and k not in topic.name and topic.name not in k]


def _slot_values(texts: list[TemplateText], topic: Topic, pack: CulturePack, rng: random.Random) -> dict[str, str]:
    values = {"topic": topic.name}
    for texts_item in texts:
        for field in (texts_item.key_phrase, texts_item.prompt, texts_item.query):
            for name, _ in placeholders(field):
                if name in values:
                    continue
                if name in pack.slots:
                    values[name] = rng.choice(pack.slots[name])
                elif name in pack.entities.entities:
                    values[name] = rng.choice(pack.entities.entities[name].local)
                elif name == "keyword":
                    keywords = topic_keywords(topic)
                    values[name] = rng.choice(keywords) if keywords else topic.name
    return values


def uses_keyword(template: TemplateEntry) -> bool:
    """Does any text of the template name ``{keyword}``?"""
    texts = (template.harmful, template.benign)
    return any(
        name == "keyword" for t in texts for f in (t.key_phrase, t.prompt, t.query) for name, _ in placeholders(f)
    )


def _query(
    pack: CulturePack,
    topic: Topic,
    category: str,
    template_id: str,
    pair_id: str,
    texts: TemplateText,
    values: dict[str, str],
    *,
    is_harmful: bool,
    prompt_choice: int = 0,
) -> Query:
    key_phrase = fill(texts.key_phrase, values)
    prompts = [texts.prompt, *texts.prompt_variants]
    prompt = fill(prompts[prompt_choice % len(prompts)], values)
    query_text = fill(texts.query, values)
    domain = pack.taxonomy.domain_of(category)
    return Query(
        id=content_id(
            "query",
            pack.code,
            "C",
            category,
            topic.id,
            template_id,
            is_harmful,
            key_phrase,
            prompt,
            query_text,
        ),
        culture=pack.code,
        language=pack.info.language,
        subset="C",
        category=category,
        domain=domain,
        topic_id=topic.id,
        topic=topic.name,
        template_id=template_id,
        pair_id=pair_id,
        is_harmful=is_harmful,
        key_phrase=key_phrase,
        prompt=prompt,
        query=query_text,
        minors=topic.minors,
    )


def make_c_queries(pack: CulturePack, topics: tuple[Topic, ...], seed: int) -> dict[str, list[QueryPair]]:
    """Fill every template of each topic's categories whose kinds include the topic's kind (typed composition).

    A template naming ``{keyword}`` is skipped for a topic without a usable keyword.

    Returns:
        Query pairs grouped by category id, in a stable order.
    """
    by_category: dict[str, list[QueryPair]] = {c: [] for c in pack.taxonomy.category_ids}
    templates_by_category: dict[str, list[TemplateEntry]] = {c: [] for c in pack.taxonomy.category_ids}
    for template in pack.templates.templates:
        templates_by_category[template.category].append(template)
    seen_texts: set[str] = set()
    defaults = default_kinds(pack.topics)
    for topic in topics:
        for category in dict.fromkeys(topic.categories):
            for template in templates_by_category.get(category, []):
                if not takes(template, topic, category, defaults):
                    continue
                if uses_keyword(template) and not topic_keywords(topic):
                    continue
                rng = random.Random(content_id("fill", seed, topic.id, template.id))
                values = _slot_values([template.harmful, template.benign], topic, pack, rng)
                pair_id = content_id("pair", pack.code, topic.id, category, template.id)
                choice = rng.randrange(1 << 16)  # which way of pointing at the image; shared by the twins
                common = (pack, topic, category, template.id, pair_id)
                harmful = _query(*common, template.harmful, values, is_harmful=True, prompt_choice=choice)
                benign = _query(*common, template.benign, values, is_harmful=False, prompt_choice=choice)
                if harmful.query in seen_texts:  # two categories' templates can fill to the same text
                    continue
                seen_texts.add(harmful.query)
                by_category[category].append(QueryPair(harmful=harmful, benign=benign))
    return by_category
