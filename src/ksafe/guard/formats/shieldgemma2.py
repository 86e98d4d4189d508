"""ShieldGemma 2 (Google, 4B on Gemma 3): whether an image violates each of three policies, from Yes/No logprobs.

Input: the conversation's image (the item's text is not part of ShieldGemma 2's protocol: it classifies the
image alone). One request per policy (dangerous content, sexually explicit, violence/gore): a user turn with
the image and the policy's definition, as its Hugging Face processor builds it; the served chat template
(``google/shieldgemma-2-4b-it``) wraps them into its prompt. One token with top logprobs. Output: a
``GuardVerdict``: score = the highest P(Yes) / (P(Yes) + P(No)) over the policies, flagged at ``score >=
threshold``; codes = the policies at or above it. Side effects: one call per policy.
"""

from __future__ import annotations

from typing import ClassVar

from inspect_ai.model import ChatMessageUser, ContentImage, ContentText

from ksafe.guard.formats.base import Conversation, Generate, GuardParseError, GuardVerdict
from ksafe.guard.formats.shieldgemma import YesNoPolicies
from ksafe.guard.prompts import SHIELDGEMMA2_POLICIES


class ShieldGemma2(YesNoPolicies):
    """The ShieldGemma 2 image protocol: one Yes/No question per image policy."""

    name: ClassVar[str] = "shieldgemma2"
    description: ClassVar[str] = "Google ShieldGemma 2 (images only): P(Yes) per image policy from logprobs"
    taxonomy: ClassVar[dict[str, str]] = {code: text.split(":", 1)[0] for code, text in SHIELDGEMMA2_POLICIES.items()}
    category_map: ClassVar[dict[str, str | None]] = {
        "dangerous": "weaponization",
        "sexual": "sexual",
        "violence": "violence",
    }
    reads_images: ClassVar[bool] = True
    images_only: ClassVar[bool] = True

    async def classify(self, conversation: Conversation, generate: Generate) -> GuardVerdict:
        """One call per policy on the image; the highest policy score decides.

        Raises:
            GuardParseError: the conversation has no image (the runner never asks one), or a reply without
                Yes/No logprobs.
        """
        if conversation.image is None:
            raise GuardParseError(f"{self.name}: classifies images; this conversation has none")
        scores: dict[str, float] = {}
        for code, policy in SHIELDGEMMA2_POLICIES.items():
            message = ChatMessageUser(
                content=[ContentImage(image=conversation.image), ContentText(text=policy)],
                id=conversation.message_id(),
            )
            output = await generate([message], **self.generate_overrides())
            scores[code] = self.yes_probability(output)
        return self.policy_verdict(scores)
