"""Sentence splitting and comparison, for recording what contextualization changed."""

from __future__ import annotations

import re


def split_sentences(text: str, enders: str) -> list[str]:
    """Split ``text`` after any character of ``enders`` (and at newlines); keep non-empty parts."""
    if not enders:
        return [part.strip() for part in text.splitlines() if part.strip()] or [text]
    pattern = re.compile(f"(?<=[{re.escape(enders)}])\\s*|\\n+")
    parts = [part.strip() for part in pattern.split(text)]
    return [part for part in parts if part] or [text]


def changed_sentences(before: str, after: str, enders: str) -> tuple[tuple[int, ...], int]:
    """Return the indices of sentences of ``after`` that differ from ``before``, and the sentence count."""
    old = split_sentences(before, enders)
    new = split_sentences(after, enders)
    changed = tuple(i for i, sentence in enumerate(new) if i >= len(old) or old[i] != sentence)
    return changed, len(new)
