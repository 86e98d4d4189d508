"""ShieldGemma (Google): the probability that content violates a stated policy, read from Yes/No logprobs.

Input: the conversation, rendered into ShieldGemma's published prompt once per policy (prompt or
response form); with ``shieldgemma:image=`` the image goes in the same user turn (ShieldGemma 2).
Output: a ``GuardVerdict``: score = the highest P(Yes) / (P(Yes) + P(No)) over the policies, flagged
at ``score >= threshold``; codes = the policies at or above it. Side effects: one call per policy.
"""

from __future__ import annotations

from typing import Any, ClassVar

from inspect_ai.model import ChatMessageUser, Content, ContentImage, ContentText

from ksafe.guard.formats.base import Conversation, Generate, GuardFormat, GuardVerdict
from ksafe.guard.formats.logprobs import first_token_mass
from ksafe.guard.prompts import SHIELDGEMMA_POLICIES, shieldgemma_prompt

LABELS: dict[str, tuple[str, ...]] = {"yes": ("yes",), "no": ("no",)}


class YesNoPolicies(GuardFormat):
    """What ShieldGemma's text and image protocols share: one Yes/No token per policy, the highest P(Yes) decides."""

    def generate_overrides(self) -> dict[str, Any]:
        """The first token ('Yes' or 'No') and its top logprobs."""
        return {"max_tokens": 1, "temperature": 0.0, "logprobs": True, "top_logprobs": 20}

    def yes_probability(self, output: Any) -> float:
        """P(Yes) / (P(Yes) + P(No)) of the reply's first token."""
        mass = first_token_mass(output, LABELS, self.name)
        return mass["yes"] / (mass["yes"] + mass["no"])

    def policy_verdict(self, scores: dict[str, float]) -> GuardVerdict:
        """Flagged when the highest policy score reaches the threshold; codes: the policies at or above it."""
        codes = tuple(code for code, score in scores.items() if score >= self.threshold)
        score = max(scores.values())
        return GuardVerdict(
            flagged=score >= self.threshold,
            score=score,
            codes=codes,
            categories=self.categories_of(codes),
            extra={"policy_scores": {k: round(v, 6) for k, v in scores.items()}},
        )


class ShieldGemma(YesNoPolicies):
    """The ShieldGemma protocol: one Yes/No question per policy."""

    name: ClassVar[str] = "shieldgemma"
    description: ClassVar[str] = "Google ShieldGemma (1: text, 2: images): P(Yes) per policy from logprobs"
    taxonomy: ClassVar[dict[str, str]] = {code: title for code, (title, _) in SHIELDGEMMA_POLICIES.items()}
    category_map: ClassVar[dict[str, str | None]] = {
        "dangerous": "weaponization",
        "harassment": "hate_unfairness",
        "hate": "hate_unfairness",
        "sexual": "sexual",
    }
    reads_images: ClassVar[bool] = False

    async def classify(self, conversation: Conversation, generate: Generate) -> GuardVerdict:
        """One call per policy; the highest policy score decides."""
        scores: dict[str, float] = {}
        for code in SHIELDGEMMA_POLICIES:
            prompt = shieldgemma_prompt(
                code, conversation.text, conversation.response, image=conversation.image is not None
            )
            content: list[Content] = [ContentText(text=prompt)]
            if conversation.image is not None:
                content.insert(0, ContentImage(image=conversation.image))
            output = await generate(
                [ChatMessageUser(content=content, id=conversation.message_id())], **self.generate_overrides()
            )
            scores[code] = self.yes_probability(output)
        return self.policy_verdict(scores)
