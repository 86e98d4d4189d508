"""Turning library errors into one-line CLI errors with exit code 2."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from ksafe.errors import KsafeError
from ksafe.secrets import redact


@contextmanager
def user_errors() -> Iterator[None]:
    """Print a ``KsafeError`` or ``OSError`` as one ``error: ...`` line (secrets redacted) and exit with code 2."""
    try:
        yield
    except KsafeError as exc:
        print(redact(f"error: {exc}"), file=sys.stderr)
        raise SystemExit(2) from None
    except FileNotFoundError as exc:
        print(redact(f"error: file not found: {exc.filename or exc}"), file=sys.stderr)
        raise SystemExit(2) from None
    except OSError as exc:  # a read-only or full disk, a path under a file: name the path and the reason
        where = f"{exc.filename}: " if exc.filename else ""
        print(redact(f"error: {where}{exc.strerror or exc}"), file=sys.stderr)
        raise SystemExit(2) from None
