"""Worker processes that never outlive their parent (eval shards, the judge process, guard workers).

Input: the read end of a pipe whose write end only the parent holds. Output: none. Side effects: sets
``PR_SET_PDEATHSIG`` (Linux) and starts a watchdog thread that exits the process when the pipe closes.
Small on purpose: a forked worker imports it first, before anything else it needs.
"""

from __future__ import annotations

import os
import threading
from typing import Any


def die_with_parent(parent: Any) -> None:
    """In a worker process: exit when the parent dies (PR_SET_PDEATHSIG, and a watchdog on the pipe ``parent``).

    Args:
        parent: the read end of a pipe whose write end only the parent holds: a ``multiprocessing``
            ``Connection`` or a raw file descriptor (``os.pipe``). End of file on it means the parent is gone.
    """
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
    except (OSError, AttributeError):
        pass

    def watch() -> None:
        try:
            while True:
                if isinstance(parent, int):
                    if not os.read(parent, 4096):
                        break
                else:
                    parent.recv_bytes()
        except (EOFError, OSError):
            pass
        os._exit(1)  # every write end closed: the parent is gone

    threading.Thread(target=watch, daemon=True).start()
