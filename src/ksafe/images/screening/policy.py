"""What happens to a rejected picture: a new seed, at most N times, then the picture's items are dropped.

Input: a request seed and the attempt number. Output: the seed of the next attempt (derived, never random),
so a rebuild asks for the same seeds in the same order. Side effects: none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ksafe.schema.base import content_id


class ConceptCheck(Protocol):
    """Optional hook: does the picture show the concept? (e.g. CLIP similarity or a VLM role).

    Return a score in [0, 1]; the picture is rejected below the policy's ``concept_threshold``.
    """

    def __call__(self, png: bytes, concept: str) -> float: ...


@dataclass(frozen=True)
class ScreenPolicy:
    """Screening rules of a build."""

    nsfw_threshold: float = 0.8
    """Reject pictures whose NSFW score is above this."""
    regenerations: int = 2
    """New seeds tried after a rejection; then the picture counts as dropped."""
    concept_check: ConceptCheck | None = None
    """Optional concept-match check."""
    concept_threshold: float = 0.0
    """Reject pictures whose concept score is below this."""

    @property
    def attempts(self) -> int:
        """Attempts per picture, the first included."""
        return 1 + self.regenerations


def attempt_seed(base_seed: int, attempt: int) -> int:
    """Seed of attempt ``attempt`` (0: the base seed itself)."""
    if attempt == 0:
        return base_seed
    return int(content_id("regenerate", base_seed, attempt), 16) % (2**31)
