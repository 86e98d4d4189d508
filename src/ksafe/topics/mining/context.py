"""What mining needs from a culture pack: code, language, taxonomy, and names known to be public.

Input: a pack code or folder. Output: ``MiningContext``. Side effects: reads ``pack.yaml``,
``taxonomy.yaml`` and, when present, ``entities.yaml``, ``topics.yaml`` and ``mining.yaml``.

Only these files are read (not the whole pack through ``load_pack``) so that mining works on a pack that
is still being written, e.g. right after ``ksafe culture init``, where topics are what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ksafe.cultures.loader import parse_file, resolve_pack_dir, taxonomy_from_file
from ksafe.cultures.pack_model import EntitiesFile, PackInfo, TaxonomyFile, TopicsFile
from ksafe.cultures.validate import load_mining_file
from ksafe.schema.taxonomy import Taxonomy
from ksafe.topics.mining.analyzers import NO_STOPLIST, Stoplist


@dataclass(frozen=True)
class MiningContext:
    """The pack facts mining uses."""

    code: str
    language: str
    directory: Path
    taxonomy: Taxonomy
    public_names: frozenset[str]
    """Entity values and curated keywords: public institutions, places, platforms (never masked)."""
    stoplist: Stoplist = NO_STOPLIST
    """Filler and generic words of ``mining.yaml`` (empty without the file)."""
    ambiguous: frozenset[str] = field(default_factory=frozenset)
    """Lexicon words with a common harmless sense (``mining.yaml``)."""

    @property
    def specific_words(self) -> frozenset[str]:
        """Category lexicon words that are not ambiguous: each names a sensitive matter in a phrase (a generic
        word such as ``불법`` is not a topic alone, but ``불법 도박`` is sensitive)."""
        return _specific(self.taxonomy, self.ambiguous)


def load_mining_context(code_or_path: str | Path) -> MiningContext:
    """Read the pack facts mining needs.

    Raises:
        PackError: the pack, ``pack.yaml`` or ``taxonomy.yaml`` is missing or invalid.
    """
    directory = resolve_pack_dir(code_or_path)
    info = parse_file(directory / "pack.yaml", PackInfo)
    tax = parse_file(directory / "taxonomy.yaml", TaxonomyFile)
    taxonomy = taxonomy_from_file(tax)
    public: set[str] = set()
    for category in taxonomy.categories:
        public.update(category.lexicon)
    if (directory / "entities.yaml").is_file():
        entities = parse_file(directory / "entities.yaml", EntitiesFile)
        for slot, values in entities.entities.items():
            if slot != "person_name":
                public.update(values.local)
    if (directory / "topics.yaml").is_file():
        for topic in parse_file(directory / "topics.yaml", TopicsFile).topics:
            public.update(topic.keywords)
    mining = load_mining_file(directory)
    stoplist = NO_STOPLIST
    ambiguous: frozenset[str] = frozenset()
    if mining is not None:
        ambiguous = frozenset(mining.ambiguous_words)
        generic = frozenset(mining.generic_words)
        keep = frozenset(w.replace(" ", "") for w in _specific(taxonomy, ambiguous))
        stoplist = Stoplist(frozenset(mining.filler_words), generic, keep)
    return MiningContext(
        code=info.code,
        language=info.language,
        directory=directory,
        taxonomy=taxonomy,
        public_names=frozenset(public),
        stoplist=stoplist,
        ambiguous=ambiguous,
    )


def _specific(taxonomy: Taxonomy, exclude: frozenset[str]) -> frozenset[str]:
    """Category lexicon words not in ``exclude`` (the ambiguous ones)."""
    return frozenset({w for c in taxonomy.categories for w in c.lexicon if w} - exclude)
