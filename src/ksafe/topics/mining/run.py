"""One call from sources to files: what ``ksafe topics mine`` runs.

Input: source specs, a pack, a classifier spec and options. Output: ``topics.jsonl`` (``Topic`` records),
``<out stem>.dropped.jsonl`` (dropped clusters with reasons) and ``<out stem>.summary.json`` (topics per
category, evidence counts, run stats). Side effects: reads sources (HTTP only for URLs, politely); model
calls if the classifier is a model; writes the three files atomically (temp file + rename).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ksafe.errors import KsafeError
from ksafe.fileio import write_text_atomic
from ksafe.topics.mining.analyzers import Analyzer
from ksafe.topics.mining.classify import Classifier, Mode, OfflineClassifier
from ksafe.topics.mining.context import MiningContext
from ksafe.topics.mining.crawler import CrawlPolicy
from ksafe.topics.mining.encoders import Encoder
from ksafe.topics.mining.pipeline import MiningOptions, MiningResult, mine_topics
from ksafe.topics.mining.sources import load_sources


def side_paths(out: Path) -> tuple[Path, Path]:
    """Paths of the dropped-topics file and the summary next to ``out``."""
    stem = out.name.removesuffix(".jsonl")
    return out.with_name(f"{stem}.dropped.jsonl"), out.with_name(f"{stem}.summary.json")


_KEYS = {"topics": ("culture", "name", "source"), "dropped": ("label", "reason"), "summary": ("topics_per_category",)}


def _written_by_us(path: Path, kind: str) -> bool:
    """True when ``path`` is absent, empty, or a file an earlier ``topics mine`` wrote (its first record has
    the fields of ``kind``)."""
    if not path.exists():
        return True
    if not path.is_file():
        return False
    try:
        with path.open(encoding="utf-8") as handle:
            head = handle.read(2_000_000)
    except (OSError, UnicodeDecodeError):
        return False
    if not head.strip():
        return True
    try:
        first = json.loads(head if kind == "summary" else head.lstrip().split("\n", 1)[0])
    except ValueError:
        return False
    return isinstance(first, dict) and all(key in first for key in _KEYS[kind])


def check_outputs(out: Path, force: bool = False) -> None:
    """Refuse to overwrite a file that ``topics mine`` did not write (unless ``force``).

    A rerun replaces its own outputs; ``--out`` pointing at a source, a README or any other file of the user's
    is an error, before anything is read or written.

    Raises:
        KsafeError: one of the three output paths holds something else.
    """
    dropped, summary = side_paths(out)
    for path, kind in ((out, "topics"), (dropped, "dropped"), (summary, "summary")):
        if path.is_dir():
            raise KsafeError(f"{path}: is a folder; --out names the topics file to write (e.g. {path}/topics.jsonl)")
        if not force and not _written_by_us(path, kind):
            raise KsafeError(
                f"{path}: exists and is not a file `ksafe topics mine` wrote; choose another --out, "
                "or pass --force to replace it"
            )


def summarize(result: MiningResult, skipped: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Topics per category, evidence counts, run stats and skipped sources."""
    per_category: Counter[str] = Counter()
    for topic in result.topics:
        per_category.update(topic.categories)
    return {
        "topics": len(result.topics),
        "dropped": len(result.dropped),
        "topics_per_category": dict(sorted(per_category.items())),
        "evidence_entries": sum(len(t.evidence) for t in result.topics),
        "evidence_occurrences": sum(e.count for t in result.topics for e in t.evidence),
        "skipped_sources": [{"source": s, "reason": r} for s, r in skipped],
        "stats": result.stats,
    }


def read_background(specs: Sequence[str], analyzer: Analyzer) -> Counter[str]:
    """Candidate counts of a general-text background corpus (same source formats as posts)."""
    loaded = load_sources(specs)
    counts: Counter[str] = Counter()
    texts = [p.full_text for p in loaded.posts]
    for start in range(0, len(texts), 512):
        for analysis in analyzer.analyze(texts[start : start + 512]):
            counts.update(analysis.candidates)
    return counts


