"""What a refusal-act finder reports about one sentence.

Input: none. Output: the ``Act`` record shared by the per-language finders. Side effects: none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ActKind = Literal["decline", "incapable"]


@dataclass(frozen=True)
class Act:
    """A speech act found in one sentence.

    ``decline``: negated ability or willingness aimed at the request ("I can't help with that", "도와드릴 수
    없습니다", "お答えできません"). ``incapable``: the model says it cannot see or open the image.
    """

    kind: ActKind
    """``decline`` or ``incapable``."""
    cue: str
    """The words that carry the act (shown in the verdict's rationale)."""
