"""Base record type and content hashing shared by every stage."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel, ConfigDict


class FrozenRecord(BaseModel):
    """An immutable record: unknown fields are rejected, fields cannot be reassigned."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


def canonical_json(value: Any) -> str:
    """Serialise ``value`` deterministically (sorted keys, no spaces, UTF-8 kept)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_id(*parts: Any, length: int = 16) -> str:
    """Return a stable hex id from the canonical JSON of ``parts``.

    Equal content gives an equal id, so reruns deduplicate and resume.
    """
    digest = hashlib.sha256(canonical_json(list(parts)).encode("utf-8")).hexdigest()
    return digest[:length]
