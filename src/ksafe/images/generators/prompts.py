"""Text-to-image prompts with local visual cues, from a pack's optional ``image_prompts.yaml``.

Input: a query (key phrase, topic), the image kind, the pack and a seed. Output: the prompt string sent to the
image generator. Side effects: reads ``image_prompts.yaml`` once per load. Prompts hold only the template's
key phrase, the topic's description and the pack's generic cues (streets, signage, interiors, objects); any
person name from the pack's entity lists is replaced, so a prompt never names a person.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field

from ksafe.cultures.loader import CulturePack, parse_file
from ksafe.cultures.pack_model import PackModel
from ksafe.errors import PackError
from ksafe.schema.base import content_id
from ksafe.schema.records import Query
from ksafe.text.template import TemplateError, check_template, fill

IMAGE_PROMPTS_FILE = "image_prompts.yaml"
PROMPT_SLOTS = ("key_phrase", "topic", "topic_description", "setting", "street", "signage", "interior", "object")
"""Placeholders a generation template may use."""

DEFAULT_TEMPLATE = (
    "A realistic documentary photograph about: {key_phrase}. Setting: {setting}. In view: {object}, {signage}. "
    "Natural light, no readable text, no identifiable faces."
)
"""Used when a pack has no ``image_prompts.yaml`` (cues then come from the topic alone)."""


class LocalCues(PackModel):
    """Generic visual cues of the culture (never names of people)."""

    streets: list[str] = Field(min_length=1)
    """Outdoor settings, e.g. an alley of multi-family villas with tangled power lines."""
    interiors: list[str] = Field(min_length=1)
    """Indoor settings, e.g. a one-room studio with a floor mattress."""
    signage: list[str] = Field(min_length=1)
    """Signs and printed matter, e.g. a real-estate office window with listing sheets."""
    objects: list[str] = Field(min_length=1)
    """Everyday objects, e.g. a stamped lease contract and a personal seal."""


class ImagePromptsFile(PackModel):
    """``image_prompts.yaml`` (optional): per generated kind, a prompt template, and the local cues."""

    templates: dict[str, str] = Field(min_length=1)
    """Per image kind (``sd``, ``sd_typography``, ``scene_news_photo``; ``default`` for any other)."""
    cues: LocalCues
    person_placeholder: str = "a person"
    """What replaces a person name of the pack's entity lists inside a key phrase."""


@dataclass(frozen=True)
class PromptBook:
    """A pack's generation prompts, validated."""

    templates: dict[str, str]
    cues: LocalCues | None
    person_placeholder: str
    person_names: tuple[str, ...]
    topic_descriptions: dict[str, str]
    sha256: str | None
    """Hash of ``image_prompts.yaml`` (None when the pack has none)."""

    def prompt(self, query: Query, kind: str, seed: int) -> str:
        """The prompt for ``query``'s picture of ``kind`` (deterministic for a seed): the generator's own
        ``image_prompt`` when the query has one (person names replaced as in the templates), else the pack's
        template for the kind filled with the query and the local cues."""
        if query.image_prompt.strip():
            return " ".join(self._no_names(query.image_prompt).split())
        rng = random.Random(content_id("image-prompt", seed, kind, query.key_phrase))
        template = self.templates.get(kind) or self.templates.get("default") or DEFAULT_TEMPLATE
        values = {
            "key_phrase": self._no_names(query.key_phrase),
            "topic": self._no_names(query.topic),
            "topic_description": self._no_names(self.topic_descriptions.get(query.topic_id, query.topic)).rstrip(". "),
        }
        if self.cues is None:
            values.update(
                setting=values["topic"],
                street="a street",
                signage="a sign",
                interior="a room",
                object="an everyday object",
            )
        else:
            street = rng.choice(self.cues.streets)
            interior = rng.choice(self.cues.interiors)
            values.update(
                street=street,
                interior=interior,
                setting=rng.choice((street, interior)),
                signage=rng.choice(self.cues.signage),
                object=rng.choice(self.cues.objects),
            )
        return " ".join(fill(template, values).split())

    def _no_names(self, text: str) -> str:
        for name in self.person_names:
            if name and name in text:
                text = text.replace(name, self.person_placeholder)
        return text


def _person_names(pack: CulturePack) -> tuple[str, ...]:
    slot = pack.entities.entities.get("person_name")
    if slot is None:
        return ()
    names = {*slot.literal, *slot.local}
    return tuple(sorted(names, key=len, reverse=True))  # longest first, so a full name goes before its part


def load_prompt_book(pack: CulturePack, kinds: tuple[str, ...]) -> PromptBook:
    """Read and validate the pack's ``image_prompts.yaml`` (optional).

    Raises:
        PackError: unknown kind, unknown placeholder, or a person name inside a template or cue.
    """
    path = pack.directory / IMAGE_PROMPTS_FILE
    names = _person_names(pack)
    descriptions = {t.id: t.description for t in pack.topics if t.description}
    if not path.is_file():
        return PromptBook({}, None, "a person", names, descriptions, None)
    parsed = parse_file(path, ImagePromptsFile)
    _validate(path, parsed, kinds, names)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return PromptBook(dict(parsed.templates), parsed.cues, parsed.person_placeholder, names, descriptions, digest)


def _validate(path: Path, parsed: ImagePromptsFile, kinds: tuple[str, ...], names: tuple[str, ...]) -> None:
    file = str(path)
    for kind, template in parsed.templates.items():
        if kind != "default" and kind not in kinds:
            raise PackError(file, f"templates.{kind}", f"unknown generated image kind (known: {', '.join(kinds)})")
        try:
            check_template(template, PROMPT_SLOTS)
        except TemplateError as exc:
            raise PackError(file, f"templates.{kind}", str(exc)) from None
    texts = [(f"templates.{k}", v) for k, v in parsed.templates.items()]
    for group in ("streets", "interiors", "signage", "objects"):
        texts += [(f"cues.{group}[{i}]", v) for i, v in enumerate(getattr(parsed.cues, group))]
    for where, text in texts:
        if not text.strip():
            raise PackError(file, where, "is empty")
        for name in names:
            if len(name) >= 2 and name in text:
                raise PackError(file, where, f"names a person ({name!r}); prompts never name people")
