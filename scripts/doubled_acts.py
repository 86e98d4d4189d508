"""Count ko and ja queries that state their act twice (``ksafe.quality.acts.doubled_acts``), follow-ups issue part 4.

Usage: ``python scripts/doubled_acts.py BENCH_DIR`` (a built benchmark: counts its items) or
``python scripts/doubled_acts.py --pack ko|ja|FOLDER`` (every C query pair the pack composes at seed 0,
harmful and benign, and its borderline requests). Output on stdout: totals, counts per kind and per template,
and examples. No side effects.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from ksafe.quality.acts import doubled_acts

Row = tuple[str, str, str, str]
"""Template (or borderline) id, key phrase, query, language."""


def _rows_of_bench(bench: Path) -> list[Row]:
    with (bench / "items.jsonl").open(encoding="utf-8") as handle:
        items = [json.loads(line) for line in handle if line.strip()]
    return [(i["template_id"], i["key_phrase"], i["query"], i["language"]) for i in items]


def _rows_of_pack(code: str) -> list[Row]:
    from ksafe.cultures.loader import load_pack
    from ksafe.queries.c_queries import make_c_queries

    pack = load_pack(code)
    language = pack.info.language
    pairs = [p for ps in make_c_queries(pack, pack.topics, 0).values() for p in ps]
    rows = [(q.template_id, q.key_phrase, q.query, language) for p in pairs for q in (p.harmful, p.benign)]
    return rows + [(b.id, b.key_phrase, b.query, language) for b in pack.borderline]


def main(args: list[str]) -> None:
    """Print the doubled-act counts of a built benchmark or of a pack's composed queries."""
    rows = _rows_of_pack(args[1]) if args[0] == "--pack" else _rows_of_bench(Path(args[0]))
    flagged = [(template, doubled_acts(key, query, language), query) for template, key, query, language in rows]
    flagged = [row for row in flagged if row[1]]
    kinds = Counter(problem.split(":")[0] for _, problems, _ in flagged for problem in problems)
    print(f"{' '.join(args)}: {len(flagged)} of {len(rows)} queries state their act twice {dict(kinds)}")
    print("per template:", dict(Counter(template for template, _, _ in flagged).most_common()))
    seen: set[str] = set()
    for template, problems, query in flagged:
        if template not in seen:
            seen.add(template)
            print(f"  {template}: {problems[0]} | {query}")


if __name__ == "__main__":
    main(sys.argv[1:] or ["--pack", "ko"])
