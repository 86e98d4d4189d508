"""The direct client's response cache: answers on disk by content address, so a rerun does not ask again.

Input: the request (base URL + the exact JSON body: model, messages with inlined images, generate options)
and the server's reply bytes. Output: the cached reply of an identical request, at most ``EXPIRY_S`` old.
Side effects: files ``<cache root>/ksafe-direct/<model>/<k[:2]>/<k>.json`` (``k``: SHA-256 of the request),
written atomically (temporary name, then rename; no fsync: a lost entry is only asked again).

The cache root follows Inspect's convention (``$INSPECT_CACHE_DIR``, else the platform's cache folder for
``inspect_ai``), beside Inspect's own ``generate`` cache, which ``--client inspect`` uses. A reply that holds
the value of a secret environment variable (a server echoing the key) is never written, nor is a reply
without choices. A cache that cannot be read or written (read-only or full disk) only costs requests: the
answer is returned all the same.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import time
from pathlib import Path
from typing import Any

from ksafe.clients.codec import loads
from ksafe.fileio import write_bytes_atomic
from ksafe.secrets import secret_list

EXPIRY_S = 7 * 24 * 3600
"""Entries older than this are not used (Inspect's default cache expiry, one week)."""
log = logging.getLogger(__name__)


def cache_root() -> Path:
    """Inspect's cache root: ``$INSPECT_CACHE_DIR`` or the platform's user cache folder of ``inspect_ai``."""
    env = os.environ.get("INSPECT_CACHE_DIR")
    if env:
        return Path(env)
    from platformdirs import user_cache_path

    return user_cache_path("inspect_ai")


class ResponseCache:
    """Replies of one model's server by request content (see the module docstring)."""

    def __init__(self, model: str, root: Path | None = None) -> None:
        slug = re.sub(r"[^A-Za-z0-9._-]+", "_", model).strip("._") or "model"
        self.folder = (root or cache_root()) / "ksafe-direct" / slug
        self._secrets = [s.encode() for s in secret_list()]
        self._writable = True

    def key(self, address: str, body: bytes) -> str:
        """The content address of a request to ``address`` with JSON ``body``."""
        return hashlib.sha256(address.encode() + b"\0" + body).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        """The cached reply body of ``key``, or None (absent, expired, unreadable or not a JSON object)."""
        path = self._path(key)
        try:
            if time.time() - path.stat().st_mtime > EXPIRY_S:
                return None
            body = loads(path.read_bytes())
        except (OSError, ValueError):
            return None
        return body if isinstance(body, dict) and body.get("choices") else None

    def put(self, key: str, raw: bytes) -> bool:
        """Store the reply bytes of ``key``; False (never an exception) when not stored."""
        if not self._writable or any(secret in raw for secret in self._secrets):
            return False
        try:
            write_bytes_atomic(self._path(key), raw, durable=False)
        except OSError as exc:  # read-only or full disk: the answer is kept by the caller all the same
            self._writable = False
            log.warning("response cache %s: not written (%s); answers are kept, reruns ask again", self.folder, exc)
            return False
        return True
