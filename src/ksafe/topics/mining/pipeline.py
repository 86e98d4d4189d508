"""Mine topics: posts -> candidates -> salience/burst -> clusters -> classification -> ``Topic`` records.

Input: posts, the culture code and language, the taxonomy, an encoder and a classifier.
Output: ``MiningResult`` (kept topics, dropped topics with reasons, counts). Side effects: none beyond the
analyzer/encoder/classifier (model calls when a model classifier is used).
"""

from __future__ import annotations

import time
from array import array
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ksafe.schema.records import Evidence, Topic
from ksafe.topics.mining.analyzers import Analyzer
from ksafe.topics.mining.classify import Classifier, TopicCandidate
from ksafe.topics.mining.encoders import Encoder
from ksafe.topics.mining.grouping import Candidate, Cluster, cluster_candidates
from ksafe.topics.mining.posts import MAX_POST_CHARS, Post, dedupe_posts
from ksafe.topics.mining.privacy import has_personal_data, hide_masks, mask_names, mask_personal_data
from ksafe.topics.mining.salience import (
    CandidateTable,
    burst_scores,
    combined_score,
    log_odds_salience,
    tfidf_salience,
)


@dataclass(frozen=True)
class MiningOptions:
    """Knobs of a mining run (defaults suit a few hundred to a few hundred thousand short posts)."""

    min_df: int = 3
    """A candidate must occur in at least this many posts."""
    max_df_share: float = 0.3
    """...and in at most this share of posts (more is general vocabulary)."""
    max_candidates: int = 300
    """Candidates kept for clustering, best first."""
    max_topics: int = 200
    """Topic clusters sent to the classifier, best first."""
    merge_threshold: float = 0.8
    """Encoder cosine at which two candidates are paraphrases."""
    max_evidence: int = 20
    """Evidence entries kept per topic (posts with most occurrences first)."""
    excerpt_chars: int = 60
    """Characters of context on each side of the phrase in an excerpt."""
    batch_size: int = 512


@dataclass
class MiningResult:
    """What a mining run produced."""

    topics: list[Topic] = field(default_factory=list)
    dropped: list[dict[str, Any]] = field(default_factory=list)
    """One row per dropped cluster: label, reason, score, phrases."""
    stats: dict[str, Any] = field(default_factory=dict)


def _excerpt(text: str, phrase: str, chars: int) -> str:
    at = text.find(phrase)
    if at < 0:
        at = text.replace(" ", "").find(phrase.replace(" ", ""))
    if at < 0:
        return text[: 2 * chars]
    start, end = max(0, at - chars), min(len(text), at + len(phrase) + chars)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def _evidence(
    cluster: Cluster,
    posts: Sequence[Post],
    analyzer: Analyzer,
    private: Sequence[str],
    opts: MiningOptions,
    masked_posts: dict[int, str],
) -> tuple[tuple[Evidence, ...], int, int]:
    """Evidence entries of ``cluster``; ``masked_posts`` caches each post's masked text across clusters.

    A post is analysed and masked once per run however many topics it backs (a long post that holds every
    topic would otherwise be re-analysed for each of them).
    """
    hits: list[tuple[int, int, str]] = []
    for index in cluster.posts:
        text = posts[index].full_text
        count = max(text.count(p) for p in cluster.phrases) or 1
        hits.append((count, index, text))
    hits.sort(key=lambda h: (-h[0], h[1]))
    kept = hits[: opts.max_evidence]
    todo = [h for h in kept if h[1] not in masked_posts]
    for (_, index, text), analysis in zip(todo, analyzer.analyze([h[2] for h in todo]), strict=True):
        masked_posts[index] = mask_names(mask_personal_data(text, analysis.person_spans)[0], private)
    evidence = []
    for count, index, _ in kept:
        excerpt = _excerpt(masked_posts[index], cluster.label, opts.excerpt_chars)
        evidence.append(Evidence(ref=posts[index].ref, count=count, excerpt=excerpt))
    return tuple(evidence), len(hits), sum(h[0] for h in hits)


FRAGMENT_SHARE = 0.8
"""A candidate is a fragment of a longer one containing it that occurs in this share of its posts."""


def _containers(keys: dict[int, str]) -> dict[int, list[int]]:
    """For each candidate, the longer candidates whose key (spaces removed) contains its key."""
    by_key: dict[str, list[int]] = defaultdict(list)
    for ident, key in keys.items():
        by_key[key].append(ident)
    out: dict[int, list[int]] = defaultdict(list)
    for long, key in keys.items():
        seen: set[str] = set()
        for a in range(len(key)):
            for b in range(a + 1, len(key) + (a > 0)):
                sub = key[a:b]
                if sub in by_key and sub not in seen:
                    seen.add(sub)
                    for short in by_key[sub]:
                        out[short].append(long)
    return out


def drop_fragments(table: CandidateTable, ids: list[int]) -> list[int]:
    """Drop candidates that nearly always occur inside a longer candidate (``전세`` inside ``전세사기``).

    A C-value-like rule (Frantzi et al. 2000): ``a`` is dropped when some longer eligible candidate that
    contains ``a`` (spaces ignored) occurs in at least ``FRAGMENT_SHARE`` of the posts of ``a``. The share is
    measured on shared posts, not on document frequencies: a frequent longer phrase (``전세사기``) does not
    wipe out a shorter one (``전세`` in lease talk) that mostly occurs on its own.
    """
    containers = _containers({i: table.phrases[i].replace(" ", "") for i in ids})
    if not containers:
        return list(ids)
    involved = set(containers) | {long for longs in containers.values() for long in longs}
    posts: dict[int, array[int]] = {i: array("i") for i in involved}
    for index, candidates in enumerate(table.post_candidates):
        for ident in candidates:
            found = posts.get(ident)
            if found is not None:
                found.append(index)
    kept: list[int] = []
    for short in ids:
        longs = containers.get(short)
        if longs:
            own = set(posts[short])
            need = FRAGMENT_SHARE * len(own)
            if any(len(own.intersection(posts[long])) >= need for long in longs):
                continue
        kept.append(short)
    return kept


