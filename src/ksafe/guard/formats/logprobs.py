"""Reading label probabilities from the first generated token's top logprobs (shared by score formats).

Input: an Inspect ``ModelOutput`` generated with ``logprobs=True, top_logprobs=N``. Output: the
probability mass of each label among the first position's top tokens. Side effects: none.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from inspect_ai.model import ModelOutput

from ksafe.guard.formats.base import GuardParseError


def normalise_token(token: str) -> str:
    """``" <UNSAFE>"`` -> ``"unsafe"``: whitespace, angle brackets and case dropped."""
    return token.strip().strip("<>|").strip().lower()


def first_token_mass(output: ModelOutput, labels: Mapping[str, tuple[str, ...]], fmt: str) -> dict[str, float]:
    """The summed probability of each label's tokens at the first generated position.

    Args:
        output: The model output (with logprobs).
        labels: Label -> normalised tokens that spell it (``{"unsafe": ("unsafe",), "safe": ("safe",)}``).
        fmt: The format's name, for messages.

    Raises:
        GuardParseError: no logprobs came back, or no label token is among the top tokens.
    """
    if not output.choices or output.choices[0].logprobs is None or not output.choices[0].logprobs.content:
        raise GuardParseError(f"{fmt}: the reply has no logprobs (the server must support logprobs/top_logprobs)")
    first = output.choices[0].logprobs.content[0]
    tops = list(first.top_logprobs or [])
    if not tops:
        tops = [first]  # type: ignore[list-item]  # a server that returns only the chosen token
    mass = dict.fromkeys(labels, 0.0)
    for top in tops:
        token = normalise_token(top.token)
        for label, spellings in labels.items():
            if token in spellings:
                mass[label] += math.exp(top.logprob)
                break
    if sum(mass.values()) <= 0.0:
        seen = ", ".join(repr(t.token) for t in tops[:5])
        raise GuardParseError(f"{fmt}: no label token ({', '.join(labels)}) among the top tokens ({seen})")
    return mass
