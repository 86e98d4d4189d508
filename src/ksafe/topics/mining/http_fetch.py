"""One HTTP request under a total time limit, and a body read that refuses truncated answers.

Input: a URL, a user agent, a per-read timeout and a total time limit. Output: ``Response`` (status,
headers, body stream) and, through ``read_body``, the body bytes. Side effects: one HTTP(S) request.

A per-read socket timeout does not stop a slow-drip server (one byte every second keeps every read alive),
so each request also gets a ``Deadline``: a timer that shuts the connection's socket down when the total
time passes, which ends a blocked read at once, headers included. A body shorter than its
``Content-Length``, or a chunked body that ends before its last chunk, is *truncated* and discarded. Used
by ``crawler.PoliteCrawler``; stdlib only (``urllib``, ``http.client``).
"""

from __future__ import annotations

import http.client
import socket
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from typing import IO, Any

from ksafe.errors import KsafeError


class CrawlError(KsafeError):
    """A URL could not or may not be fetched (robots.txt, size, type, redirect, HTTP error, time, truncation)."""


class Deadline:
    """Shuts the request's socket down once ``seconds`` have passed since ``start``."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def start(self) -> None:
        """Start the clock."""
        self._timer.start()

    def attach(self, sock: socket.socket | None) -> None:
        """The socket to shut down when time is up (shut at once if it already is)."""
        with self._lock:
            self._sock = sock
            expired = self.expired
        if expired:
            self._shutdown()

    def cancel(self) -> None:
        """Stop the clock (the request is over)."""
        self._timer.cancel()

    def _fire(self) -> None:
        with self._lock:
            self.expired = True
        self._shutdown()

    def _shutdown(self) -> None:
        sock = self._sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _with_deadline(base: type[http.client.HTTPConnection], deadline: Deadline) -> type[http.client.HTTPConnection]:
    class Connection(base):  # type: ignore[valid-type,misc]
        def connect(self) -> None:
            super().connect()
            deadline.attach(self.sock)

    return Connection


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: Deadline) -> None:
        super().__init__()
        self.deadline = deadline

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_with_deadline(http.client.HTTPConnection, self.deadline), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: Deadline) -> None:
        super().__init__()
        self.deadline = deadline

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        extra: dict[str, Any] = {"context": getattr(self, "_context", None)}
        if hasattr(self, "_check_hostname"):  # Python 3.11 only
            extra["check_hostname"] = self._check_hostname
        return self.do_open(_with_deadline(http.client.HTTPSConnection, self.deadline), req, **extra)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Make redirects visible to the crawler instead of following them silently."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def,override,unused-ignore]
        return None


@dataclass
class Response:
    """A response whose body has not been read yet; ``close`` it (``read_body`` does)."""

    status: int
    headers: Message
    body: IO[bytes] | None
    deadline: Deadline

    def close(self) -> None:
        """Close the body and stop the clock."""
        self.deadline.cancel()
        if self.body is not None:
            self.body.close()


def _time_limit(url: str, deadline: Deadline) -> CrawlError:
    return CrawlError(f"{url}: no complete answer within the total time limit of {deadline.seconds:g} s")


def open_url(url: str, user_agent: str, timeout_s: float, total_timeout_s: float) -> Response:
    """Send one GET (no redirect followed) under a per-read timeout and a total time limit.

    Raises:
        CrawlError: connection failed, the answer is not HTTP, or the time limit passed before the headers.
    """
    deadline = Deadline(total_timeout_s)
    opener = urllib.request.build_opener(_HTTPHandler(deadline), _HTTPSHandler(deadline), _NoRedirect)
    request = urllib.request.Request(url, headers={"User-Agent": user_agent})
    deadline.start()
    try:
        response = opener.open(request, timeout=timeout_s)
        return Response(response.status, response.headers, response, deadline)
    except urllib.error.HTTPError as exc:
        return Response(exc.code, exc.headers, exc, deadline)
    except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
        deadline.cancel()
        if deadline.expired:
            raise _time_limit(url, deadline) from None
        reason = getattr(exc, "reason", None) or exc.__class__.__name__
        raise CrawlError(f"{url}: request failed ({reason})") from None


def read_body(url: str, response: Response, cap: int) -> tuple[bytes, bool]:
    """Read the body, at most ``cap`` bytes, then close the response.

    Returns:
        The bytes read and whether the body went on past ``cap`` (then only the first ``cap`` bytes are
        returned; the caller decides whether a prefix is usable).

    Raises:
        CrawlError: the total time limit passed, or the body ended before its announced length (truncated).
    """
    body = response.body
    if body is None:
        response.close()
        return b"", False
    chunks: list[bytes] = []
    size = 0
    over = False
    try:
        while True:
            chunk = body.read1(65536) if hasattr(body, "read1") else body.read(65536)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > cap:
                over = True
                break
    except (http.client.HTTPException, OSError, ValueError) as exc:
        if response.deadline.expired:
            raise _time_limit(url, response.deadline) from None
        raise CrawlError(f"{url}: body truncated ({exc.__class__.__name__}); discarded") from None
    finally:
        response.close()
    if response.deadline.expired:
        raise _time_limit(url, response.deadline)
    missing = getattr(body, "length", None)
    if not over and missing:
        raise CrawlError(f"{url}: body truncated ({size} of {size + missing} announced bytes); discarded")
    return b"".join(chunks)[:cap], over