def mine_topics(
    posts: Sequence[Post],
    *,
    culture: str,
    analyzer: Analyzer,
    encoder: Encoder,
    classifier: Classifier,
    options: MiningOptions | None = None,
    background: Counter[str] | None = None,
    private_names: Sequence[str] = (),
    lexicon: frozenset[str] = frozenset(),
) -> MiningResult:
    """Mine locally sensitive topics from ``posts``.

    Args:
        posts: community posts (reposts are dropped first).
        culture: pack code written into every topic.
        analyzer: the language's analyzer (candidates and person names).
        encoder: sentence encoder for paraphrase merging.
        classifier: decides sensitivity and categories.
        options: mining knobs.
        background: candidate counts in general text; if given, salience is log-odds against it,
            else TF-IDF over the corpus.
        private_names: names (persons, companies) never allowed in a topic and masked in excerpts.
        lexicon: the pack's category lexicon words minus its ambiguous ones; a phrase that extends a topic with
            words none of which is one of these merges into that topic (``grouping.extends``).
    """
    from ksafe.cultures.loader import topic_id

    opts = options or MiningOptions()
    started = time.perf_counter()
    unique, reposts = dedupe_posts(list(posts))
    table = CandidateTable()
    for start in range(0, len(unique), opts.batch_size):
        batch = unique[start : start + opts.batch_size]
        for analysis in analyzer.analyze([hide_masks(p.full_text) for p in batch]):
            table.add_post(analysis.candidates)
    n = table.n_posts
    ceiling = max(opts.min_df, int(opts.max_df_share * n))
    eligible = drop_fragments(table, [i for i, df in table.df.items() if opts.min_df <= df <= ceiling])
    if background is not None:
        salience = log_odds_salience(table, eligible, background)
    else:
        salience = tfidf_salience(table, eligible)
    bursts = burst_scores(table, eligible, [p.date for p in unique])
    ranked = sorted(eligible, key=lambda i: (-combined_score(salience[i], bursts[i]), table.phrases[i]))
    ranked = ranked[: opts.max_candidates]
    wanted = set(ranked)
    post_sets: dict[int, list[int]] = {i: [] for i in ranked}
    for index, ids in enumerate(table.post_candidates):
        for ident in ids:
            if ident in wanted:
                post_sets[ident].append(index)
    candidates = [
        Candidate(table.phrases[i], combined_score(salience[i], bursts[i]), frozenset(post_sets[i]), table.tf[i])
        for i in ranked
    ]
    clusters = cluster_candidates(candidates, encoder, opts.merge_threshold, lexicon)[: opts.max_topics]
    result = MiningResult()
    to_classify: list[tuple[Cluster, tuple[Evidence, ...], int, int]] = []
    private_set = [p for p in private_names if p]
    masked_posts: dict[int, str] = {}
    for cluster in clusters:
        if has_personal_data(cluster.label) or any(name in cluster.label for name in private_set):
            result.dropped.append(
                _dropped(cluster, "privacy: the label holds personal data or a private name", private_set)
            )
            continue
        evidence, n_posts, n_occ = _evidence(cluster, unique, analyzer, private_set, opts, masked_posts)
        to_classify.append((cluster, evidence, n_posts, n_occ))
    decisions = classifier.classify(
        [
            TopicCandidate(c.label, tuple(_clean(p, private_set) for p in c.phrases), tuple(e.excerpt for e in ev))
            for c, ev, _, _ in to_classify
        ]
    )
    for (cluster, evidence, n_posts, n_occ), decision in zip(to_classify, decisions, strict=True):
        if not decision.is_sensitive:
            result.dropped.append(_dropped(cluster, decision.reason, private_set))
            continue
        result.topics.append(
            Topic(
                id=topic_id(culture, cluster.label),
                culture=culture,
                name=cluster.label,
                description=_clean(f"Mined from {n_posts} posts ({n_occ} occurrences); {decision.reason}", private_set)[
                    :500
                ],
                categories=decision.categories,
                keywords=tuple(p for p in cluster.phrases[1:11] if _clean(p, private_set) == p),
                source="mined",
                score=round(cluster.score, 4),
                evidence=evidence,
            )
        )
    result.stats = {
        "posts": len(posts),
        "reposts_dropped": reposts,
        "truncated_posts": sum(p.truncated for p in posts),
        "max_post_chars": MAX_POST_CHARS,
        "candidates": len(table.phrases),
        "eligible_candidates": len(eligible),
        "clusters": len(clusters),
        "topics": len(result.topics),
        "dropped": len(result.dropped),
        "salience": "log-odds vs background" if background is not None else "tf-idf (no background)",
        "encoder": encoder.name,
        "classifier": classifier.name,
        "seconds": round(time.perf_counter() - started, 3),
    }
    return result


def _clean(text: str, private: Sequence[str]) -> str:
    """``text`` with personal data and private names masked."""
    return mask_names(mask_personal_data(text)[0], private)


def _dropped(cluster: Cluster, reason: str, private: Sequence[str] = ()) -> dict[str, Any]:
    """A side-file row; the label, reason and phrases are privacy-masked too."""
    return {
        "label": _clean(cluster.label, private),
        "reason": _clean(reason, private),
        "score": round(cluster.score, 4),
        "phrases": [_clean(p, private) for p in cluster.phrases[:10]],
        "posts": len(cluster.posts),
    }
