"""Fault classes of failed guard calls, and secret redaction of every stored or printed error.

Input: an exception raised by a guard call (after Inspect's or the SDK's retries) or a parse error.
Output: ``(kind, message)`` where ``kind`` is one of ``FAULT_KINDS`` and the message holds no value of
a secret environment variable. Side effects: none (reads the environment).

``src/ksafe/secrets.py`` did not exist when this was written: ``redact`` is the one function that
scrubs secrets from guard errors and raw outputs (a server may echo a key back).
"""

from __future__ import annotations

import re

from ksafe.evaluation.engine import error_text
from ksafe.guard.formats.base import GuardParseError
from ksafe.secrets import redact_values, secret_list

FAULT_KINDS: tuple[str, ...] = (
    "guard_error",
    "blocked_by_provider",
    "timeout",
    "rate_limited",
    "server_error",
    "auth_error",
    "bad_request",
    "connection_error",
    "error",
)
"""``guard_error``: the output followed no form of its protocol; the others: the call itself failed."""

_UNREACHABLE = ("connectionrefused", "connect call failed", "cannot connect", "name or service not known", "no route")


class ProviderBlocked(Exception):
    """The provider refused to run the guard on this content (finish reason ``content_filter``)."""


def secret_values() -> list[str]:
    """Values of the secret environment variables (``ksafe.secrets``), longest first."""
    return secret_list()


def redact(text: str, secrets: list[str] | None = None) -> str:
    """``text`` with every secret environment value (or each of ``secrets``) replaced by ``***``."""
    return redact_values(text, secret_list() if secrets is None else secrets)


def classify_fault(error: BaseException, secrets: list[str] | None = None) -> tuple[str, str]:
    """The fault class and the redacted one-line message of a failed guard call."""
    if isinstance(error, GuardParseError):
        return "guard_error", redact(str(error), secrets)[:2000]
    message = redact(error_text(error), secrets)[:2000]
    if isinstance(error, ProviderBlocked):
        return "blocked_by_provider", message
    lowered = message.lower()
    status = re.search(r"\b(?:error code|status(?: code)?)[: =]*([1-5]\d\d)\b", lowered)
    code = int(status.group(1)) if status else 0
    if any(word in lowered for word in _UNREACHABLE):  # before "timeout": the SDK wraps a refusal in a timeout
        return "connection_error", message
    if "timeout" in lowered or "timed out" in lowered:
        return "timeout", message
    if code == 429 or "ratelimit" in lowered or "rate limit" in lowered:
        return "rate_limited", message
    if code in (401, 403) or "authentication" in lowered or "permissiondenied" in lowered:
        return "auth_error", message
    if 500 <= code < 600 or "internalservererror" in lowered or ("apistatuserror" in lowered and code >= 500):
        return "server_error", message
    if 400 <= code < 500 or "badrequest" in lowered or "unprocessable" in lowered:
        return "bad_request", message
    if "connect" in lowered:
        return "connection_error", message
    return "error", message


def cannot_write(exc: OSError, where: object) -> str:
    """The one-line message of a failed write (a read-only or full disk): what was journaled stays."""
    return f"{exc.filename or where}: cannot write ({exc.strerror or exc}); free space or fix permissions, then rerun"
