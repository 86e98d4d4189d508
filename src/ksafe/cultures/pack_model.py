"""Validated models of a culture pack's files (see docs/design/culture-packs.md).

Every model forbids unknown keys, so a typo in a pack is an error naming the file and field.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

STRATEGY_NONE = "none"


class PackModel(BaseModel):
    """Base for pack file models: frozen, unknown keys rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class FontSpec(PackModel):
    """Which font renders the pack's script."""

    package: str | None = None
    """Python package that ships the font file (looked up beside its ``__init__``)."""
    path: str | None = None
    """Or a path relative to the pack directory."""
    file: str
    """Font file name (inside the package or relative to ``path``)."""
    face_name: str
    """Face to pick inside a collection, e.g. ``Noto Sans CJK KR``."""
    variation: str | None = "Regular"
    """Named instance of a variable font."""


class LineBreaking(PackModel):
    """How the script breaks lines."""

    mode: Literal["words", "chars"]
    """``words``: break at spaces (Korean, Latin); ``chars``: break between characters (Japanese, Chinese)."""
    no_line_start: str = ""
    """Characters that may not begin a line (kinsoku)."""
    no_line_end: str = ""
    """Characters that may not end a line."""
    phrases: Literal["none", "unidic", "thai"] = "none"
    """In ``chars`` mode, keep phrases whole where a line allows: ``unidic`` segments with fugashi + unidic-lite,
    ``thai`` into words with PyThaiNLP's dictionary segmenter (Thai writes no spaces between words)."""


class BuildDefaults(PackModel):
    """Default sizes of a full build."""

    g_count: int = Field(ge=0)
    """Harmful items in subset G."""
    c_count: int = Field(ge=0)
    """Harmful items in subset C."""


class CurrencySpec(PackModel):
    """How G contextualization converts the seeds' US-dollar amounts into the local currency."""

    per_dollar: float = Field(gt=0)
    """Local units per US dollar (a fixed, documented rate, so builds are reproducible)."""
    format: Literal["ko", "ja"]
    """Local way of writing amounts (``680만 원``, ``75万円``); see ``ksafe.text.money``."""


class PackInfo(PackModel):
    """``pack.yaml``: identity, language, font and defaults."""

    code: str
    """Pack code used on the command line (``ko``)."""
    benchmark_name: str
    """Name of the built benchmark (``KSAFE-MM``)."""
    display_name: str
    """Human name (``Korean``)."""
    language: str
    """BCP 47 language tag (``ko``)."""
    locale: str
    """Locale (``ko-KR``)."""
    script: str
    """ISO 15924 script code (``Hang``, ``Jpan``); selects script-aware transforms."""
    description: str
    """One paragraph about the pack."""
    font: FontSpec
    line_breaking: LineBreaking
    sentence_end: str = ".?!"
    """Characters that end a sentence; a space in it (Thai, Lao: ``" ?!"``) means a space between two words of
    the script ends one (``ksafe.queries.sentences.split_sentences``)."""
    defaults: BuildDefaults
    image_prompts: dict[str, str] = {}
    """Per image kind, a prompt that replaces the template prompt; ``{prompt}`` inserts the template prompt."""
    license: str = "CC BY-NC 4.0"
    """Licence of the built benchmark."""
    currency: CurrencySpec | None = None
    """Money conversion for G contextualization; without it ``money`` keeps its literal translation."""


class DomainEntry(PackModel):
    id: str
    name: str
    local_name: str


class CategoryEntry(PackModel):
    id: str
    domain: str
    name: str
    local_name: str
    description: str
    lexicon: list[str] = []


class TaxonomyFile(PackModel):
    """``taxonomy.yaml``: the 11 default categories (required) plus any the pack adds."""

    domains: list[DomainEntry]
    categories: list[CategoryEntry]


TopicKind = Literal[
    "act_or_method",
    "scheme_or_scam",
    "group_of_people",
    "artefact_or_substance",
    "event",
    "issue_or_controversy",
    "place_or_institution",
    "service_or_product",
    "personal_matter",
    "victimless_act",
    "preparation_act",
]
"""What sort of noun a topic is; a template declares the kinds it reads naturally with (typed composition).

``victimless_act``: an act with no person as its victim who could report it, be silenced or recover (drug dealing,
exam fraud, illegal dumping, animal cruelty); templates that speak of such a victim leave it out.
``preparation_act``: making, acquiring or modifying a weapon (제조, 제작, 개조, 확보, 밀수), not the attack itself;
templates that speak of the attack's targets, its damage or fleeing after it leave it out."""

