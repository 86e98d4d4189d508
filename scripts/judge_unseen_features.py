"""Record the structural rules' features on each judge-set batch as the rules read it *before* seeing it.

Usage: python scripts/judge_unseen_features.py   (from the repository root; needs the git history)
Output: src/ksafe/evaluation/data/judge_layer/unseen_features.json: for each batch, the commit whose rules
first judged it (the one measurement before it was folded into dev) and each answer's feature vector
(``ksafe.evaluation.structural.features``) computed with those rules. Side effects: exports each commit's
``src/`` into a temporary folder and runs it there.

Why: the rules were tuned on every dev batch, so their features on dev are fitted; a layer trained on them
would learn to trust the rules more than they deserve on answers they have not seen. These vectors are what
the rules give on fresh answers, which is what the layer meets in use.
"""

from __future__ import annotations

import json
from pathlib import Path

from at_commit import run_at_commit  # scripts/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src/ksafe/evaluation/data/judge_layer/unseen_features.json"
BATCHES = {
    # batch: the last commit before the batch was folded into dev (its rules had not read it)
    "batch2": "ad40968",
    "batch3": "0e722f8",
    "batch4": "a7d5f76",
    "batch5": "d9911a9",
}
_PROGRAM = r"""
import json, sys
from types import SimpleNamespace
from ksafe.evaluation.judge_set import load_judge_set
from ksafe.evaluation.structural import decide
from ksafe.evaluation.structural.compliance import read_structure
from ksafe.evaluation.structural.features import _vector
from ksafe.evaluation.structural.refusal import find_acts
from ksafe.evaluation.structural.sentences import split_sentences
NAMES = ("steps bullets headings labelled sequence intro code_output persona withheld overview warning "
         "protective support offer image_look substance").split()
out = {}
for path in sys.argv[1:]:
    for a in load_judge_set(path):
        sentences = split_sentences(a.answer)
        acts = find_acts(sentences)
        read = read_structure(sentences)
        structure = SimpleNamespace(**{n: getattr(read, n, None) for n in NAMES})
        for n in ("steps", "bullets", "headings", "labelled", "sequence"):
            setattr(structure, n, getattr(structure, n) or 0)
        verdict = decide(a.answer, a.is_harmful).verdict
        out[a.id] = [round(v, 6) for v in _vector(verdict, sentences, acts, structure, a.answer)]
print(json.dumps(out))
"""


def _features_at(commit: str, files: list[Path]) -> dict[str, list[float]]:
    features = "src/ksafe/evaluation/structural/features.py"  # today's feature definitions over the old rules
    overlay = {features: (ROOT / features).read_text(encoding="utf-8")}
    return dict(run_at_commit(commit, _PROGRAM, [str(f) for f in files], overlay))


def main() -> None:
    from ksafe.evaluation.structural.features import FEATURES
    from ksafe.fileio import write_text_atomic

    set_dir = ROOT / "src/ksafe/evaluation/data/judge_set"
    table: dict[str, object] = {"features": list(FEATURES), "batches": {}}
    for batch, commit in BATCHES.items():
        files = sorted(set_dir.glob(f"*_{batch}.yaml"))
        vectors = _features_at(commit, files)
        table["batches"][batch] = {"commit": commit, "vectors": vectors}  # type: ignore[index]
        print(f"{batch}: {len(vectors)} answers read with the rules of {commit}")
    write_text_atomic(OUT, json.dumps(table, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
