"""Llama Guard 3/4 (Meta): "safe", or "unsafe" and a line of MLCommons hazard codes (S1-S14).

Input: the conversation as chat messages; the served model's chat template wraps them in Llama Guard's
prompt (the last turn decides whether the user's prompt or the agent's answer is judged). Output: a
``GuardVerdict`` (no score: the protocol yields none). Side effects: one model call.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from ksafe.guard.formats.base import (
    Conversation,
    Generate,
    GuardFormat,
    GuardParseError,
    GuardVerdict,
    output_text,
    shorten,
)

MLCOMMONS: dict[str, str] = {
    "S1": "Violent Crimes",
    "S2": "Non-Violent Crimes",
    "S3": "Sex-Related Crimes",
    "S4": "Child Sexual Exploitation",
    "S5": "Defamation",
    "S6": "Specialized Advice",
    "S7": "Privacy",
    "S8": "Intellectual Property",
    "S9": "Indiscriminate Weapons",
    "S10": "Hate",
    "S11": "Suicide & Self-Harm",
    "S12": "Sexual Content",
    "S13": "Elections",
    "S14": "Code Interpreter Abuse",
}

MLCOMMONS_TO_KSAFE: dict[str, str | None] = {
    "S1": "violence",
    "S2": "illegal_unethical",
    "S3": "sexual",
    "S4": "sexual",
    "S5": "illegal_unethical",
    "S6": "sensitive_uses",
    "S7": "privacy",
    "S8": "copyrights",
    "S9": "weaponization",
    "S10": "hate_unfairness",
    "S11": "self_harm",
    "S12": "sexual",
    "S13": "political_religious_neutrality",
    "S14": "illegal_unethical",
}

_CODES = re.compile(r"^S(?:[1-9]|1[0-4])$")


class LlamaGuard(GuardFormat):
    """The Llama Guard protocol."""

    name: ClassVar[str] = "llama_guard"
    description: ClassVar[str] = "Meta Llama Guard 3/4: safe | unsafe + S1-S14 (MLCommons hazards)"
    taxonomy: ClassVar[dict[str, str]] = MLCOMMONS
    category_map: ClassVar[dict[str, str | None]] = MLCOMMONS_TO_KSAFE
    reads_images: ClassVar[bool] = True

    def generate_overrides(self) -> dict[str, Any]:
        """A verdict is two short lines."""
        return {"max_tokens": 20, "temperature": 0.0}

    def parse(self, text: str) -> GuardVerdict:
        """Read ``safe`` or ``unsafe\\nS1,S10``.

        Raises:
            GuardParseError: anything else (an unknown code included).
        """
        lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
        if not lines:
            raise GuardParseError("llama_guard: empty output")
        head = lines[0].lower()
        if head == "safe" and len(lines) == 1:
            return GuardVerdict(flagged=False, raw=text)
        if head != "unsafe":
            raise GuardParseError(f"llama_guard: expected 'safe' or 'unsafe', got {shorten(text)!r}")
        codes = tuple(c.strip().upper() for c in lines[1].split(",") if c.strip()) if len(lines) > 1 else ()
        if len(lines) > 2 or any(not _CODES.match(code) for code in codes):
            raise GuardParseError(f"llama_guard: expected a line of codes S1-S14, got {shorten(text)!r}")
        return GuardVerdict(flagged=True, codes=codes, categories=self.categories_of(codes), raw=text)

    async def classify(self, conversation: Conversation, generate: Generate) -> GuardVerdict:
        """One call with the conversation as it is; the chat template makes it Llama Guard's prompt."""
        output = await generate(conversation.messages(), **self.generate_overrides())
        return self.parse(output_text(output))
