"""Merge near-duplicate and paraphrased candidates into topic clusters.

Input: ranked candidates (phrase, score, set of posts). Output: ``Cluster`` values with a representative
label. Side effects: none (the encoder may load its weights on first use).

Four merges, in order: (1) spacing variants (``전세사기`` = ``전세 사기``); (2) containment, when one phrase
contains another and they share most posts (``전세사기`` and ``전세사기 피해``); (3) modifiers, when a phrase
contains a member of a cluster as whole words, its other words hold no lexicon word, and most of its posts
are the member's (``AI 연인 중독`` joins ``AI 연인``; ``딥페이크 성범죄`` stays its own topic, since ``성범죄``
is a lexicon word); (4) paraphrases, when the sentence-encoder cosine of two phrases is at least
``threshold``. The label is the highest-scoring member that is not a part of a longer member.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ksafe.topics.mining.encoders import Encoder

LABEL_COVERAGE = 0.5
"""A member yields the label to a longer member containing it that covers this share of its posts."""
CONTAINMENT_OVERLAP = 0.6
"""Share of the larger phrase set of posts the two must share to merge by containment."""
MODIFIER_OVERLAP = 0.8
"""Share of its own posts a phrase must share with a cluster member it extends to merge as a modifier."""


@dataclass
class Candidate:
    """A ranked noun-phrase candidate."""

    phrase: str
    score: float
    posts: frozenset[int]
    """Indices of posts containing the phrase."""
    occurrences: int


@dataclass
class Cluster:
    """A group of candidates that name one topic."""

    members: list[Candidate] = field(default_factory=list)
    modifiers: set[str] = field(default_factory=set)
    """Members that joined as a member plus modifier words: they never take the label from it."""

    @property
    def label(self) -> str:
        """Representative label: the best-scoring member that is not a mere part of a longer member
        (``학교`` yields to ``학교폭력`` when the longer phrase covers half of its posts)."""
        for member in self.members:
            key = member.phrase.replace(" ", "")
            covered = any(
                key in other.phrase.replace(" ", "")
                and other.phrase not in self.modifiers
                and len(other.phrase) > len(member.phrase)
                and len(other.posts) >= LABEL_COVERAGE * len(member.posts)
                for other in self.members
            )
            if not covered:
                return member.phrase
        return self.members[0].phrase

    @property
    def score(self) -> float:
        """Score of the representative."""
        return self.members[0].score

    @property
    def posts(self) -> frozenset[int]:
        """Posts that mention any member."""
        out: frozenset[int] = frozenset()
        for member in self.members:
            out |= member.posts
        return out

    @property
    def phrases(self) -> list[str]:
        """All member phrases, the label first, then by score."""
        label = self.label
        return [label] + [m.phrase for m in self.members if m.phrase != label]


def _contains(a: str, b: str) -> bool:
    a, b = a.replace(" ", ""), b.replace(" ", "")
    return a in b or b in a


def extends(phrase: str, part: str, lexicon: frozenset[str]) -> bool:
    """Whether ``phrase`` is ``part`` plus modifier words: it holds ``part`` as whole words (as a substring
    when neither has spaces, as in Japanese), and every lexicon word in it (two or more characters, spaces
    removed) is already in ``part`` (``사설 도박 사이트`` does not extend ``사설``: ``사설 도박`` is a lexicon word)."""
    if phrase == part:
        return False
    if " " in phrase or " " in part:
        if f" {part} " not in f" {phrase} ":
            return False
    elif part not in phrase:
        return False
    phrase_key, part_key = phrase.replace(" ", ""), part.replace(" ", "")
    return not any(len(word) >= 2 and word in phrase_key and word not in part_key for word in lexicon)


def _modifier_target(cand: Candidate, clusters: Sequence[Cluster], lexicon: frozenset[str]) -> int | None:
    """The first cluster with a member that ``cand`` extends by modifier words and mostly shares posts with."""
    need = MODIFIER_OVERLAP * len(cand.posts)
    for c_index, cluster in enumerate(clusters):
        for member in cluster.members:
            if extends(cand.phrase, member.phrase, lexicon) and len(cand.posts & member.posts) >= need:
                return c_index
    return None


def cluster_candidates(
    candidates: Sequence[Candidate], encoder: Encoder, threshold: float, lexicon: frozenset[str] = frozenset()
) -> list[Cluster]:
    """Greedy clustering of ``candidates`` (taken best score first).

    A candidate joins the first cluster whose label is a spacing variant of it, contains it (or is
    contained) with enough shared posts, holds a member of it plus modifier words (``extends``; the
    ``lexicon`` words, spaces removed, are never modifiers), or is a paraphrase (cosine >= ``threshold``);
    otherwise it starts a new cluster.
    """
    lexicon = frozenset(w.replace(" ", "") for w in lexicon)
    ordered = sorted(candidates, key=lambda c: (-c.score, c.phrase))
    if not ordered:
        return []
    vectors = encoder.encode([c.phrase for c in ordered])
    clusters: list[Cluster] = []
    heads: list[int] = []
    by_key: dict[str, int] = {}
    for index, cand in enumerate(ordered):
        key = cand.phrase.replace(" ", "")
        target = by_key.get(key)
        if target is None:
            for c_index, cluster in enumerate(clusters):
                head = cluster.members[0]
                if _contains(head.phrase, cand.phrase):
                    shared = len(head.posts & cand.posts)
                    if shared >= CONTAINMENT_OVERLAP * max(len(head.posts), len(cand.posts)):
                        target = c_index
                        break
        if target is None:
            target = _modifier_target(cand, clusters, lexicon)
            if target is not None:
                clusters[target].modifiers.add(cand.phrase)
        if target is None and heads:
            sims = vectors[heads] @ vectors[index]
            best = int(np.argmax(sims))
            if float(sims[best]) >= threshold:
                target = best
        if target is None:
            target = len(clusters)
            clusters.append(Cluster())
            heads.append(index)
        clusters[target].members.append(cand)
        by_key.setdefault(key, target)
    return clusters
