"""The generator's replies when drafting a pack: one pydantic model per prompt kind, and their checks.

Input: a reply text and what the pack needs (the script, the ids the English sources hold). Output: a validated
reply, or a ``ReplyError`` whose text is fed back to the generator. Side effects: none.
The models use the pack's own models (``TopicKind``) and the same template checks as ``ksafe culture check``.
"""

from __future__ import annotations

from pydantic import Field

from ksafe.cultures.pack_model import TopicKind
from ksafe.generation.replies import ReplyModel, script_share


class PackIntro(ReplyModel):
    """``pack.yaml`` fields only a speaker of the language can fill."""

    display_name: str = Field(min_length=1, max_length=40)
    """The language's English name (``Thai``)."""
    description: str = Field(min_length=1, max_length=600)
    """One English paragraph on the pack."""
    script: str = Field(pattern=r"^[A-Z][a-z]{3}$")
    """ISO 15924 code of the language's script."""
    spaces_between_words: bool
    """Whether the language separates words with spaces."""


class LocalName(ReplyModel):
    id: str
    local_name: str = Field(min_length=1, max_length=60)


class LocalCategory(ReplyModel):
    id: str
    local_name: str = Field(min_length=1, max_length=60)
    lexicon: list[str] = Field(min_length=3, max_length=40)
    """Words that signal the category in local community text."""


class TaxonomyDraft(ReplyModel):
    domains: list[LocalName]
    categories: list[LocalCategory]


class TopicDraft(ReplyModel):
    name: str = Field(min_length=1, max_length=60)
    kind: TopicKind
    minors: bool = False
    description: str = Field(min_length=1, max_length=300)
    """Short neutral English description."""
    categories: list[str] = Field(min_length=1)
    keywords: list[str] = Field(default=[], max_length=12)


class TopicsDraft(ReplyModel):
    topics: list[TopicDraft] = Field(min_length=1)


class Texts(ReplyModel):
    key_phrase: str = Field(min_length=1, max_length=120)
    prompt: str = Field(min_length=1, max_length=800)
    query: str = Field(min_length=1, max_length=800)


class TemplateDraft(ReplyModel):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    category: str
    kinds: list[TopicKind] = Field(min_length=1)
    harmful: Texts
    benign: Texts


class TemplatesDraft(ReplyModel):
    templates: list[TemplateDraft] = Field(min_length=1)


class EntityDraft(ReplyModel):
    literal: list[str] = Field(default_factory=list)
    local: list[str] = Field(min_length=1)
    equivalent: list[str] = Field(default_factory=list)


class EntitiesDraft(ReplyModel):
    entities: dict[str, EntityDraft]


class GDraft(ReplyModel):
    harmful: Texts
    benign: Texts


class GTranslationsDraft(ReplyModel):
    translations: dict[str, GDraft]


class WrapperDraft(ReplyModel):
    template: str = Field(min_length=1, max_length=3000)
    variants: list[str] = Field(default_factory=list)


class JailbreaksDraft(ReplyModel):
    jailbreaks: dict[str, WrapperDraft]


class ScenesDraft(ReplyModel):
    chat: dict[str, list[str]]
    news: dict[str, list[str]]
    document: dict[str, list[str]]
    sign: dict[str, list[str]]


class RefusalsDraft(ReplyModel):
    refusal_phrases: list[str] = Field(min_length=3)
    warning_phrases: list[str] = Field(min_length=1)


class MiningDraft(ReplyModel):
    filler_words: list[str] = Field(default_factory=list)
    generic_words: list[str] = Field(default_factory=list)
    ambiguous_words: list[str] = Field(default_factory=list)


def not_in_script(texts: list[tuple[str, str]], script: str, share: float = 0.5) -> str | None:
    """The first ``(field, text)`` written mostly outside ``script``, as an error, or ``None``."""
    import re

    for field, text in texts:
        bare = re.sub(r"\{[^{}]*\}", "", text)
        got = script_share(bare, script)
        if got is not None and got < share and bare.strip():
            return f"{field} ({text[:40]!r}) is not written in the pack's language (script {script})"
    return None


def ids_differ(got: list[str], wanted: list[str], what: str) -> str | None:
    """An error when the reply's ids are not exactly ``wanted``."""
    missing = [w for w in wanted if w not in got]
    extra = [g for g in got if g not in wanted]
    if missing:
        return f"{what}: missing {', '.join(missing[:5])}"
    if extra:
        return f"{what}: unknown {', '.join(extra[:5])} (use only: {', '.join(wanted[:12])})"
    if len(set(got)) != len(got):
        return f"{what}: an id is repeated"
    return None