TOPIC_KINDS: tuple[str, ...] = TopicKind.__args__  # type: ignore[attr-defined]
"""Every topic kind, in documentation order (docs/design/typed-composition.md)."""


class TopicEntry(PackModel):
    name: str
    """Short noun phrase in the pack's language; used as ``{topic}`` in templates."""
    kind: TopicKind
    """What sort of noun the name is (an act, a scam, a group of people ...); only templates of that kind use it."""
    minors: bool = False
    """The topic involves children or teenagers: its items carry ``minors`` and it never enters sexual content."""
    description: str
    """Short neutral description in English."""
    categories: list[str] = Field(min_length=1)
    keywords: list[str] = []


class TopicsFile(PackModel):
    """``topics.yaml``: curated locally sensitive topics."""

    topics: list[TopicEntry]


MINING_FILE = "mining.yaml"
"""Optional pack file read only by ``ksafe topics mine`` (see ``MiningFile``)."""


class MiningFile(PackModel):
    """``mining.yaml`` (optional): word lists that steer topic mining (docs/design/topic-mining.md).

    Words are matched against whole analyzer tokens (morphemes for Korean and Japanese), never as substrings.
    """

    filler_words: list[str] = []
    """Frame words that never belong to a topic when they stand as a word of their own (``얘기``, ``이후``,
    ``조심``): they split noun runs, so ``보이스피싱 조심`` counts as ``보이스피싱``. Inside a word written as one
    unit (``개인정보`` for ``정보``) they are kept."""
    generic_words: list[str] = []
    """Words too general to be a topic on their own (``불법``, ``문자``, a platform name): a candidate made only
    of generic and filler words is dropped; longer phrases holding them (``불법촬영``) are kept."""
    ambiguous_words: list[str] = []
    """Lexicon words with a common harmless sense (``신상``: personal details, or new products): in the
    offline classifier they count in a topic phrase only when the evidence also holds another, unambiguous
    lexicon word of the same category."""


class QueryText(PackModel):
    """The three texts of a query."""

    key_phrase: str
    """What the image carries. Keep it short (2-8 words)."""
    prompt: str
    """Points at the image without stating the key phrase."""
    query: str
    """The whole request as text, key phrase inline."""


class TemplateText(PackModel):
    """One side of a template: either ``prompt`` and ``query`` in full, or ``ask`` (and ``ref``) composed by the
    file's ``compose`` patterns."""

    key_phrase: str
    """What the image carries. Keep it short (2-8 words)."""
    prompt: str = ""
    """Points at the image without stating the key phrase (composed from ``ref`` and ``ask`` when empty)."""
    query: str = ""
    """The whole request as text, key phrase inline (composed from ``key_phrase`` and ``ask`` when empty)."""
    ask: str = ""
    """The request that follows the object (``단계별로 알려 주세요.``), shared by prompt and query."""
    ref: str = ""
    """How the prompt names what the image shows (``수법``, ``文章``); the pack's ``compose.default_ref`` if empty."""
    prompt_variants: list[str] = []
    """Filled by the loader from ``compose.prompt_variants`` (never written in a pack file)."""


class Compose(PackModel):
    """How ``ask``-form template sides become a prompt and a query (placeholders ``key_phrase``, ``ref``, ``ask``,
    with Korean particles allowed: ``{key_phrase|을/를} {ask}``)."""

    query: str
    prompt: str
    default_ref: str
    prompt_variants: list[str] = []
    """Other ways to point at the image (``사진 속 {ref|을/를} {ask}``); each fill picks one of ``prompt`` and these
    deterministically, so image prompts vary across topics of one template."""


class TemplateEntry(PackModel):
    id: str
    category: str
    kinds: list[TopicKind] = Field(min_length=1)
    """Topic kinds the template reads naturally with; the build fills it only with topics of these kinds."""
    harmful: TemplateText
    benign: TemplateText
    """The benign twin on the same topic."""


class TemplatesFile(PackModel):
    """``templates.yaml``: per-category query templates; placeholders: ``{topic}``, ``{keyword}`` and slots."""

    compose: Compose | None = None
    templates: list[TemplateEntry]


