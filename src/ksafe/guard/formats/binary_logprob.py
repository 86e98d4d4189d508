"""SAFE/UNSAFE label-token guards read from logprobs (KT's SafetyGuard models and guards like them).

Input: the conversation as chat messages; one token is generated with its top logprobs. Output: a
``GuardVerdict`` whose score is P(UNSAFE) / (P(SAFE) + P(UNSAFE)) over the first position's top
tokens, flagged at ``score >= threshold`` (0.5 by default, ``--threshold``). Side effects: one call.
A reply without logprobs, or without either label among the top tokens, is a ``guard_error``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ksafe.guard.formats.base import Conversation, Generate, GuardFormat, GuardVerdict, output_text
from ksafe.guard.formats.logprobs import first_token_mass

LABELS: dict[str, tuple[str, ...]] = {"unsafe": ("unsafe", "un"), "safe": ("safe",)}


class BinaryLogprob(GuardFormat):
    """A single SAFE/UNSAFE label token with a probability threshold."""

    name: ClassVar[str] = "binary_logprob"
    description: ClassVar[str] = "SAFE/UNSAFE label token read from top logprobs, flagged at P(UNSAFE) >= threshold"
    taxonomy: ClassVar[dict[str, str]] = {"UNSAFE": "Unsafe (no category)"}
    category_map: ClassVar[dict[str, str | None]] = {"UNSAFE": None}
    reads_images: ClassVar[bool] = False

    def generate_overrides(self) -> dict[str, Any]:
        """One token and its top logprobs."""
        return {"max_tokens": 1, "temperature": 0.0, "logprobs": True, "top_logprobs": 20}

    async def classify(self, conversation: Conversation, generate: Generate) -> GuardVerdict:
        """One call; the score decides, the generated token is kept as ``raw``."""
        output = await generate(conversation.messages(), **self.generate_overrides())
        mass = first_token_mass(output, LABELS, self.name)
        score = mass["unsafe"] / (mass["unsafe"] + mass["safe"])
        flagged = score >= self.threshold
        return GuardVerdict(flagged=flagged, score=score, codes=("UNSAFE",) if flagged else (), raw=output_text(output))
