"""Sensitivity and category mapping of topic clusters: offline (lexicons + similarity) or a model.

Input: ``TopicCandidate`` values (label, member phrases, masked excerpts) and the pack taxonomy.
Output: one ``Decision`` per candidate (sensitive or not, category ids, reason). Side effects: the model
classifier calls the model (through Inspect); the offline one loads the sentence encoder.

Modes: ``single`` (one category), ``multi`` (several), ``per_category`` (a yes/no question per category).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

from ksafe.errors import KsafeError
from ksafe.schema.taxonomy import Taxonomy
from ksafe.topics.mining.encoders import Encoder

Mode = Literal["single", "multi", "per_category"]
MODES: tuple[Mode, ...] = ("single", "multi", "per_category")

LABEL_HIT = 1.0
"""Offline score of a lexicon word inside the topic label or a member phrase."""
CONTEXT_WEIGHT = 0.3
"""Offline score per share of evidence excerpts that contain a lexicon word of the category."""
SIMILARITY_WEIGHT = 1.0
"""Offline weight of the cosine between the topic label and the category's description."""
OFFLINE_THRESHOLD = 0.5
"""Offline score a category needs for a topic to map to it."""
WEAK_CONTEXT = 0.5
"""Share of excerpts holding a clear lexicon word of a category that a weak word in a phrase needs to count."""
MULTI_RATIO = 0.75
"""In ``multi`` mode, extra categories need this share of the best category's score."""


@dataclass(frozen=True)
class TopicCandidate:
    """What a classifier sees of one cluster (personal data already masked)."""

    label: str
    phrases: tuple[str, ...]
    excerpts: tuple[str, ...]


@dataclass(frozen=True)
class Decision:
    """A classifier's verdict on one candidate."""

    is_sensitive: bool
    categories: tuple[str, ...]
    reason: str


class Classifier(Protocol):
    """Decides sensitivity and categories for a batch of candidates."""

    name: str

    def classify(self, candidates: Sequence[TopicCandidate]) -> list[Decision]:
        """Return one decision per candidate, in order."""
        ...


def category_text(taxonomy: Taxonomy, category_id: str) -> str:
    """The text a category is compared with: local name, English name, description and lexicon."""
    category = taxonomy.category(category_id)
    parts = [category.local_name, category.name, category.description, " ".join(category.lexicon)]
    return ". ".join(p for p in parts if p)


Boundaries = Callable[[Sequence[str]], list[frozenset[int]]]
"""Token start/end offsets of each text (an analyzer's ``boundaries``)."""


def words_in(text: str, bounds: frozenset[int] | None, words: Iterable[str]) -> list[str]:
    """The ``words`` found in ``text`` as whole tokens: an occurrence must start and end on a token boundary
    (``心`` is not in ``心配``); with ``bounds`` None, any substring occurrence counts."""
    hits: list[str] = []
    for word in words:
        at = text.find(word)
        while at >= 0:
            if bounds is None or (at in bounds and at + len(word) in bounds):
                hits.append(word)
                break
            at = text.find(word, at + 1)
    return hits


class OfflineClassifier:
    """Category lexicons from the pack plus encoder similarity to the category descriptions.

    Score of category c = ``LABEL_HIT`` if a lexicon word of c occurs in the label or a member phrase,
    + ``CONTEXT_WEIGHT`` x share of excerpts containing a lexicon word of c, + ``SIMILARITY_WEIGHT`` x
    max(0, cosine(label, description of c) - 0.2). A topic whose best score is under
    ``OFFLINE_THRESHOLD`` is not sensitive. With ``boundaries`` (the analyzer's), a lexicon word counts only
    as whole tokens. A ``weak`` lexicon word (the pack's ambiguous words, such as ``신상``: personal details or
    new products; ``웹툰``: a medium more often than piracy) never counts in the context share, and counts in a
    phrase only when at least ``WEAK_CONTEXT`` of the excerpts hold a clear lexicon word of the category.
    """

    name = "offline"

    def __init__(
        self,
        taxonomy: Taxonomy,
        encoder: Encoder,
        mode: Mode = "multi",
        boundaries: Boundaries | None = None,
        weak: frozenset[str] = frozenset(),
    ) -> None:
        self.taxonomy = taxonomy
        self.encoder = encoder
        self.mode = mode
        self._boundaries = boundaries
        self._weak = weak
        self._ids = taxonomy.category_ids
        self._cat_vectors = encoder.encode([category_text(taxonomy, c) for c in self._ids])

    def _scores(
        self, cand: TopicCandidate, label_vector: np.ndarray, bounds: dict[str, frozenset[int]]
    ) -> list[tuple[float, str, str]]:
        sims = self._cat_vectors @ label_vector
        out: list[tuple[float, str, str]] = []
        for index, category_id in enumerate(self._ids):
            lexicon = [w for w in self.taxonomy.category(category_id).lexicon if w]
            clear = [w for w in lexicon if w not in self._weak]
            ctx = [e for e in cand.excerpts if words_in(e, bounds.get(e), clear)]
            ctx_share = len(ctx) / len(cand.excerpts) if cand.excerpts else 0.0
            found = {w for p in cand.phrases for w in words_in(p, bounds.get(p), lexicon)}
            strong_context = ctx_share >= WEAK_CONTEXT
            phrase_hits = [w for w in lexicon if w in found and (strong_context or w not in self._weak)]
            sim = float(sims[index])
            score = (LABEL_HIT if phrase_hits else 0.0) + CONTEXT_WEIGHT * ctx_share
            score += SIMILARITY_WEIGHT * max(0.0, sim - 0.2)
            why = (
                f"{category_id}={score:.2f} (lexicon in phrase: {', '.join(phrase_hits[:3]) or 'none'}; "
                f"context {ctx_share:.0%}; similarity {sim:.2f})"
            )
            out.append((score, category_id, why))
        return sorted(out, reverse=True)

    def classify(self, candidates: Sequence[TopicCandidate]) -> list[Decision]:
        """Score every category for every candidate and apply the mode."""
        if not candidates:
            return []
        vectors = self.encoder.encode([c.label for c in candidates])
        bounds: dict[str, frozenset[int]] = {}
        if self._boundaries is not None:
            texts = list(dict.fromkeys(t for c in candidates for t in (*c.phrases, *c.excerpts)))
            bounds = dict(zip(texts, self._boundaries(texts), strict=True))
        decisions: list[Decision] = []
        for cand, vector in zip(candidates, vectors, strict=True):
            scores = self._scores(cand, vector, bounds)
            best_score, best_id, best_why = scores[0]
            if best_score < OFFLINE_THRESHOLD:
                decisions.append(
                    Decision(False, (), f"offline: best {best_why} is under the threshold {OFFLINE_THRESHOLD}")
                )
                continue
            if self.mode == "single":
                chosen = [(best_score, best_id, best_why)]
            elif self.mode == "multi":
                chosen = [s for s in scores if s[0] >= max(OFFLINE_THRESHOLD, MULTI_RATIO * best_score)]
            else:
                chosen = [s for s in scores if s[0] >= OFFLINE_THRESHOLD]
            decisions.append(Decision(True, tuple(c[1] for c in chosen), "offline: " + "; ".join(c[2] for c in chosen)))
        return decisions


def parse_mode(value: str) -> Mode:
    """Validate a mode name.

    Raises:
        KsafeError: not one of single, multi, per_category.
    """
    for mode in MODES:
        if value == mode:
            return mode
    raise KsafeError(f"--mode: unknown mode {value!r} (single, multi, per_category)")
