"""Turning library errors into one-line CLI errors with exit code 2."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from ksafe.errors import KsafeError


@contextmanager
def user_errors() -> Iterator[None]:
    """Print a ``KsafeError`` (or ``FileNotFoundError``) as ``error: ...`` and exit with code 2."""
    try:
        yield
    except KsafeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    except FileNotFoundError as exc:
        print(f"error: file not found: {exc.filename or exc}", file=sys.stderr)
        raise SystemExit(2) from None
