"""The morphological analyzers the structural judge reads Korean and Japanese with, loaded once per process.

Input: a sentence. Output: ``Morpheme`` values (surface, lemma, part of speech). Side effects: the first call
per language loads kiwipiepy's bundled model or fugashi's unidic-lite dictionary (never a download).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

ANALYZED_LANGUAGES = ("ko", "ja")
"""Languages whose sentences the structural judge reads with a morphological analyzer (the rest need none)."""


@dataclass(frozen=True)
class Morpheme:
    """One morpheme of a sentence."""

    form: str
    """Surface form (kiwipiepy's normalised form for Korean)."""
    lemma: str
    """Dictionary form (Korean: the form; Japanese: unidic's lemma)."""
    pos: str
    """Part of speech: a Sejong tag for Korean (``VV``, ``EF``...), unidic's pos1 for Japanese (``動詞``...)."""
    pos2: str = ""
    """Japanese only: unidic's pos2 (``普通名詞``, ``非自立可能``...)."""


@cache
def _kiwi() -> Any:
    from kiwipiepy import Kiwi

    # The typo and multi-word dictionaries double the load time and change nothing the judge reads.
    return Kiwi(num_workers=-1, load_typo_dict=False, load_multi_dict=False)


@cache
def _tagger() -> Any:
    import fugashi

    return fugashi.Tagger()


def warm_up(languages: Collection[str] = ANALYZED_LANGUAGES) -> None:
    """Load the analyzers of ``languages`` now (kiwipiepy: ~2.4 s of CPU and ~330 MB, holding the GIL
    throughout; fugashi: ~0.1 s), so the first answer judged does not stall requests in flight.

    Call it where no event loop is waiting on answers (before one starts, or in a process that only judges).
    Languages without an analyzer are ignored; an analyzer not warmed here loads on its first use.
    """
    wanted = {language.split("-")[0] for language in languages}
    if "ko" in wanted:
        _kiwi().tokenize("준비")  # kiwipiepy finishes loading its model on the first analysis, not in the constructor
    if "ja" in wanted:
        _tagger()("準備")


def is_loaded(language: str) -> bool:
    """Whether the analyzer of ``language`` is loaded in this process (``ko`` or ``ja``)."""
    loader = {"ko": _kiwi, "ja": _tagger}.get(language.split("-")[0])
    return loader is not None and loader.cache_info().currsize > 0


ANALYSED = 1000
"""Characters analysed at each end of a longer sentence: the analyzers take ~35 us per character, and a hostile
answer of one endless sentence (400,000 characters: 16 s) must not stall the judge."""


def _ends(text: str) -> str:
    return text if len(text) <= 2 * ANALYSED else f"{text[:ANALYSED]} {text[-ANALYSED:]}"


@lru_cache(maxsize=8192)
def korean(text: str) -> tuple[Morpheme, ...]:
    """Morphemes of a Korean sentence (kiwipiepy). Cached: models repeat their refusal sentences verbatim."""
    return tuple(Morpheme(t.form, t.form, t.tag.split("-")[0]) for t in _kiwi().tokenize(_ends(text)))


@lru_cache(maxsize=8192)
def japanese(text: str) -> tuple[Morpheme, ...]:
    """Morphemes of a Japanese sentence (fugashi + unidic-lite). Cached like ``korean``."""
    out: list[Morpheme] = []
    for word in _tagger()(_ends(text)):
        feature = word.feature
        lemma = getattr(feature, "lemma", None) or word.surface
        out.append(Morpheme(word.surface, str(lemma).split("-")[0], str(feature.pos1), str(feature.pos2)))
    return tuple(out)
