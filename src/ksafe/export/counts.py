"""Counting items per subset, category, strategy and image kind (manifest and dataset card)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ksafe.schema.records import BenchmarkItem


def count_items(items: list[BenchmarkItem], images: int) -> dict[str, Any]:
    """Counts of harmful items by dimension, plus totals (benign twins counted apart)."""
    harmful = [i for i in items if i.is_harmful]

    def by(attr: str) -> dict[str, int]:
        return dict(sorted(Counter(str(getattr(i, attr)) for i in harmful).items()))

    contexts = [i.contextualization for i in harmful if i.contextualization is not None]
    sentences = sum(c.sentence_count for c in contexts)
    changed = sum(len(c.changed_sentences) for c in contexts)
    return {
        "items": len(items),
        "harmful": len(harmful),
        "benign": len(items) - len(harmful),
        "images": images,
        "subset": by("subset"),
        "domain": by("domain"),
        "category": by("category"),
        "strategy": by("strategy"),
        "image_kind": by("image_kind"),
        "benign_kind": dict(sorted(Counter(str(i.benign_kind) for i in items if not i.is_harmful).items())),
        "minors": sum(i.minors for i in items),
        "g_contextualization": {
            "sentences": sentences,
            "changed_sentences": changed,
            "changed_ratio": round(changed / sentences, 4) if sentences else None,
        },
        "category_by_subset": {
            subset: dict(sorted(Counter(i.category for i in harmful if i.subset == subset).items()))
            for subset in sorted({i.subset for i in harmful})
        },
    }
