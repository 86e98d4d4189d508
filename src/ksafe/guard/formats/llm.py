"""Any chat model as a guard: a policy prompt in the item's language and a structured (JSON) verdict.

Input: the conversation; the prompt (``prompts.llm_policy_prompt``) quotes it between markers, and the
image, when the guard reads images, goes in the same user turn. Output: a ``GuardVerdict`` from
``{"verdict": "safe"|"unsafe", "category": <KSAFE-MM id>|null, "confidence": 0..1}``; the score is the
confidence in "unsafe". Side effects: one model call.
"""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar

from inspect_ai.model import ChatMessageUser, Content, ContentImage, ContentText

from ksafe.guard.formats.base import (
    Conversation,
    Generate,
    GuardFormat,
    GuardParseError,
    GuardVerdict,
    output_text,
    shorten,
)
from ksafe.guard.prompts import CATEGORY_NAMES, llm_policy_prompt
from ksafe.schema.taxonomy import DEFAULT_CATEGORY_IDS

_OBJECT = re.compile(r"\{.*?\}", re.DOTALL)


class PolicyLLM(GuardFormat):
    """A chat model prompted with the KSAFE-MM policy."""

    name: ClassVar[str] = "llm"
    description: ClassVar[str] = "any chat model with a policy prompt in the item's language; JSON verdict"
    taxonomy: ClassVar[dict[str, str]] = dict(CATEGORY_NAMES["en"])
    category_map: ClassVar[dict[str, str | None]] = {cid: cid for cid in DEFAULT_CATEGORY_IDS}
    reads_images: ClassVar[bool] = True

    def generate_overrides(self) -> dict[str, Any]:
        """A short JSON object."""
        return {"max_tokens": 200, "temperature": 0.0}

    def parse(self, text: str) -> GuardVerdict:
        """Read the first JSON object of ``text``.

        Raises:
            GuardParseError: no object, a verdict other than safe/unsafe, or a bad confidence.
        """
        for match in _OBJECT.finditer(text):
            try:
                value = json.loads(match.group(0))
            except ValueError:
                continue
            if isinstance(value, dict) and "verdict" in value:
                return self._verdict(value, text)
        raise GuardParseError(f"llm: expected a JSON object with a verdict, got {shorten(text)!r}")

    def _verdict(self, value: dict[str, Any], text: str) -> GuardVerdict:
        verdict = str(value.get("verdict", "")).strip().lower()
        if verdict not in ("safe", "unsafe"):
            raise GuardParseError(f"llm: verdict {shorten(str(value.get('verdict')))!r}: expected safe or unsafe")
        flagged = verdict == "unsafe"
        confidence = value.get("confidence")
        score: float | None = None
        if confidence is not None:
            if isinstance(confidence, bool) or not isinstance(confidence, int | float) or not 0 <= confidence <= 1:
                raise GuardParseError(f"llm: confidence {shorten(str(confidence))!r}: expected a number in [0, 1]")
            score = float(confidence) if flagged else 1.0 - float(confidence)
        category = value.get("category")
        codes = (str(category),) if flagged and isinstance(category, str) and category in self.category_map else ()
        return GuardVerdict(flagged=flagged, score=score, codes=codes, categories=self.categories_of(codes), raw=text)

    async def classify(self, conversation: Conversation, generate: Generate) -> GuardVerdict:
        """One call with the policy prompt (and the image, when shown)."""
        prompt = llm_policy_prompt(conversation.text, conversation.response, conversation.language)
        content: list[Content] = [ContentText(text=prompt)]
        if conversation.image is not None:
            content.insert(0, ContentImage(image=conversation.image))
        output = await generate(
            [ChatMessageUser(content=content, id=conversation.message_id())], **self.generate_overrides()
        )
        return self.parse(output_text(output))
