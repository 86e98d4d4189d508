"""Turning library errors into one-line CLI errors with exit code 2."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from ksafe.errors import KsafeError

T = TypeVar("T")


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


def run_cli(fn: Callable[[], T]) -> T:
    """Call ``fn`` under ``user_errors``."""
    with user_errors():
        return fn()
