"""ksafe's own culture packs, registered through the ``ksafe.cultures`` entry point like a pack package.

Input: none. Output: the folders of the built-in packs (package data under ``ksafe/cultures/packs/``).
No side effects.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def _pack(code: str) -> Path:
    return Path(str(resources.files("ksafe.cultures") / "packs" / code))


def ko() -> Path:
    """KSAFE-MM: the Korean pack."""
    return _pack("ko")


def ja() -> Path:
    """JSAFE-MM: the Japanese pack."""
    return _pack("ja")
