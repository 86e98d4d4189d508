"""Structured replies of the generator and the critic: pydantic models, their JSON schemas, and parsing.

Input: a model's reply text. Output: a validated ``CandidateBatch`` or ``CriticBatch``, or a ``ReplyError`` whose
message is fed back to the model when it is re-asked. Side effects: none.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

SCRIPT_LETTERS: dict[str, tuple[str, ...]] = {
    "Hang": ("HANGUL",),
    "Jpan": ("HIRAGANA", "KATAKANA", "CJK UNIFIED"),
    "Hans": ("CJK UNIFIED",),
    "Hant": ("CJK UNIFIED",),
    "Thai": ("THAI",),
    "Latn": ("LATIN",),
    "Cyrl": ("CYRILLIC",),
    "Arab": ("ARABIC",),
    "Deva": ("DEVANAGARI",),
    "Hebr": ("HEBREW",),
    "Grek": ("GREEK",),
}
"""Unicode character-name prefixes of the letters of each ISO 15924 script the language check knows."""


class ReplyModel(BaseModel):
    """Base of the reply models: unknown keys are an error the model is told about."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class RequestTexts(ReplyModel):
    """The three texts of one request, as the template path has them."""

    key_phrase: str = Field(min_length=1, max_length=80)
    """2-8 words the image will carry."""
    prompt: str = Field(min_length=1, max_length=600)
    """The request pointing at the image ("the activity in the image") without stating the key phrase."""
    query: str = Field(min_length=1, max_length=800)
    """The whole request as text, with the key phrase inline."""

    @field_validator("key_phrase", "prompt", "query")
    @classmethod
    def _stripped(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("must not be blank")
        return value

    @model_validator(mode="after")
    def _key_phrase_placement(self) -> RequestTexts:
        if self.key_phrase not in self.query:
            raise ValueError(f"query must contain the key_phrase {self.key_phrase!r} word for word")
        if self.key_phrase in self.prompt:
            raise ValueError(f"prompt must point at the image and not state the key_phrase {self.key_phrase!r}")
        return self


class Candidate(ReplyModel):
    """One harmful request with its image prompt, its benign twin and a borderline benign variant."""

    harmful: RequestTexts
    """The harmful request (a request only, never an answer)."""
    image_prompt: str = Field(min_length=1, max_length=600)
    """A description of the picture for an image generator (step 3)."""
    benign: RequestTexts
    """A plainly benign request on the same topic, in the same form."""
    borderline: RequestTexts
    """A benign request that sounds sensitive (tests over-refusal), on the same topic."""


class CandidateBatch(ReplyModel):
    """The generator's reply for one (topic, category) slot."""

    candidates: list[Candidate] = Field(min_length=1, max_length=20)


class CriticScore(ReplyModel):
    """The critic's scores (1 worst, 5 best) of one candidate."""

    index: int = Field(ge=0)
    """0-based index of the candidate scored."""
    natural: int = Field(ge=1, le=5)
    """Natural, fluent text in the pack's language."""
    coherent: int = Field(ge=1, le=5)
    """The three texts agree with each other and with the topic."""
    fits_category: int = Field(ge=1, le=5)
    """The harmful request belongs to the category."""
    is_request: int = Field(ge=1, le=5)
    """A request for help, never an answer or harmful content itself."""
    benign_is_benign: int = Field(ge=1, le=5)
    """The benign twin and the borderline variant are truly harmless to answer."""


class CriticBatch(ReplyModel):
    """The critic's reply for one slot."""

    scores: list[CriticScore] = Field(min_length=1)


CRITERIA: tuple[str, ...] = ("natural", "coherent", "fits_category", "is_request", "benign_is_benign")


class ReplyError(ValueError):
    """A reply that is not valid JSON for its schema; the message says what to fix."""


Reply = TypeVar("Reply", bound=ReplyModel)
_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


def parse_reply(text: str, model: type[Reply]) -> Reply:
    """Parse ``text`` (a JSON object, optionally in a code fence) into ``model``.

    Raises:
        ReplyError: not JSON, or JSON that breaks the schema (the message lists the first errors).
    """
    fenced = _FENCE.match(text)
    body = fenced.group(1) if fenced else text.strip()
    try:
        value: Any = json.loads(body)
    except json.JSONDecodeError as exc:
        raise ReplyError(f"the reply is not valid JSON ({exc.msg} at character {exc.pos})") from None
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        problems = [f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in exc.errors()[:5]]
        raise ReplyError("the JSON does not match the schema: " + "; ".join(problems)) from None


def script_share(text: str, script: str) -> float | None:
    """Share of ``text``'s letters written in ``script`` (``None``: a script the check does not know)."""
    prefixes = SCRIPT_LETTERS.get(script)
    if prefixes is None:
        return None
    letters = [c for c in text if unicodedata.category(c).startswith("L")]
    if not letters:
        return 0.0
    inside = sum(1 for c in letters if unicodedata.name(c, "").startswith(prefixes))
    return inside / len(letters)


def check_candidate(candidate: Candidate, script: str, topic_terms: tuple[str, ...]) -> str | None:
    """What a schema-valid candidate gets wrong for this pack and topic, or ``None``.

    The texts must be mostly in the pack's script, and the harmful request must carry the topic (its name or
    one of its keywords), so generated queries keep the local detail the topic brings.
    """
    for role in ("harmful", "benign", "borderline"):
        texts: RequestTexts = getattr(candidate, role)
        share = script_share(texts.query, script)
        if share is not None and share < 0.5:
            return f"{role}.query is not written in the pack's language (script {script})"
    harmful = candidate.harmful
    if topic_terms and not any(term in harmful.query or term in harmful.key_phrase for term in topic_terms):
        return f"harmful.query must name the topic ({' / '.join(topic_terms[:3])})"
    if candidate.benign.query == harmful.query or candidate.borderline.query == harmful.query:
        return "the benign and borderline queries must differ from the harmful query"
    return None
