"""Redaction of the secrets ksafe knows of: the values of key variables in the environment.

Input: text about to be stored or printed (an error message, a provider's reply body) and the process
environment. Output: the text with every secret value replaced by ``[redacted $NAME]``. Side effects: none.

Keys come only from the environment (``OPENAI_API_KEY``, ``<NAME>_API_KEY`` for ``openai-api/<name>/...``,
``HF_TOKEN``...). A provider may echo a key back (``401 Incorrect API key provided: sk-...``), and that text
travels into journals, logs, reports and stderr; every place that stores or prints an error passes it
through ``redact``. A variable counts as a secret when its name ends in one of ``SECRET_SUFFIXES`` and its
value is at least ``MIN_SECRET_LENGTH`` characters (shorter values such as ``1`` or ``true`` are flags, and
replacing them would mangle ordinary text).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import lru_cache

SECRET_SUFFIXES = ("_API_KEY", "_KEY", "_TOKEN", "_SECRET", "_PASSWORD", "_CREDENTIALS", "_CREDENTIAL")
"""Environment variable names ending in one of these hold secrets."""
MIN_SECRET_LENGTH = 8
"""Values shorter than this are not treated as secrets."""


def secret_values(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return ``{value: variable name}`` for every secret in ``environ`` (default: ``os.environ``)."""
    env = os.environ if environ is None else environ
    found: dict[str, str] = {}
    for name, value in env.items():
        if name.upper().endswith(SECRET_SUFFIXES) and len(value.strip()) >= MIN_SECRET_LENGTH:
            found.setdefault(value.strip(), name)
    return found


@lru_cache(maxsize=8)
def _pattern(values: tuple[str, ...]) -> re.Pattern[str]:
    # Longest first: a key that contains another key is replaced whole.
    return re.compile("|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)))


def secret_list(environ: Mapping[str, str] | None = None) -> list[str]:
    """The secret values, longest first (to redact many texts with one environment read)."""
    return sorted(secret_values(environ), key=len, reverse=True)


def redact_values(text: str, values: list[str], marker: str = "***") -> str:
    """``text`` with each of ``values`` (from ``secret_list``) replaced by ``marker``."""
    for value in values:
        if value in text:
            text = text.replace(value, marker)
    return text


def redact(text: str, environ: Mapping[str, str] | None = None) -> str:
    """Return ``text`` with the value of every secret variable replaced by ``[redacted $NAME]``.

    Args:
        text: Any text that may be stored or shown (an error, a reply body, a rationale).
        environ: The environment to read secrets from (default: ``os.environ``, read on each call so a
            key set after start-up is covered too).
    """
    secrets = secret_values(environ)
    if not text or not secrets:
        return text
    pattern = _pattern(tuple(sorted(secrets)))
    return pattern.sub(lambda match: f"[redacted ${secrets[match.group(0)]}]", text)
