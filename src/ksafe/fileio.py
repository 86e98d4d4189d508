"""Atomic file writes (a temp file in the same folder, then a rename over the target) and build locks.

Readers (and a rerun after a kill) see the old file or the new one, never a part of one. A write that fails
(full disk, read-only folder) raises an ``OSError`` naming the target file, never the temp file.
Locks are ``flock`` locks, which the kernel releases when the holder dies; forked children close their
copy of a held lock, so a worker that outlives its parent never keeps a folder locked.
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
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _naming(exc, path) from exc
    try:
        _write_fd(fd, data, durable)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _naming(exc, path) from exc
        raise


def _write_fd(fd: int, data: bytes, durable: bool) -> None:
    """Write all of ``data`` to ``fd`` and close it (the one place file bytes go to disk; tests fault it)."""
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        if durable:
            handle.flush()
            os.fsync(handle.fileno())


def _naming(exc: OSError, path: Path) -> OSError:
    """The same error (same class and errno), naming ``path``: the file the user asked for."""
    return OSError(exc.errno, exc.strerror or str(exc), str(path))


def write_text_atomic(path: Path, text: str) -> None:
    """Write UTF-8 ``text`` atomically."""
    write_bytes_atomic(path, text.encode("utf-8"))


_HELD_LOCKS: set[int] = set()
"""File descriptors of the locks this process holds (closed in forked children)."""


def _close_inherited_locks() -> None:
    # A forked child shares the parent's lock (flock locks belong to the open file, not the process):
    # closing its copy means the lock ends with the parent even if the child lingers.
    for fd in list(_HELD_LOCKS):
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD_LOCKS.clear()


os.register_at_fork(after_in_child=_close_inherited_locks)


@contextmanager
def exclusive_lock(lock_file: Path, busy_message: str) -> Iterator[None]:
    """Hold an exclusive, non-blocking lock on ``lock_file`` (released when the process dies).

    The holder's process id is written into the file, so the busy message can name it.

    Raises:
        KsafeError: another live process holds it (``busy_message`` says what that means).
    """
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            raise KsafeError(f"{busy_message} (process {holder})" if holder.isdigit() else busy_message) from None
        _HELD_LOCKS.add(fd)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        _HELD_LOCKS.discard(fd)
        os.close(fd)
