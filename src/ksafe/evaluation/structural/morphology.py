"""The morphological analyzers the structural judge reads Korean and Japanese with, loaded once per process.

Input: a sentence. Output: ``Morpheme`` values (surface, lemma, part of speech). Side effects: the first call
per language loads kiwipiepy's bundled model or fugashi's unidic-lite dictionary (never a download).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any


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

    return Kiwi(num_workers=-1)


@cache
def _tagger() -> Any:
    import fugashi

    return fugashi.Tagger()


def korean(text: str) -> list[Morpheme]:
    """Morphemes of a Korean sentence (kiwipiepy)."""
    return [Morpheme(t.form, t.form, t.tag.split("-")[0]) for t in _kiwi().tokenize(text)]


def japanese(text: str) -> list[Morpheme]:
    """Morphemes of a Japanese sentence (fugashi + unidic-lite)."""
    out: list[Morpheme] = []
    for word in _tagger()(text):
        feature = word.feature
        lemma = getattr(feature, "lemma", None) or word.surface
        out.append(Morpheme(word.surface, str(lemma).split("-")[0], str(feature.pos1), str(feature.pos2)))
    return out
