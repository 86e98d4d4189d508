"""What every guard output protocol provides: a request, a parser, a taxonomy and its KSAFE-MM mapping.

Input: a ``Conversation`` (the user turn as the target saw it, optionally the target's answer) and a
``Generate`` callable (Inspect's ``Model.generate`` bound by the runner). Output: a ``GuardVerdict``.
Side effects: none here; the runner calls the model. An output a format cannot read raises
``GuardParseError``: it becomes ``guard_error``, never "safe", and is asked again by the next run.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageUser,
    ContentImage,
    ContentText,
    ModelOutput,
)

_IDS = (f"ksafe-guard-in-{n}" for n in itertools.count())
Generate = Callable[..., Awaitable[ModelOutput]]
"""``generate(messages, **config_overrides) -> ModelOutput`` (Inspect's model layer, bound by the runner)."""


class GuardParseError(ValueError):
    """The guard's output follows none of its protocol's forms (recorded as ``guard_error``)."""


@dataclass(frozen=True)
class Conversation:
    """What a guard is shown: the user turn (text, maybe an image) and, for response checks, the answer."""

    text: str
    """The user turn's text (in the text-only ablation it holds the key phrase)."""
    image: str | None = None
    """Image file path (inlined as a data URI for the request only), or None."""
    response: str | None = None
    """The target's answer (``--responses``), or None when the prompt itself is classified."""
    language: str = "en"
    """BCP 47 language of the item (the ``llm`` format writes its policy in it)."""
    fresh: bool = False
    """Ask past the response cache: the pair's last call failed, and the cache may hold the reply that did."""

    def user_message(self) -> ChatMessageUser:
        """The user turn: image and text together, or the text alone."""
        # explicit ids: Inspect would otherwise draw a random one per message (~40 us of urandom each)
        if self.image is None:
            return ChatMessageUser(content=self.text, id=next(_IDS))
        return ChatMessageUser(content=[ContentImage(image=self.image), ContentText(text=self.text)], id=next(_IDS))

    def message_id(self) -> str:
        """A fresh message id (cheap; Inspect's default draws random bytes)."""
        return next(_IDS)

    def messages(self) -> list[ChatMessage]:
        """The conversation as chat messages (the answer as the assistant turn, when there is one)."""
        messages: list[ChatMessage] = [self.user_message()]
        if self.response is not None:
            messages.append(ChatMessageAssistant(content=self.response, id=next(_IDS)))
        return messages


@dataclass(frozen=True)
class GuardVerdict:
    """One guard decision."""

    flagged: bool
    """True: the guard calls the content unsafe."""
    score: float | None = None
    """Probability of unsafe in [0, 1], where the protocol yields one."""
    codes: tuple[str, ...] = ()
    """The guard's own category codes (``S1``, ``I3``, ``violence``)."""
    categories: tuple[str, ...] = ()
    """The codes mapped to KSAFE-MM category ids (codes with no counterpart are left out)."""
    raw: str = ""
    """The guard's output text, shortened (untrusted: escape wherever shown)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Protocol details (per-policy scores, category scores)."""

    def to_json(self) -> dict[str, Any]:
        """The journal form."""
        record: dict[str, Any] = {
            "flagged": self.flagged,
            "codes": list(self.codes),
            "categories": list(self.categories),
        }
        if self.score is not None:
            record["score"] = round(self.score, 6)
        if self.raw:
            record["raw"] = self.raw[:500]
        if self.extra:
            record["extra"] = self.extra
        return record

    @classmethod
    def from_json(cls, record: Mapping[str, Any]) -> GuardVerdict:
        """Read the journal form back."""
        score = record.get("score")
        verdict = object.__new__(cls)
        # the fields set at once, not through the frozen dataclass's __init__ (one object.__setattr__ per
        # field, ~4 us): results read back every verdict of a run
        verdict.__dict__.update(
            flagged=bool(record["flagged"]),
            score=float(score) if score is not None else None,
            codes=tuple(record.get("codes", ())),
            categories=tuple(record.get("categories", ())),
            raw=str(record.get("raw", "")),
            extra=dict(record.get("extra", {})),
        )
        return verdict


class GuardFormat:
    """Base of an output protocol. Subclasses set the class attributes and implement ``classify``."""

    name: ClassVar[str]
    """The FORMAT of ``--guard FORMAT=MODEL``."""
    description: ClassVar[str]
    """One line: which guards speak this protocol."""
    taxonomy: ClassVar[Mapping[str, str]] = {}
    """The guard's codes -> their meaning."""
    category_map: ClassVar[Mapping[str, str | None]] = {}
    """The guard's codes -> KSAFE-MM category id (None: no counterpart among the 11 categories)."""
    reads_images: ClassVar[bool] = True
    """Whether the guards of this protocol usually read images (``FORMAT:text=`` / ``FORMAT:image=`` override)."""
    images_only: ClassVar[bool] = False
    """Whether the protocol classifies the image alone (ShieldGemma 2): no text view, no text-only ablation,
    no ``--responses``."""
    backend: ClassVar[str] = "inspect"
    """``inspect``: called through Inspect's model layer; ``openai_moderation``: the openai SDK's moderation API."""

    def __init__(self, threshold: float = 0.5) -> None:
        self.threshold = threshold
        """Score at or above which a scored verdict is flagged (formats that read probabilities)."""

    def configured(self, threshold: float) -> GuardFormat:
        """A copy of this format with ``threshold``."""
        return type(self)(threshold=threshold)

    def generate_overrides(self) -> dict[str, Any]:
        """``GenerateConfig`` fields this protocol needs (e.g. one token, logprobs)."""
        return {}

    def categories_of(self, codes: Sequence[str]) -> tuple[str, ...]:
        """The KSAFE-MM categories of ``codes`` (unknown or unmapped codes left out), deduplicated."""
        mapped = (self.category_map.get(code) for code in codes)
        return tuple(dict.fromkeys(c for c in mapped if c))

    async def classify(self, conversation: Conversation, generate: Generate) -> GuardVerdict:
        """Ask the guard about ``conversation`` and read its verdict.

        Raises:
            GuardParseError: the output is not in this protocol.
        """
        raise NotImplementedError


def output_text(output: ModelOutput) -> str:
    """The completion text of ``output`` (empty when there is none)."""
    return output.completion if output.choices else ""


def shorten(text: str, limit: int = 200) -> str:
    """``text`` cut to ``limit`` characters for an error message."""
    return text if len(text) <= limit else text[:limit] + "..."
