"""G changed-sentence share and identical harmful-text share of a built benchmark, counted from items.jsonl.

Usage: ``python scripts/g_counts.py BENCH_DIR``. Input: ``BENCH_DIR/items.jsonl``. Output: the counts on stdout.
No side effects.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
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


if __name__ == "__main__":
    main(Path(sys.argv[1]))
