"""Training the decline reader (``decline_reader.py``) from the judge set and hand-written sentences.

Input: the built-in judge set's dev answers (or any ``LabelledAnswer`` list) and
``data/judge_reader/sentences.yaml``. Output: a ``Reader``. Side effects: reads package data; the caller writes
the weights (``scripts/train_decline_reader.py``).

Examples: an answer labelled ``refused`` declines (1); ``harmful_compliance``, ``safe_completion`` and
``misunderstood`` do not (0); ``partial_compliance`` is left out (it both declines and gives). Each is read as
the reader reads at judging time (its opening and closing sentences). Every hand-written sentence is one more
example of its label. The fit is an L2-regularised logistic regression by Nesterov's accelerated gradient
from zero, a fixed number of full-batch steps over a sparse matrix in numpy: deterministic, no new dependency.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np
import yaml

from ksafe.evaluation.judge_set import LabelledAnswer
from ksafe.evaluation.structural.decline_reader import DIM, Reader, featurise, window
from ksafe.evaluation.structural.sentences import split_sentences

L2 = 1e-4
"""Regularisation (per example, on the mean loss)."""
STEPS = 400
"""Full-batch gradient steps."""
DECLINES = ("refused",)
NOT_DECLINES = ("harmful_compliance", "safe_completion", "misunderstood")


@dataclass(frozen=True)
class Example:
    """One training example: the hashed features of what the reader reads, and its label."""

    features: dict[int, float]
    label: int


def answer_example(answer: LabelledAnswer) -> Example | None:
    """The example an answer gives (None for ``partial_compliance``)."""
    if answer.verdict not in DECLINES + NOT_DECLINES:
        return None
    return Example(featurise(window(split_sentences(answer.answer))), int(answer.verdict in DECLINES))


def written_examples() -> list[Example]:
    """The hand-written decline sentences and look-alikes (``data/judge_reader/sentences.yaml``)."""
    path = resources.files("ksafe.evaluation") / "data" / "judge_reader" / "sentences.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    out: list[Example] = []
    for groups in data.values():
        for key, label in (("declines", 1), ("not_declines", 0)):
            for text in groups.get(key, []):
                out.append(Example(featurise(window(split_sentences(text))), label))
    return out


def examples(answers: Iterable[LabelledAnswer], with_written: bool = True) -> list[Example]:
    """The examples of ``answers`` (plus the hand-written ones)."""
    out = [e for e in (answer_example(a) for a in answers) if e is not None]
    return out + (written_examples() if with_written else [])


def _matrix(batch: Sequence[Example]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rows = np.concatenate([np.full(len(e.features), i, dtype=np.int64) for i, e in enumerate(batch)])
    cols = np.concatenate([np.fromiter(e.features, dtype=np.int64, count=len(e.features)) for e in batch])
    vals = np.concatenate([np.fromiter(e.features.values(), dtype=np.float64) for e in batch])
    labels = np.array([e.label for e in batch], dtype=np.float64)
    return rows, cols, vals, labels


def fit(batch: Sequence[Example], l2: float = L2, steps: int = STEPS) -> Reader:
    """Fit the reader's logistic regression (classes weighted to equal total weight).

    Args:
        batch: The examples.
        l2: L2 regularisation of the weights (not the bias).
        steps: Nesterov steps of size 1/L (rows are L2-normalised, so L <= 1/4 + l2 per unit weight).
    """
    rows, cols, vals, y = _matrix(batch)
    n = len(batch)
    positives = max(1.0, float(y.sum()))
    sample = np.where(y > 0, 0.5 / positives, 0.5 / max(1.0, n - positives))
    w = np.zeros(DIM + 1)
    momentum = w.copy()
    rate = 1.0 / (0.5 + l2)  # sum of sample weights is 1, each row has norm 1 plus the bias
    for step in range(1, steps + 1):
        look = w + (step - 1) / (step + 2) * (w - momentum)
        z = np.bincount(rows, weights=vals * look[cols], minlength=n) + look[DIM]
        residual = sample * (1.0 / (1.0 + np.exp(-np.clip(z, -30, 30))) - y)
        grad = np.zeros(DIM + 1)
        grad[:DIM] = np.bincount(cols, weights=vals * residual[rows], minlength=DIM) + l2 * look[:DIM]
        grad[DIM] = residual.sum()
        momentum, w = w, look - rate * grad
    return Reader(weights=w[:DIM].astype(np.float32), bias=float(w[DIM]))
