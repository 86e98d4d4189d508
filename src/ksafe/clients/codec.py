"""JSON for the hot paths (direct clients, journals): orjson where installed (~5x faster), else the stdlib.

Input: JSON values. Output: bytes (UTF-8 JSON; ASCII escapes on the fallback). Side effects: none.
A value orjson refuses (a lone surrogate, possible in a model's output) is encoded by ``json`` with ASCII
escapes, which carry it; ``loads`` reads both forms (orjson, else ``json`` for what orjson refuses).
"""

from __future__ import annotations

import json
from typing import Any


def _std_dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=True, separators=(",", ":")).encode("ascii")


try:
    import orjson

    def dumps(value: Any) -> bytes:
        """``value`` as compact JSON bytes."""
        try:
            return orjson.dumps(value)
        except TypeError:  # a lone surrogate, or a type orjson does not know
            return _std_dumps(value)

    def loads(data: bytes | str) -> Any:
        """The JSON value of ``data`` (``ValueError`` when it is not JSON)."""
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:  # e.g. an escaped lone surrogate, which orjson refuses and json reads
            return json.loads(data)
except ImportError:  # pragma: no cover - the standard library is the fallback
    dumps = _std_dumps
    loads = json.loads  # type: ignore[assignment]


def dumps_line(value: Any) -> bytes:
    """``value`` as one JSON line (a journal record)."""
    return dumps(value) + b"\n"
