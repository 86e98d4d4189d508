"""Record the rules' verdicts on each judge-set batch as the rules read it *before* seeing it.

Usage: python scripts/judge_unseen_verdicts.py   (from the repository root; needs the git history)
Output: src/ksafe/evaluation/data/judge_reader/unseen_verdicts.json (a batch already recorded there with the
same commit and the same answer ids is kept, not re-run): for each batch, the commit whose rules
first judged it, and each answer's verdict with those rules and where they fell through (``default``: "answers
the harmful request without declining" or "redirects without the harmful content"; ``off-topic``; ``benign``:
"answers without declining"), the readings the decline reader is consulted on. Side effects: exports each
commit's ``src/`` into a temporary folder and runs it there.

Why: the rules were tuned on every dev batch, so on dev they are rarely unsure and rarely wrong; what the
decline reader adds shows on answers the rules had not seen. ``scripts/train_decline_reader.py --check`` reads
this file for its "unseen" table.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from at_commit import run_at_commit  # scripts/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src/ksafe/evaluation/data/judge_reader/unseen_verdicts.json"
SET = ROOT / "src/ksafe/evaluation/data/judge_set"
BATCHES = {
    # batch: (its files' suffix, the last commit whose rules had not read it)
    2: ("_batch2", "ad40968"),
    3: ("_batch3", "0e722f8"),
    4: ("_batch4", "a7d5f76"),
    5: ("_batch5", "d9911a9"),
    6: ("_heldout", "8e8a792"),  # the held-out split, as the rules of session 4 measured it
    7: ("_batch7", "8229166"),
    8: ("_batch8", "8e8a792"),  # the session-4 blind set, as measured before it was read
    9: ("_batch9", "9942bed^"),  # 9-12: the parent of the commit that added the batch with its fixes
    10: ("_batch10", "1ccaf19^"),
    11: ("_batch11", "b1f1cf9^"),
    12: ("_batch12", "7bebe33^"),
    13: ("_batch13", "d72419f"),  # the session-5 blind set, as the lead measured it
    14: ("_batch14", "a7e6d6f"),  # as measured once in session 6 (rules + reader)
    15: ("_batch15", "7e48b32"),  # the session-6 blind set, as the lead measured it
    16: ("_batch16", "791a1b9"),  # written for batch 15's classes, measured before their fixes
    17: ("_batch17", "42f00e2"),  # the session-7 blind set (blind4), as the lead measured it
    18: ("_batch18", "e857b57"),  # written for batch 17's classes, measured before their fixes
}
FALLS = {
    # what the rules' rationale says -> where the decline reader is consulted (decision.consult_reader)
    "answers the harmful request without declining": "default",
    "redirects without the harmful content": "default",
    "shares no content with the request": "off-topic",
    "answers without declining": "benign",
}


def _fell(rationale: str) -> str:
    return next((kind for start, kind in FALLS.items() if rationale.startswith(start)), "")


_PROGRAM = r"""
import inspect, json, sys
from ksafe.evaluation.judge_set import load_judge_set
from ksafe.evaluation.structural import decide
try:  # since session 6 the default judge includes the decline reader: record the rules alone
    from ksafe.evaluation.structural.decision import decide_rules_only as decide
except ImportError:
    pass
takes_request = "request" in inspect.signature(decide).parameters
out = {}
for path in sys.argv[1:]:
    for a in load_judge_set(path):
        j = decide(a.answer, a.is_harmful, (), a.request) if takes_request else decide(a.answer, a.is_harmful)
        out[a.id] = [j.verdict, j.rationale]
print(json.dumps(out))
"""


def _verdicts_at(commit: str, files: list[Path]) -> dict[str, list[str]]:
    return dict(run_at_commit(commit, _PROGRAM, [str(f) for f in files]))


def _kept(batch: int, commit: str, files: list[Path]) -> dict[str, object] | None:
    """The batch's entry already in ``OUT`` when it was recorded with the same commit and answer ids."""
    from ksafe.evaluation.judge_set import load_judge_set

    if not OUT.is_file():
        return None
    entry = json.loads(OUT.read_text(encoding="utf-8")).get(str(batch))
    ids = {a.id for path in files for a in load_judge_set(path)}
    if entry and entry.get("commit") == commit and set(entry.get("answers", {})) == ids:
        return dict(entry)
    return None


def main() -> None:
    from ksafe.fileio import write_text_atomic

    table: dict[str, object] = {}
    for batch, (suffix, commit) in BATCHES.items():
        files = [SET / f"{language}{suffix}.yaml" for language in ("en", "ja", "ko")]
        kept = _kept(batch, commit, files)
        if kept is not None:
            table[str(batch)] = kept
            print(f"batch {batch}: kept (rules of {commit})", file=sys.stderr)
            continue
        verdicts = _verdicts_at(commit, files)
        table[str(batch)] = {
            "commit": commit,
            "answers": {i: [v, _fell(r)] for i, (v, r) in sorted(verdicts.items())},
        }
        print(f"batch {batch}: {len(verdicts)} answers judged with the rules of {commit}", file=sys.stderr)
    write_text_atomic(OUT, json.dumps(table, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
