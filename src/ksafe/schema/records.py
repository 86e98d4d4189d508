"""Records for the construction pipeline: topic -> query -> image -> benchmark item -> manifest.

Field docstrings become the dataset card's field table, so keep them short and exact.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer

from ksafe.schema.base import FrozenRecord

Subset = Literal["G", "C"]
"""G: global risks contextualized into the culture; C: culture-specific risks."""

GVersion = Literal["source_en", "literal", "contextualized"]
"""The three versions of a G item: English source, literal translation, contextualized."""

G_VERSIONS: tuple[GVersion, ...] = ("source_en", "literal", "contextualized")

TEMPLATE_SOURCE = "template"
"""``source`` of a query made from the pack's templates (the offline path)."""
PROVENANCE_DEFAULTS: dict[str, str] = {"source": TEMPLATE_SOURCE, "prompt_version": "", "image_prompt": ""}
"""Provenance fields of an item and their template-path values, which are left out of the written record (so
a template build's files are byte-identical to those written before these fields existed)."""


class Evidence(FrozenRecord):
    """Where a mined topic was seen."""

    ref: str
    """Post id or URL."""
    count: int = 1
    """How many times the topic's phrases occurred in that source."""
    excerpt: str = ""
    """A short excerpt with personal data masked."""


class Topic(FrozenRecord):
    """A locally sensitive topic mapped to one or more taxonomy categories (step 1 output)."""

    id: str
    """Content hash of culture and name."""
    culture: str
    """Culture pack code, e.g. ``ko``."""
    name: str
    """The topic as a short noun phrase in the pack's language."""
    description: str = ""
    """A short neutral description (English or the pack's language)."""
    categories: tuple[str, ...] = Field(min_length=1)
    """Category ids this topic maps to."""
    keywords: tuple[str, ...] = ()
    """Related words in the pack's language."""
    source: Literal["curated", "mined"] = "curated"
    """Where the topic came from."""
    score: float | None = None
    """Salience score when mined."""
    evidence: tuple[Evidence, ...] = ()
    """Posts or pages the topic was mined from."""
    kind: str | None = None
    """Topic kind (``act_or_method``, ``group_of_people`` ...); templates of other kinds never use the topic.
    ``None`` (a mined topic): the most common kind of the pack's curated topics in its first category."""
    minors: bool = False
    """The topic involves children or teenagers."""


class Contextualization(FrozenRecord):
    """How a G query's literal translation was rewritten into local context."""

    literal: str
    """The literal translation (entities translated as they are)."""
    contextualized: str
    """The contextualized text (entities swapped for local ones)."""
    swaps: tuple[tuple[str, str, str], ...] = ()
    """(slot, literal value, local value) for every swapped entity."""
    changed_sentences: tuple[int, ...] = ()
    """0-based indices of the sentences that contextualization changed."""
    sentence_count: int = 1
    """Number of sentences in the text."""


class Query(FrozenRecord):
    """A harmful query or its benign twin, before any jailbreak wrapper (step 2 output)."""

    id: str
    """Content hash of all fields below."""
    culture: str
    """Culture pack code."""
    language: str
    """BCP 47 language of the text (``en`` for a G English source)."""
    subset: Subset
    """G or C."""
    category: str
    """Category id."""
    domain: str
    """Domain id."""
    topic_id: str
    """Topic id (C) or seed id (G)."""
    topic: str
    """Topic name or seed label."""
    template_id: str
    """Id of the template or seed the query was made from."""
    pair_id: str
    """Shared by a harmful query and its benign twin."""
    is_harmful: bool
    """True for the harmful query, False for the benign twin."""
    key_phrase: str
    """The concept the image carries (rendered into the image)."""
    prompt: str
    """Text that points at the image without stating the key phrase."""
    query: str
    """The full text-only query, with the key phrase inline."""
    g_version: GVersion | None = None
    """For G: which version this text is."""
    minors: bool = False
    """The query's topic involves children or teenagers."""
    borderline: bool = False
    """A borderline benign request (safe, but worded with alarming words); it has no harmful twin."""
    contextualization: Contextualization | None = None
    """For a contextualized G query: what changed against the literal translation."""
    source: str = TEMPLATE_SOURCE
    """``template``, or the Inspect model string of the generator that wrote the text."""
    prompt_version: str = ""
    """Version of the generator prompt that wrote the text (empty for the template path)."""
    image_prompt: str = ""
    """The generator's text-to-image prompt for this query's picture (empty: the pack's prompt book)."""


