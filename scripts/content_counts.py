"""Issue 11's counts of a built benchmark, from its items.jsonl: C templates per category, wrapper texts per
strategy, the identical-harmful-text share, harmful standard queries without a plain benign twin, the G
changed-sentence share, the benign kinds and the minors count.

Usage: ``python scripts/content_counts.py BENCH_DIR``. Input: ``BENCH_DIR/items.jsonl``. Output: stdout only.
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any


def main(bench: Path) -> None:
    """Print the counts of ``bench``."""
    with (bench / "items.jsonl").open(encoding="utf-8") as handle:
        items: list[dict[str, Any]] = [json.loads(line) for line in handle if line.strip()]
    harmful = [i for i in items if i["is_harmful"]]
    templates: dict[str, set[str]] = defaultdict(set)
    for item in harmful:
        if item["subset"] == "C":
            templates[item["category"]].add(item["template_id"])
    sizes = [len(t) for t in templates.values()]
    print(f"C templates per category: {min(sizes)}-{max(sizes)} ({sum(sizes)} in all)")
    wrappers: dict[str, set[str]] = defaultdict(set)
    for item in items:
        if item["strategy"] != "none" and item.get("wrapper") is not None:
            wrappers[item["strategy"]].add(str(item["wrapper"]))
    counts = [len(w) for w in wrappers.values()]
    print(f"wrapper texts per strategy: {min(counts)}-{max(counts)} ({len(wrappers)} strategies)")
    texts = Counter(i["text"] for i in harmful)
    repeated = sum(1 for i in harmful if texts[i["text"]] > 1)
    print(f"identical harmful texts: {100 * repeated / len(harmful):.2f}% of {len(harmful)}")
    plain = {
        i["pair_id"]
        for i in items
        if not i["is_harmful"] and i["strategy"] == "none" and i.get("benign_kind") in (None, "plain")
    }
    standard = [i for i in harmful if i["strategy"] == "none"]
    missing = sum(1 for i in standard if i["pair_id"] not in plain)
    print(f"harmful standard queries without a plain none twin: {missing} of {len(standard)}")
    contexts = [i["contextualization"] for i in harmful if i["subset"] == "G" and i.get("contextualization")]
    sentences = sum(c["sentence_count"] for c in contexts)
    changed = sum(len(c["changed_sentences"]) for c in contexts)
    print(f"G changed sentences: {100 * changed / max(sentences, 1):.1f}% ({changed}/{sentences})")
    print("benign kinds:", dict(Counter(i.get("benign_kind") for i in items if not i["is_harmful"])))
    print("items with minors:", sum(1 for i in items if i.get("minors")))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
