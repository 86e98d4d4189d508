"""The offline judge's rules against an earlier commit's: CPU ms per answer, and the ratio, measured in one run.

Usage: python benchmarks/bench_judge_ab.py [--baseline 8e8a792] [--rounds 5] [--passes 3]
Output (stdout): for the baseline commit's source tree and this working tree, the CPU milliseconds per answer of
the rules alone (``decide_by_rules``, with the request where the tree's judge reads one) on every answer of this
tree's judge set, per language, with cold caches: the fastest of ``--rounds`` alternating runs (each in its own
process, each the best of ``--passes`` passes), and the ratio after / before. Alternating and taking the minimum
keeps the load of a shared machine out of the comparison.
Side effects: ``git archive`` of the baseline's ``src`` into a temporary folder, removed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SET_DIR = ROOT / "src" / "ksafe" / "evaluation" / "data" / "judge_set"
_CHILD = r"""
import inspect, json, sys, time
from ksafe.evaluation.judge_set import load_judge_set
from ksafe.evaluation.structural import decision
from ksafe.evaluation.structural.morphology import japanese, korean, warm_up
warm_up()
answers = load_judge_set(sys.argv[1])
passes = int(sys.argv[2])
with_request = "request" in inspect.signature(decision.decide_by_rules).parameters
out = {}
for language in ("ko", "ja", "en"):
    rows = [a for a in answers if a.language == language]
    best = float("inf")
    for _ in range(passes):
        decision._decide_cached.cache_clear(); korean.cache_clear(); japanese.cache_clear()
        start = time.process_time()
        for a in rows:
            if with_request:
                decision.decide_by_rules(a.answer, a.is_harmful, (), a.request)
            else:
                decision.decide_by_rules(a.answer, a.is_harmful)
        best = min(best, (time.process_time() - start) * 1000 / len(rows))
    out[language] = best
print(json.dumps(out))
"""


def _run(src: Path | None, passes: int) -> dict[str, float]:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(SET_DIR), str(passes)], env=env, capture_output=True, text=True, check=True
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="8e8a792", help="Commit whose rules are the baseline.")
    parser.add_argument("--rounds", type=int, default=5, help="Alternating runs of each tree.")
    parser.add_argument("--passes", type=int, default=3, help="Passes per run (the best is kept).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        command = ["git", "-C", str(ROOT), "archive", args.baseline, "src"]
        archive = subprocess.run(command, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        before: dict[str, float] = {}
        after: dict[str, float] = {}
        for _ in range(args.rounds):
            for best, src in ((before, Path(tmp) / "src"), (after, None)):
                for language, ms in _run(src, args.passes).items():
                    best[language] = min(best.get(language, float("inf")), ms)
    print(f"rules CPU ms per answer, fastest of {args.rounds} alternating runs (best of {args.passes} passes each)")
    print(f"{'language':<9}{args.baseline:>10}{'now':>8}{'ratio':>8}")
    for language in ("ko", "ja", "en"):
        ratio = after[language] / before[language]
        print(f"{language:<9}{before[language]:>10.2f}{after[language]:>8.2f}{ratio:>8.2f}")


if __name__ == "__main__":
    main()
