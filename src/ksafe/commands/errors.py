"""The CLI's error boundary: library and system errors become one-line messages with exit code 2.

Every command runs inside ``user_errors()``. A ``KsafeError`` prints as it is; an ``OSError`` (full disk,
read-only folder, a path under a file, a name too long) prints its reason and the path it concerns, with
what to do. ``SIGTERM`` (a plain ``kill``) is turned into ``KeyboardInterrupt`` so it stops a command the
way Ctrl-C does: finished work is kept and the same command resumes.
"""

from __future__ import annotations

import errno
import re
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from ksafe.errors import KsafeError
from ksafe.secrets import redact

_HINTS = {
    errno.ENOSPC: "free some disk space and rerun the same command (finished work is kept)",
    errno.EDQUOT: "free some disk space and rerun the same command (finished work is kept)",
    errno.EROFS: "the file system is read-only; choose a writable location",
    errno.EACCES: "no permission; choose a writable location",
    errno.EPERM: "no permission; choose a writable location",
    errno.ENOTDIR: "a part of this path is a file, not a folder",
    errno.EISDIR: "this path is a folder, not a file",
    errno.ENAMETOOLONG: "the name is too long for the file system",
}


def describe_os_error(exc: OSError) -> str:
    """One line for an ``OSError``: the path it concerns, the reason, and what to do."""
    reason = (exc.strerror or str(exc) or type(exc).__name__).strip().splitlines()[0]
    where = f"{exc.filename}: " if exc.filename is not None else ""
    if len(where) > 300:  # a path built from a huge name: show its start only
        where = where[:300] + "...: "
    hint = _HINTS.get(exc.errno or 0)
    return f"{where}{reason[:1].lower()}{reason[1:]}" + (f" ({hint})" if hint else "")


_LINE_BREAKS = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")
MAX_MESSAGE_CHARS = 2000
"""Longest error message printed (a message quoting a huge value is cut, never flooding the terminal)."""


def one_line(text: str) -> str:
    """``text`` on one line, cut to ``MAX_MESSAGE_CHARS``."""
    flat = _LINE_BREAKS.sub(" ", text).strip()
    return flat if len(flat) <= MAX_MESSAGE_CHARS else flat[:MAX_MESSAGE_CHARS] + "..."


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """While inside, ``SIGTERM`` raises ``KeyboardInterrupt`` in the main thread, as Ctrl-C does."""
    try:
        previous = signal.signal(signal.SIGTERM, _interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def user_errors() -> Iterator[None]:
    """Print a ``KsafeError`` or ``OSError`` as one ``error: ...`` line (secrets redacted) and exit with code 2."""
    try:
        with sigterm_as_interrupt():
            yield
    except KsafeError as exc:
        print(redact(f"error: {one_line(str(exc))}"), file=sys.stderr)
        raise SystemExit(2) from None
    except FileNotFoundError as exc:
        print(redact(f"error: {one_line(f'file not found: {exc.filename or exc}')}"), file=sys.stderr)
        raise SystemExit(2) from None
    except OSError as exc:  # a read-only or full disk, a path under a file: name the path and the reason
        print(redact(f"error: {one_line(describe_os_error(exc))}"), file=sys.stderr)
        raise SystemExit(2) from None
