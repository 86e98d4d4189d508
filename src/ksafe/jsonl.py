"""Splitting JSONL text into lines the way JSON Lines means it: on ``\\n`` only.

``str.splitlines`` also breaks at U+2028, U+2029, U+0085, ``\\x0b``, ``\\x0c`` and ``\\x1c``-``\\x1e``. JSON allows
U+2028, U+2029 and U+0085 raw inside a string (``json.dumps(..., ensure_ascii=False)`` and pydantic write them
so), and model answers hold them, so ``splitlines`` cuts a valid record in two. Every ksafe JSONL reader
splits on ``\\n`` (this helper, ``bytes.split(b"\\n")``, or iterating a file opened in text mode, which
breaks only at ``\\n``, ``\\r`` and ``\\r\\n``; a raw ``\\r`` cannot occur inside a JSON string).
"""

from __future__ import annotations

from collections.abc import Iterator


def jsonl_lines(text: str) -> Iterator[tuple[int, str]]:
    """Yield ``(line number, line)`` for each non-blank line of JSONL ``text`` (1-based numbers)."""
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            yield number, line.removesuffix("\r")
