"""Issue 11's counts of a built benchmark, from items.jsonl: the G changed-sentence share, the identical
harmful-text share, C templates per category, wrapper texts per strategy, harmful standard queries without a
plain benign twin, the benign kinds and the minors count.

Usage: ``python scripts/g_counts.py BENCH_DIR``. Input: ``BENCH_DIR/items.jsonl``. Output: the counts on stdout.
No side effects.
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any


def repeated_share(texts: list[str]) -> float:
    """The share of texts that equal another text in the list (as ``ksafe lint`` counts it)."""
    counts = Counter(texts)
    return sum(1 for text in texts if counts[text] > 1) / len(texts) if texts else 0.0


def main(bench: Path) -> None:
    """Print the G contextualization and identical-text counts of ``bench``."""
    with (bench / "items.jsonl").open(encoding="utf-8") as handle:
        items: list[dict[str, Any]] = [json.loads(line) for line in handle if line.strip()]
    harmful = [item for item in items if item["is_harmful"]]
    g_items = [item for item in harmful if item["subset"] == "G"]
    contexts = [item["contextualization"] for item in g_items if item.get("contextualization")]
    sentences = sum(context["sentence_count"] for context in contexts)
    changed = sum(len(context["changed_sentences"]) for context in contexts)
    with_change = sum(1 for context in contexts if context["changed_sentences"])
    print(f"items {len(items)}; harmful {len(harmful)} (G {len(g_items)}, C {len(harmful) - len(g_items)})")
    if sentences:
        print(f"G changed sentences: {changed}/{sentences} = {changed / sentences:.1%}")
    if contexts:
        print(f"G items with a changed sentence: {with_change}/{len(contexts)} = {with_change / len(contexts):.1%}")
    c_texts = [item["text"] for item in harmful if item["subset"] == "C"]
    print(
        f"identical harmful texts: all {repeated_share([item['text'] for item in harmful]):.2%}, "
        f"G {repeated_share([item['text'] for item in g_items]):.2%}, C {repeated_share(c_texts):.2%}"
    )
    per_category = Counter(item["category"] for item in g_items)
    seeds = {item["template_id"] for item in g_items}
    print(f"G seeds used: {len(seeds)}; G harmful items per category: {dict(sorted(per_category.items()))}")
    templates: dict[str, set[str]] = defaultdict(set)
    for item in harmful:
        if item["subset"] == "C":
            templates[item["category"]].add(item["template_id"])
    sizes = [len(t) for t in templates.values()] or [0]
    print(f"C templates per category: {min(sizes)}-{max(sizes)} ({sum(sizes)} in all)")
    wrappers: dict[str, set[str]] = defaultdict(set)
    for item in items:
        if item["strategy"] != "none" and item.get("wrapper") is not None:
            wrappers[item["strategy"]].add(str(item["wrapper"]))
    counts = [len(w) for w in wrappers.values()] or [0]
    print(f"wrapper texts per strategy: {min(counts)}-{max(counts)} ({len(wrappers)} strategies)")
    plain = {
        item["pair_id"]
        for item in items
        if not item["is_harmful"] and item["strategy"] == "none" and item.get("benign_kind") in (None, "plain")
    }
    standard = [item for item in harmful if item["strategy"] == "none"]
    missing = sum(1 for item in standard if item["pair_id"] not in plain)
    print(f"harmful standard queries without a plain none twin: {missing} of {len(standard)}")
    print("benign kinds:", dict(Counter(item.get("benign_kind") for item in items if not item["is_harmful"])))
    print("items with minors:", sum(1 for item in items if item.get("minors")))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
