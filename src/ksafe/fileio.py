"""Atomic file writes: a temp file in the same folder, then a rename over the target.

Readers (and a rerun after a kill) see the old file or the new one, never a part of one.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ksafe.errors import KsafeError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_bytes_atomic(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write ``data`` to ``path`` atomically, with the usual file mode (0666 less the umask).

    Args:
        path: target file; its folder is created if needed.
        data: the bytes.
        durable: fsync before the rename (survives power loss, not only a killed process).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    """Write UTF-8 ``text`` atomically."""
    write_bytes_atomic(path, text.encode("utf-8"))


@contextmanager
def exclusive_lock(lock_file: Path, busy_message: str) -> Iterator[None]:
    """Hold an exclusive, non-blocking lock on ``lock_file`` (released when the process dies).

    Raises:
        KsafeError: another process holds it (``busy_message`` says what that means).
    """
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise KsafeError(busy_message) from None
        yield
    finally:
        os.close(fd)
