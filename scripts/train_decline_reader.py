"""Train the decline reader, or measure it leave-one-batch-out (docs/design/judge.md).

    python scripts/train_decline_reader.py            # fit on every dev batch + the hand-written sentences,
                                                      # write src/ksafe/evaluation/data/judge_reader/weights.npz
    python scripts/train_decline_reader.py --check    # leave-one-batch-out: for each batch N, a reader fitted
                                                      # without N judges N; binary accuracy, rules -> rules + reader

Binary accuracy as the issue defines it: harmful items complied or partly complied, against not; benign items
refused, against not. The held-out split (batch 6) is never trained on; with ``--check`` it is one more fold.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

from ksafe.evaluation.judge_quality import COMPLIED
from ksafe.evaluation.judge_set import LabelledAnswer, builtin_set_dir, load_judge_set
from ksafe.evaluation.structural import decline_training as training
from ksafe.evaluation.structural.compliance import read_structure
from ksafe.evaluation.structural.decision import BENIGN_SHORT, READER_HARMFUL, Judgement, consult_reader, rule_verdict
from ksafe.evaluation.structural.decline_reader import save_reader, weights_path
from ksafe.evaluation.structural.refusal import find_acts
from ksafe.evaluation.structural.request import read_request
from ksafe.evaluation.structural.sentences import split_sentences

UNSEEN = Path(__file__).resolve().parents[1] / "src/ksafe/evaluation/data/judge_reader/unseen_verdicts.json"


def batch_of(file: Path) -> int:
    """The batch a judge-set file holds: ``<lang>.yaml`` 1, ``<lang>_heldout.yaml`` 6, ``<lang>_batchN`` N."""
    if file.stem.endswith("_heldout"):
        return 6
    match = re.search(r"_batch(\d+)$", file.stem)
    return int(match.group(1)) if match else 1


def batches() -> dict[str, int]:
    """Answer id -> batch, for the built-in set."""
    out: dict[str, int] = {}
    for file in sorted(builtin_set_dir().glob("*.yaml")):
        out.update({a.id: batch_of(file) for a in load_judge_set(file)})
    return out


def correct(answer: LabelledAnswer, verdict: str) -> bool:
    """Binary agreement with the human verdict."""
    if answer.is_harmful:
        return (verdict in COMPLIED) == (answer.verdict in COMPLIED)
    return (verdict == "refused") == (answer.verdict == "refused")


def _table(title: str, cells: dict[tuple[int, str, str], list[tuple[bool, bool]]]) -> None:
    print(title)
    print("| batch | en harmful / benign | ja harmful / benign | ko harmful / benign |")
    print("|---|---|---|---|")
    for held in [*sorted({b for b, _, _ in cells}), 0]:
        row = []
        for language in ("en", "ja", "ko"):
            parts = []
            for kind in ("harmful", "benign"):
                pairs = [
                    p
                    for (b, lang, k), v in cells.items()
                    if held in (0, b) and (lang, k) == (language, kind)
                    for p in v
                ]
                rules_share = sum(p[0] for p in pairs) / len(pairs)
                reader_share = sum(p[1] for p in pairs) / len(pairs)
                parts.append(f"{rules_share:.2f}->{reader_share:.2f}")
            row.append(" / ".join(parts))
        print(f"| {held or 'all'} | " + " | ".join(row) + " |")
    print()


def check() -> None:
    """Leave-one-batch-out, printed as Markdown tables: the rules as they were before each batch was read
    (``unseen_verdicts.json``) and today's rules, each without -> with a reader fitted without that batch; then
    the reader alone."""
    answers = load_judge_set()
    batch = batches()
    example = {a.id: training.answer_example(a) for a in answers if a.split == "dev"}
    written = training.written_examples()
    readers = {
        held: training.fit([e for i, e in example.items() if e is not None and batch[i] != held] + written)
        for held in sorted(set(batch.values()))
    }
    unseen = json.loads(UNSEEN.read_text(encoding="utf-8"))
    then: dict[tuple[int, str, str], list[tuple[bool, bool]]] = defaultdict(list)
    now: dict[tuple[int, str, str], list[tuple[bool, bool]]] = defaultdict(list)
    alone: dict[tuple[int, str], list[bool]] = defaultdict(list)
    for a in answers:
        held, kind = batch[a.id], "harmful" if a.is_harmful else "benign"
        reader = readers[held]
        sentences = split_sentences(a.answer)
        acts = find_acts(sentences)
        rules = rule_verdict(sentences, acts, read_structure(sentences), a.is_harmful, read_request(a.request))
        after = consult_reader(rules, sentences, a.is_harmful, reader)
        now[(held, a.language, kind)].append((correct(a, rules.verdict), correct(a, after.verdict)))
        if str(held) in unseen:
            old_verdict, fell = unseen[str(held)]["answers"][a.id]
            # the gate of decision.rule_verdict, on the old rules' reading
            prose = sum(1 for s in sentences if s.kind == "prose")
            benign_short = fell == "benign" and prose <= BENIGN_SHORT and not read_structure(sentences).substance
            unsure = fell in ("default", "off-topic") if a.is_harmful else benign_short
            old = Judgement(old_verdict, "", unsure=unsure)
            old_after = consult_reader(old, sentences, a.is_harmful, reader)
            then[(held, a.language, kind)].append((correct(a, old.verdict), correct(a, old_after.verdict)))
        mine = training.answer_example(a)
        if mine is not None:  # the reader alone: refused against not, on answers it never saw
            alone[(held, a.language)].append((reader.probability(mine.features) >= READER_HARMFUL) == bool(mine.label))
    _table("Unseen: the rules of the commit before each batch was read -> the same + the reader:", then)
    _table("Today's rules (fitted on every dev batch) -> the same + the reader:", now)
    print("The reader alone, 'declines' (refused) against not (partial left out):")
    print("| batch | en | ja | ko |")
    print("|---|---|---|---|")
    for held in [*sorted(set(batch.values())), 0]:
        shares = []
        for language in ("en", "ja", "ko"):
            hits = [h for (b, lang), v in alone.items() if held in (0, b) and lang == language for h in v]
            shares.append(f"{sum(hits) / len(hits):.2f} ({len(hits)})")
        print(f"| {held or 'all'} | " + " | ".join(shares) + " |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="leave-one-batch-out instead of training")
    args = parser.parse_args()
    if args.check:
        check()
        return 0
    reader = training.fit(training.examples(load_judge_set(split="dev")))
    save_reader(reader, weights_path())
    print(f"wrote {weights_path()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
