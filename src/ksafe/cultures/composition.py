"""Typed composition of C queries: which topics a template takes, and how ``ask``-form templates expand.

Input: a pack's parsed templates, topics and slot pools. Output: expanded templates (every side with its
prompt and query), the kind of each topic, and a coverage report (templates with too few compatible topics,
topics with too few templates). Side effects: none.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from ksafe.cultures.pack_model import Compose, TemplateEntry, TemplatesFile, TemplateText
from ksafe.schema.records import Topic
from ksafe.text.template import choose_particle

MIN_TOPICS_PER_TEMPLATE = 3
"""A template filled by fewer topics than this adds little variety: ``ksafe culture check`` reports it."""
MIN_TEMPLATES_PER_TOPIC = 6
"""A topic used by fewer templates than this is under-covered: ``ksafe culture check`` reports it."""

_SLOT = re.compile(r"\{(key_phrase|ref|ask)(?:\|([^{}]*))?\}")
_TRAILING_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}$")


def _attach_particle(value: str, particle: str | None) -> str:
    """``value`` followed by ``particle``; a trailing ``{slot}`` takes the particle at fill time instead."""
    if not particle:
        return value
    trailing = _TRAILING_PLACEHOLDER.search(value)
    if trailing:
        return value[: trailing.start()] + "{" + trailing.group(1) + "|" + particle + "}"
    return value + choose_particle(value, particle)


def compose_text(pattern: str, key_phrase: str, ref: str, ask: str) -> str:
    """Fill a ``compose`` pattern; the result is still a template (``{topic}`` and slots stay)."""
    values = {"key_phrase": key_phrase, "ref": ref, "ask": ask}

    def substitute(match: re.Match[str]) -> str:
        return _attach_particle(values[match.group(1)], match.group(2))

    return _SLOT.sub(substitute, pattern)


T = TypeVar("T", bound=TemplateText)


def expand_side(side: T, compose: Compose | None) -> T:
    """Fill ``prompt`` and ``query`` of an ``ask``-form side from the compose patterns (others unchanged)."""
    if not side.ask or compose is None:
        return side
    ref = side.ref or compose.default_ref
    update: dict[str, str | list[str]] = {}
    if not side.query:
        update["query"] = compose_text(compose.query, side.key_phrase, ref, side.ask)
    if not side.prompt:
        update["prompt"] = compose_text(compose.prompt, side.key_phrase, ref, side.ask)
        update["prompt_variants"] = [compose_text(p, side.key_phrase, ref, side.ask) for p in compose.prompt_variants]
    return side.model_copy(update=update)


def expand_templates(templates: TemplatesFile) -> TemplatesFile:
    """Every template side with its prompt and query written out."""
    expanded = [
        entry.model_copy(
            update={
                "harmful": expand_side(entry.harmful, templates.compose),
                "benign": expand_side(entry.benign, templates.compose),
            }
        )
        for entry in templates.templates
    ]
    return templates.model_copy(update={"templates": expanded})


def default_kinds(topics: Iterable[Topic]) -> dict[str, str]:
    """Per category, the most common kind of the curated topics whose first category it is."""
    counts: dict[str, Counter[str]] = {}
    for topic in topics:
        if topic.kind is not None:
            counts.setdefault(topic.categories[0], Counter())[topic.kind] += 1
    return {category: counter.most_common(1)[0][0] for category, counter in counts.items()}


def kind_of(topic: Topic, defaults: dict[str, str]) -> str | None:
    """The topic's kind, or the default kind of its first category for a topic without one (mined)."""
    return topic.kind or defaults.get(topic.categories[0])


def takes(template: TemplateEntry, topic: Topic, category: str, defaults: dict[str, str]) -> bool:
    """Does ``template`` read naturally with ``topic`` (same category, a kind it declares)?"""
    if template.category != category or category not in topic.categories:
        return False
    if topic.minors and category == "sexual":
        return False  # content policy: nothing sexual involving minors, whatever the template
    return kind_of(topic, defaults) in template.kinds


@dataclass(frozen=True)
class CoverageProblem:
    """A template with too few compatible topics, or a topic with too few templates."""

    subject: str
    """``template <id>`` or ``topic <name>``."""
    category: str
    count: int
    minimum: int

    def __str__(self) -> str:
        what = "compatible topics" if self.subject.startswith("template") else "templates"
        return f"{self.subject} ({self.category}): {self.count} {what}, fewer than {self.minimum}"


def coverage(templates: Sequence[TemplateEntry], topics: Sequence[Topic]) -> list[CoverageProblem]:
    """Report templates with fewer than ``MIN_TOPICS_PER_TEMPLATE`` topics and topics with fewer than
    ``MIN_TEMPLATES_PER_TOPIC`` templates, per category."""
    defaults = default_kinds(topics)
    problems: list[CoverageProblem] = []
    for template in templates:
        n = sum(takes(template, topic, template.category, defaults) for topic in topics)
        if n < MIN_TOPICS_PER_TEMPLATE:
            problems.append(CoverageProblem(f"template {template.id}", template.category, n, MIN_TOPICS_PER_TEMPLATE))
    for topic in topics:
        for category in dict.fromkeys(topic.categories):
            if topic.minors and category == "sexual":
                continue
            n = sum(takes(template, topic, category, defaults) for template in templates)
            if n < MIN_TEMPLATES_PER_TOPIC:
                problems.append(CoverageProblem(f"topic {topic.name}", category, n, MIN_TEMPLATES_PER_TOPIC))
    return problems
