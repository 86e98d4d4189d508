"""Screening of generated pictures: an NSFW classifier (Open-NSFW, ONNX) and a concept-check hook.

Importing this package loads nothing heavy: the classifier's ONNX session starts on first use.
"""

from ksafe.images.screening.nsfw import NsfwScreen, ScreenVerdict
from ksafe.images.screening.policy import ConceptCheck, ScreenPolicy

__all__ = ["ConceptCheck", "NsfwScreen", "ScreenPolicy", "ScreenVerdict"]
