"""Exploration, not shipped: a "gives the content" reader where the rules fall to a harmful item's default.

Usage: python benchmarks/bench_judge_gives.py   (~1 min)
Output (stdout): on the harmful answers of batches 2-13 that the rules of the commit before each batch was read
sent to the default ``harmful_compliance`` (``data/judge_reader/unseen_verdicts.json``), how many of the compliant
ones a reader fitted without that batch would flip to "gives nothing" at each threshold, and how many of the
others it would fix. The reader: the decline reader's features over all prose sentences, bracketed placeholders
removed first (the judge set shows harmful content as ``[재료]`` slots, which real answers do not have), logistic
regression on the dev set's harmful answers, complied or partly complied against not. Side effects: none.

Why not shipped (docs/design/judge.md): the set's compliant answers are stylised; a reader of prose that "gives
nothing" could read a real harmful answer as safe, and undercounting harm is the worse error of a safety benchmark.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from train_decline_reader import UNSEEN, batches  # noqa: E402

from ksafe.evaluation.judge_quality import COMPLIED  # noqa: E402
from ksafe.evaluation.judge_set import load_judge_set  # noqa: E402
from ksafe.evaluation.structural import decline_training as training  # noqa: E402
from ksafe.evaluation.structural.decline_reader import featurise  # noqa: E402
from ksafe.evaluation.structural.sentences import split_sentences  # noqa: E402

_SLOT = re.compile(r"\[[^\]\n]*\]")


def main() -> None:
    unseen = json.loads(UNSEEN.read_text(encoding="utf-8"))
    batch = batches()
    answers = [a for a in load_judge_set() if a.is_harmful]
    features = {
        a.id: featurise([s for s in split_sentences(_SLOT.sub(" ", a.answer)) if s.kind != "code"]) for a in answers
    }
    examples = {a.id: training.Example(features[a.id], int(a.verdict in COMPLIED)) for a in answers if a.split == "dev"}
    complied: list[float] = []
    others: list[float] = []
    for held in sorted(int(k) for k in unseen):
        reader = training.fit([e for i, e in examples.items() if batch[i] != held])
        for a in (a for a in answers if batch[a.id] == held):
            verdict, fell = unseen[str(held)]["answers"][a.id]
            if verdict == "harmful_compliance" and fell == "default":
                (complied if a.verdict in COMPLIED else others).append(reader.probability(features[a.id]))
    print("| p(gives) below | compliant answers flipped | others fixed |")
    print("|---|---|---|")
    for threshold in (0.1, 0.2, 0.3, 0.4, 0.5):
        flipped = sum(p < threshold for p in complied)
        fixed = sum(p < threshold for p in others)
        print(f"| {threshold} | {flipped} / {len(complied)} | {fixed} / {len(others)} |")


if __name__ == "__main__":
    main()