def build_stages(
    context: MiningContext, encoder: str = "auto", classifier: str = "offline", mode: Mode = "multi"
) -> tuple[Analyzer, Encoder, Classifier]:
    """The analyzer, sentence encoder and classifier of a mining run, set up from the pack's context.

    ``classifier`` is ``offline`` (pack lexicons, whole-token matching, the pack's ambiguous words) or an
    Inspect model string. ``ksafe topics mine`` and ``benchmarks/bench_topics.py`` both use this.
    """
    from ksafe.topics.mining.analyzers import analyzer_for
    from ksafe.topics.mining.encoders import encoder_for

    vectors = encoder_for(encoder)
    analyzer = analyzer_for(context.language, context.public_names, context.stoplist)
    if classifier == "offline":
        return (
            analyzer,
            vectors,
            OfflineClassifier(context.taxonomy, vectors, mode, analyzer.boundaries, context.ambiguous),
        )
    from ksafe.topics.mining.model_classifier import ModelClassifier

    return analyzer, vectors, ModelClassifier(classifier, context.taxonomy, mode)


def mine_to_files(
    *,
    pack: str,
    sources: Sequence[str],
    out: Path,
    classifier: str = "offline",
    mode: Mode = "multi",
    encoder: str = "auto",
    options: MiningOptions | None = None,
    background: Sequence[str] = (),
    private_names_file: Path | None = None,
    crawl_policy: CrawlPolicy | None = None,
    force: bool = False,
) -> dict[str, Any]:
    """Mine ``sources`` for the culture ``pack`` and write topics, dropped topics and a summary.

    Args:
        pack: pack code or folder (its taxonomy gives the categories).
        sources: files, folders or http(s) URLs.
        out: the ``topics.jsonl`` to write.
        classifier: ``offline`` or an Inspect model string (the generator role).
        mode: ``single``, ``multi`` or ``per_category``.
        encoder: ``auto``, ``use`` or ``char-ngram``.
        options: mining knobs.
        background: general-text sources; with them salience is log-odds, else TF-IDF.
        private_names_file: a file of private person/company names (one a line) to keep out.
        crawl_policy: politeness settings for URLs.
        force: replace output files that an earlier ``topics mine`` did not write.

    Returns:
        The summary written to ``<stem>.summary.json``.

    Raises:
        KsafeError: bad pack, source, option, an output path holding a file of the user's, or no posts found.
    """
    from ksafe.topics.mining.context import load_mining_context

    if not sources:
        raise KsafeError("--source: give at least one file, folder or URL")
    check_outputs(out, force)
    context = load_mining_context(pack)
    loaded = load_sources(sources, crawl_policy)
    if not loaded.posts:
        reasons = "; ".join(f"{s}: {r}" for s, r in loaded.skipped) or "the sources hold no posts"
        raise KsafeError(f"no posts to mine ({reasons})")
    private: list[str] = []
    if private_names_file is not None:
        try:
            names = private_names_file.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise KsafeError(f"{private_names_file}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
        private = [line.strip() for line in names.splitlines()]
        private = [p for p in private if p and not p.startswith("#")]
    analyzer, vectors, chosen = build_stages(context, encoder, classifier, mode)
    result = mine_topics(
        loaded.posts,
        culture=context.code,
        analyzer=analyzer,
        encoder=vectors,
        classifier=chosen,
        options=options,
        background=read_background(background, analyzer) if background else None,
        private_names=private,
        lexicon=context.specific_words,
    )
    dropped_path, summary_path = side_paths(out)
    write_text_atomic(out, "".join(t.model_dump_json() + "\n" for t in result.topics))
    write_text_atomic(dropped_path, "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in result.dropped))
    summary = summarize(result, loaded.skipped)
    write_text_atomic(summary_path, json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    return summary