class ImageProvenance(FrozenRecord):
    """How a generated picture was made (``image_provenance.jsonl``; absent for rendered kinds)."""

    backend: str
    """Image generator backend, e.g. ``diffusers`` or ``openai``."""
    model: str
    """Model id or local path as given to ``--image-generator``."""
    revision: str | None = None
    """Hub commit, or ``sha256:<hex>`` of a local model folder's files; None for an API."""
    prompt: str
    """Text-to-image prompt."""
    seed: int
    """Seed of the attempt that was kept."""
    attempt: int = 0
    """0 for the first attempt; higher after screening rejected earlier pictures."""
    steps: int | None = None
    """Denoising steps (None: the backend's default or unknown)."""
    guidance: float | None = None
    """Guidance scale (None: the backend's default or unknown)."""
    size: str
    """Size of the generated picture, ``WxH``."""
    picture_sha256: str
    """SHA-256 of the generated picture before composition."""
    nsfw_score: float | None = None
    """Open-NSFW score of the picture."""
    nsfw_model: str | None = None
    """Screening classifier and version."""
    settings: dict[str, Any] = Field(default_factory=dict)
    """Other resolved generation settings (dtype, scheduler...)."""
    revised_prompt: str | None = None
    """The prompt as an API says it rewrote it."""


class ImageAsset(FrozenRecord):
    """A rendered image, stored once under its content hash (step 3 output)."""

    sha256: str
    """SHA-256 of the PNG bytes."""
    path: str
    """Path relative to the benchmark directory, ``images/ab/<sha256>.png``."""
    kind: str
    """Renderer name, e.g. ``typography``, ``numbered_list``, ``scene_chat``."""
    width: int
    """Width in pixels."""
    height: int
    """Height in pixels."""
    text: str
    """The text rendered into the image."""
    provenance: ImageProvenance | None = None
    """For a generated picture: how it was made."""


class ItemVariant(FrozenRecord):
    """Another version of a G item's text and image (English source or literal translation)."""

    g_version: GVersion
    """Which version this is."""
    language: str
    """BCP 47 language of the text."""
    key_phrase: str
    """Key phrase carried by the image."""
    prompt: str
    """Unwrapped image-pointing prompt."""
    query: str
    """Unwrapped full-text query."""
    text: str
    """The prompt after the jailbreak wrapper; sent with the image."""
    text_only: str
    """The full-text query after the jailbreak wrapper; sent without an image."""
    image: str
    """Image path relative to the benchmark directory."""
    image_sha256: str
    """SHA-256 of the image."""


BenignKind = Literal["plain", "borderline", "jailbreak"]
"""The three kinds of benign item, each with its own over-refusal figure."""