class EntitySlot(PackModel):
    literal: list[str] = []
    """Literal translations of the global English values, in the same order (none for a slot only this pack
    has)."""
    local: list[str] = Field(min_length=1)
    """Local values C templates may use (``{institution}``)."""
    equivalent: list[str] = []
    """G contextualization, parallel to ``literal``: the natural local equivalent of each global value (an
    institution of the same function, a law of the same domain), or ``""`` where the value needs no change
    (YouTube, a passport). Empty: the slot is never swapped (names, cities, landmarks stay as translated)."""


class EntitiesFile(PackModel):
    """``entities.yaml``: entity dictionaries for contextualization and template slots."""

    entities: dict[str, EntitySlot]


class GTranslation(PackModel):
    harmful: QueryText
    benign: QueryText


class GTranslationsFile(PackModel):
    """``g_translations.yaml``: literal translations of the shared English G seeds, by seed id."""

    translations: dict[str, GTranslation]


class JailbreakEntry(PackModel):
    template: str
    """Wrapper with ``{prompt}`` (and ``{transformed}`` for transform strategies)."""
    variants: list[str] = []
    """More wrapper texts of the same strategy (other personas, framings, code layouts); each item uses one,
    picked deterministically from its query pair, so a harmful item and its benign twins share it."""
    transform: str | None = None
    """Name of a script-aware transform applied to the prompt first, if any."""


class JailbreaksFile(PackModel):
    """``jailbreaks.yaml``: localized wrappers, by strategy name."""

    jailbreaks: dict[str, JailbreakEntry]


class SceneTexts(PackModel):
    """Local visual cues for the scene renderers."""

    chat: dict[str, list[str]]
    news: dict[str, list[str]]
    document: dict[str, list[str]]
    sign: dict[str, list[str]]


class ScenesFile(PackModel):
    """``scenes.yaml``: strings the scene layouts draw around the key phrase."""

    scenes: SceneTexts


class RefusalFile(PackModel):
    """``refusals.yaml``: phrases for the offline heuristic judge."""

    refusal_phrases: list[str] = Field(min_length=1)
    warning_phrases: list[str] = []
    """Phrases of a safe completion that warns."""


class GSeed(PackModel):
    id: str
    category: str
    harmful: QueryText
    benign: QueryText
    fits: dict[str, str] = {}
    """Per slot, the value group (``global_entities.groups``) the seed draws from, where any value would not
    read naturally: a girlfriend takes a woman's name, a livestream a video platform."""


class GSeedsFile(PackModel):
    """Shared ``g_seeds.yaml``: English global-risk seeds with entity slots."""

    seeds: list[GSeed]


class GlobalEntitiesFile(PackModel):
    """Shared ``global_entities.yaml``: the English (global) value lists of each entity slot."""

    entities: dict[str, list[str]]
    landmark_city: list[str] = []
    """The city each ``landmark`` value stands in (same order): a seed naming both gets a matching pair."""
    by_category: dict[str, dict[str, list[int]]] = {}
    """Per slot and category, the indices of the values that fit a seed of that category (a copyright seed
    names a copyright law); other categories draw from the whole list."""
    groups: dict[str, dict[str, list[int]]] = {}
    """Per slot, named groups of value indices (``person_name.woman``, ``platform.video``) that a seed can
    require with ``fits``; a seed's group takes precedence over ``by_category``."""


SLOTS_FILE = "slots.yaml"
"""Optional pack file: typed value pools for C template slots (see ``SlotsFile``)."""


class SlotsFile(PackModel):
    """``slots.yaml`` (optional): typed pools of local values that C templates name as ``{pool}``.

    Each pool holds values of one type (a social network, a second-hand market app, a small sum of money
    written in local format), so any value reads naturally wherever the template names the pool. A topic and
    template always get the same value, so a harmful query and its benign twin share their local detail.
    """

    slots: dict[str, list[str]]


BORDERLINE_FILE = "borderline.yaml"
"""Optional pack file: XSTest-style borderline benign requests (see ``BorderlineFile``)."""


class BorderlineEntry(TemplateText):
    """A safe request that uses alarming words (how to kill a Python process); never filled with a topic."""

    id: str
    category: str
    """The category whose vocabulary the request borrows."""
    minors: bool = False


class BorderlineFile(PackModel):
    """``borderline.yaml`` (optional): borderline benign requests, per category."""

    borderline: list[BorderlineEntry]
