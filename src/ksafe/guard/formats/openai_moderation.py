"""OpenAI's moderation endpoint (``omni-moderation-latest`` reads images): flagged, categories, scores.

Input: the conversation as moderation inputs (text parts, and the image as a data URI when shown; for
``--responses`` the answer's text). Output: a ``GuardVerdict``: flagged as the endpoint says, score =
the highest category score, codes = the categories it flagged. Side effects: one call through the
openai SDK's ``client.moderations.create`` (``OPENAI_API_KEY``, ``OPENAI_BASE_URL`` from the environment).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from ksafe.guard.formats.base import Conversation, GuardFormat, GuardParseError, GuardVerdict

Moderate = Callable[[list[dict[str, Any]]], Awaitable[Any]]
"""``moderate(inputs) -> ModerationCreateResponse`` (bound by the runner to the SDK client and model)."""

MODERATION_TO_KSAFE: dict[str, str | None] = {
    "harassment": "hate_unfairness",
    "harassment/threatening": "hate_unfairness",
    "hate": "hate_unfairness",
    "hate/threatening": "hate_unfairness",
    "illicit": "illegal_unethical",
    "illicit/violent": "weaponization",
    "self-harm": "self_harm",
    "self-harm/intent": "self_harm",
    "self-harm/instructions": "self_harm",
    "sexual": "sexual",
    "sexual/minors": "sexual",
    "violence": "violence",
    "violence/graphic": "violence",
}


def _plain(value: Any) -> dict[str, Any]:
    """An SDK model or a dict as a dict keyed by the API's names (``self-harm/intent``)."""
    if hasattr(value, "model_dump"):
        return dict(value.model_dump(by_alias=True))
    return dict(value or {})


class OpenAIModeration(GuardFormat):
    """The moderation endpoint's protocol."""

    name: ClassVar[str] = "openai_moderation"
    description: ClassVar[str] = "OpenAI moderation endpoint (omni-moderation-latest): flagged + category scores"
    taxonomy: ClassVar[dict[str, str]] = {code: code for code in MODERATION_TO_KSAFE}
    category_map: ClassVar[dict[str, str | None]] = MODERATION_TO_KSAFE
    reads_images: ClassVar[bool] = True
    backend: ClassVar[str] = "openai_moderation"

    @staticmethod
    def inputs(conversation: Conversation, image_uri: str | None) -> list[dict[str, Any]]:
        """The multimodal input list: the answer (``--responses``) or the prompt text, and the image."""
        text = conversation.response if conversation.response is not None else conversation.text
        parts: list[dict[str, Any]] = [{"type": "text", "text": text}]
        if image_uri is not None and conversation.response is None:
            parts.append({"type": "image_url", "image_url": {"url": image_uri}})
        return parts

    def parse(self, response: Any) -> GuardVerdict:
        """Read the first result of a moderation response.

        Raises:
            GuardParseError: no result, or a result without ``flagged``.
        """
        results = getattr(response, "results", None) if not isinstance(response, dict) else response.get("results")
        if not results:
            raise GuardParseError("openai_moderation: the response has no results")
        result = _plain(results[0])
        if not isinstance(result.get("flagged"), bool):
            raise GuardParseError("openai_moderation: the result has no boolean 'flagged'")
        categories = {k: bool(v) for k, v in _plain(result.get("categories")).items() if v is not None}
        scores = {k: float(v) for k, v in _plain(result.get("category_scores")).items() if isinstance(v, int | float)}
        codes = tuple(code for code, on in categories.items() if on)
        return GuardVerdict(
            flagged=result["flagged"],
            score=max(scores.values()) if scores else None,
            codes=codes,
            categories=self.categories_of(codes),
            extra={"category_scores": {k: round(v, 6) for k, v in scores.items() if v >= 0.001}},
        )

    async def moderate(self, conversation: Conversation, moderate: Moderate, image_uri: str | None) -> GuardVerdict:
        """One moderation call."""
        return self.parse(await moderate(self.inputs(conversation, image_uri)))