class BenchmarkItem(FrozenRecord):
    """One released benchmark row: an image plus a text turn (step 4 output)."""

    id: str
    """Content hash of the item."""
    culture: str
    """Culture pack code."""
    language: str
    """BCP 47 language of ``text``."""
    subset: Subset
    """G (global risks, contextualized) or C (culture-specific)."""
    domain: str
    """Domain id."""
    category: str
    """Category id."""
    topic_id: str
    """Topic id (C) or seed id (G)."""
    topic: str
    """Topic name (C) or seed label (G)."""
    template_id: str
    """Template or seed the query came from."""
    query_id: str
    """Id of the unwrapped query."""
    pair_id: str
    """Shared by the harmful items of one query and image kind (one per strategy), their plain benign twin and
    the jailbreak-wrapped benign items of the same query and image kind."""
    is_harmful: bool
    """True: a request a model should refuse. False: a benign twin a model should answer."""
    strategy: str
    """Jailbreak strategy name; ``none`` marks the standard query."""
    image_kind: str
    """Renderer that made the image."""
    image: str
    """Image path relative to the benchmark directory."""
    image_sha256: str
    """SHA-256 of the image."""
    key_phrase: str
    """The concept the image carries."""
    prompt: str
    """Unwrapped image-pointing prompt."""
    query: str
    """Unwrapped full-text query (key phrase inline)."""
    text: str
    """The user turn's text, sent together with the image."""
    text_only: str
    """Text-only ablation: the wrapped full-text query, sent without the image."""
    g_version: GVersion | None = None
    """For G items, the version of the main fields (always ``contextualized``)."""
    variants: tuple[ItemVariant, ...] = ()
    """For G items: the English source and the literal translation."""
    contextualization: Contextualization | None = None
    """For G items: what contextualization changed."""
    benign_kind: BenignKind | None = None
    """For benign items: ``plain`` (the standard benign twin, strategy ``none``), ``borderline`` (a safe request
    that uses alarming words, XSTest-style) or ``jailbreak`` (a benign twin inside a jailbreak wrapper).
    ``None`` for harmful items."""
    minors: bool = False
    """The item involves children or teenagers (reported apart; never in sexual content)."""
    wrapper: str | None = None
    """Which localized wrapper text of the strategy was used (``CharacterRolePlay#2``); ``None`` for ``none``."""
    source: str = TEMPLATE_SOURCE
    """``template``, or the Inspect model string of the generator that wrote the text."""
    prompt_version: str = ""
    """Version of the generator prompt that wrote the text (empty for the template path)."""
    image_prompt: str = ""
    """The generator's text-to-image prompt for the query's picture, used by ``--image-generator`` for the
    picture kinds instead of the pack's prompt book (empty: none was written)."""

    @model_serializer(mode="wrap")
    def _omit_template_provenance(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        for name, default in PROVENANCE_DEFAULTS.items():
            if data.get(name) == default:
                del data[name]
        return data

    @property
    def is_generated(self) -> bool:
        """Whether a generator model wrote this item's text (else the pack's templates)."""
        return self.source != TEMPLATE_SOURCE

    def variant(self, version: GVersion) -> ItemVariant:
        """Return the text and image of this item in ``version`` (G items only)."""
        if self.g_version == version:
            return ItemVariant(
                g_version=version,
                language=self.language,
                key_phrase=self.key_phrase,
                prompt=self.prompt,
                query=self.query,
                text=self.text,
                text_only=self.text_only,
                image=self.image,
                image_sha256=self.image_sha256,
            )
        for variant in self.variants:
            if variant.g_version == version:
                return variant
        raise KeyError(f"item {self.id} has no G version {version!r}")


class FontInfo(FrozenRecord):
    """The font a benchmark was rendered with."""

    file: str
    """File name of the font."""
    face_index: int = 0
    """Face index inside a collection (.ttc)."""
    sha256: str
    """SHA-256 of the font file."""
    source: str = ""
    """Where the font came from (package name or path)."""


class Manifest(FrozenRecord):
    """What was built, with what, and how many (``manifest.json``)."""

    schema_version: str
    """Version of the record schema."""
    ksafe_version: str
    """Version of ksafe that built the benchmark."""
    name: str
    """Benchmark name, e.g. ``KSAFE-MM``."""
    culture: str
    """Culture pack code."""
    pack_sha256: str
    """Hash of the culture pack's files."""
    seed: int
    """Seed that fixed every random choice."""
    options: dict[str, Any]
    """Resolved build options."""
    package_versions: dict[str, str]
    """Versions of the packages that shape the output."""
    font: FontInfo
    """Font used for rendering."""
    counts: dict[str, Any]
    """Counts per subset, category, strategy, image kind, harmful/benign."""
    items_sha256: str
    """SHA-256 of ``items.jsonl``."""
    image_generation: dict[str, Any] | None = None
    """With ``--image-generator``: the generator (deterministic or not), screening and counts."""
