"""Candidate counting and ranking: salience against a background, and burst over dates.

Input: per-post candidate lists (from an analyzer) and post dates. Output: ``CandidateTable`` with
document frequency, term frequency, salience and burst per candidate. Side effects: none.

Salience:
- with a background corpus (general text): the log-odds ratio with an informative Dirichlet prior
  (Monroe, Colaresi and Quinn 2008), as a z-score; the prior is the pooled frequency, prior size 1,000;
- without one: TF-IDF over the mined corpus itself, ``df * (1 + ln(tf / df)) * ln(N / df)``, which
  favours phrases that are frequent but concentrated in some posts over words found everywhere.
Burst (when at least 2 distinct weeks have dated posts): the largest binomial z-score of a
candidate's share of posts in one ISO week against its share overall (0 when not bursty).
Final score: ``salience * (1 + 0.25 * burst)``.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

BURST_WEIGHT = 0.25
PRIOR_SIZE = 1000.0


@dataclass
class CandidateTable:
    """Counts over the mined corpus, by candidate id."""

    phrases: list[str] = field(default_factory=list)
    ids: dict[str, int] = field(default_factory=dict)
    df: Counter[int] = field(default_factory=Counter)
    tf: Counter[int] = field(default_factory=Counter)
    post_candidates: list[array[int]] = field(default_factory=list)
    """For each post (by index), the ids of the candidates it contains (unique)."""

    def add_post(self, candidates: Sequence[str]) -> None:
        """Count one post's candidate occurrences."""
        counts: Counter[int] = Counter()
        for phrase in candidates:
            ident = self.ids.get(phrase)
            if ident is None:
                ident = len(self.phrases)
                self.ids[phrase] = ident
                self.phrases.append(phrase)
            counts[ident] += 1
        self.tf.update(counts)
        self.df.update(counts.keys())
        self.post_candidates.append(array("i", counts.keys()))

    @property
    def n_posts(self) -> int:
        """Posts counted."""
        return len(self.post_candidates)


def tfidf_salience(table: CandidateTable, ids: Sequence[int]) -> dict[int, float]:
    """TF-IDF over the corpus: ``df * (1 + ln(tf / df)) * ln(N / df)`` (mean log-tf per post, times df)."""
    n = max(table.n_posts, 1)
    out: dict[int, float] = {}
    for ident in ids:
        df = table.df[ident]
        idf = math.log(n / df) if 0 < df < n else 0.0
        out[ident] = df * (1.0 + math.log(table.tf[ident] / df)) * idf if df else 0.0
    return out


def log_odds_salience(table: CandidateTable, ids: Sequence[int], background: Counter[str]) -> dict[int, float]:
    """Log-odds z-score of each candidate in the corpus against ``background`` counts."""
    n_fg = sum(table.tf.values()) or 1
    n_bg = sum(background.values()) or 1
    out: dict[int, float] = {}
    for ident in ids:
        y = table.tf[ident]
        b = background.get(table.phrases[ident], 0)
        prior = PRIOR_SIZE * (y + b) / (n_fg + n_bg)
        fg = math.log((y + prior) / (n_fg + PRIOR_SIZE - y - prior))
        bg = math.log((b + prior) / (n_bg + PRIOR_SIZE - b - prior))
        out[ident] = (fg - bg) / math.sqrt(1.0 / (y + prior) + 1.0 / (b + prior))
    return out


def _week(iso: str) -> tuple[int, int]:
    year, week, _ = date.fromisoformat(iso).isocalendar()
    return year, week


def burst_scores(table: CandidateTable, ids: Sequence[int], dates: Sequence[str | None]) -> dict[int, float]:
    """Largest weekly binomial z-score of each candidate's post share (0 without dated weeks)."""
    weeks: list[tuple[int, int] | None] = [_week(d) if d else None for d in dates]
    per_week: Counter[tuple[int, int]] = Counter(w for w in weeks if w is not None)
    if len(per_week) < 2:
        return {ident: 0.0 for ident in ids}
    wanted = set(ids)
    hits: dict[int, Counter[tuple[int, int]]] = defaultdict(Counter)
    for week, candidates in zip(weeks, table.post_candidates, strict=True):
        if week is None:
            continue
        for ident in candidates:
            if ident in wanted:
                hits[ident][week] += 1
    dated = sum(per_week.values())
    out: dict[int, float] = {}
    for ident in ids:
        total = sum(hits[ident].values())
        share = total / dated if dated else 0.0
        best = 0.0
        if 0.0 < share < 1.0:
            for week, count in hits[ident].items():
                expected = per_week[week] * share
                sd = math.sqrt(per_week[week] * share * (1.0 - share))
                best = max(best, (count - expected) / sd if sd else 0.0)
        out[ident] = best
    return out


def combined_score(salience: float, burst: float) -> float:
    """The mined topic score: salience boosted by burst."""
    return salience * (1.0 + BURST_WEIGHT * max(burst, 0.0))
