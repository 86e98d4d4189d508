"""A lean HTTP/1.1 keep-alive POST client (httptools' parser on an ``asyncio.Protocol``) for the direct clients.

Guards answer in one token, so the client's CPU per call sets ``ksafe guard --client direct``'s throughput:
the direct client costs 0.19 ms of CPU a call on this pool against 0.34 ms on aiohttp
(``benchmarks/bench_call_overhead.py``, layers ``ksafe-direct`` and ``ksafe-direct+aiohttp``, an image in each
request), and a POST with its reply parsed ~0.03 ms (aiohttp's request and response objects were ~0.3 ms).
It does what an OpenAI-compatible server needs and nothing more: POST a JSON body to one URL, read a ``Content-Length``,
chunked or until-close reply, keep the connection alive unless the server says ``Connection: close``, and
reopen once, on a fresh connection, a kept-alive socket the server closed before answering (a reply is still
received at most once). No proxies, cookies, redirects or compression: ``openai_direct`` uses aiohttp when a
proxy is configured or the URL is not ``http``/``https``.

Input: the URL, the request headers, a connection limit, an SSL context for ``https``. Output: ``(status,
body bytes)`` per POST. Side effects: TCP (or TLS) connections to the URL's host, at most ``limit`` at once.
Errors are ``ConnectionError`` subclasses (``ksafe.guard.faults`` reads them as ``connection_error``) and
``TimeoutError`` past a POST's ``timeout``; a connection an interrupted POST used is closed.
"""

from __future__ import annotations

import asyncio
import ssl as ssl_module
from urllib.parse import urlsplit

import httptools


class ServerDisconnectedError(ConnectionError):
    """The server closed the connection before the reply was complete."""


class CannotConnectError(ConnectionError):
    """The TCP (or TLS) connection could not be opened (aiohttp's words: ``Cannot connect to host ...``)."""


class BadReplyError(ConnectionError):
    """The reply is not HTTP/1.1 (the parser's words), or its body passes ``MAX_REPLY_BYTES``."""


MAX_REPLY_BYTES = 64 * 1024 * 1024
"""The largest reply body read (a chat completion is kilobytes; a hostile or broken server that streams without
end is cut here, not held in memory until the attempt times out)."""


class _Connection(asyncio.Protocol):
    """One keep-alive connection: one request at a time, the reply parsed as it arrives."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.waiter: asyncio.Future[tuple[int, bytes]] | None = None
        self.chunks: list[bytes] = []
        self.size = 0
        self.status = 0
        self.framed = False
        """The reply has a ``Content-Length`` or is chunked (else its body ends when the connection does)."""
        self.headers_done = False
        self.received = False
        """A byte of the current reply arrived (a reused connection that gets none was closed while idle)."""
        self.keep_alive = False
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.received = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(BadReplyError(f"bad HTTP reply: {exc}"))
            self.close()

    def eof_received(self) -> bool:
        return False  # close the transport (connection_lost follows)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            if self.headers_done and not self.framed:  # an until-close body: the end of the connection ends it
                self.waiter.set_result((self.status, b"".join(self.chunks)))
            else:
                self._fail(ServerDisconnectedError(f"Server disconnected{f': {exc}' if exc else ''}"))

    # httptools callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        lowered = name.lower()
        if lowered == b"content-length" or (lowered == b"transfer-encoding" and b"chunked" in value.lower()):
            self.framed = True

    def on_headers_complete(self) -> None:
        self.status = self.parser.get_status_code()
        self.headers_done = True

    def on_body(self, body: bytes) -> None:
        self.size += len(body)
        if self.size > MAX_REPLY_BYTES:
            self._fail(BadReplyError(f"the reply is larger than {MAX_REPLY_BYTES:,} bytes"))
            self.close()
            return
        self.chunks.append(body)

    def on_message_complete(self) -> None:
        self.keep_alive = self.parser.should_keep_alive()
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result((self.status, b"".join(self.chunks)))

    def _fail(self, exc: Exception) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(exc)

    async def exchange(self, request: bytes, deadline: float | None) -> tuple[int, bytes]:
        """Send one request and wait for its whole reply (``TimeoutError`` at ``deadline``, loop time)."""
        assert self.transport is not None
        loop = asyncio.get_running_loop()
        self.waiter = waiter = loop.create_future()
        self.chunks = []
        self.size = self.status = 0
        self.framed = self.headers_done = self.received = self.keep_alive = False
        # one timer on the loop, not asyncio.timeout's cancellation machinery (a guard call costs ~0.15 ms)
        timer = loop.call_at(deadline, self._expire, waiter) if deadline is not None else None
        self.transport.write(request)
        try:
            return await waiter
        finally:
            self.waiter = None
            if timer is not None:
                timer.cancel()

    @staticmethod
    def _expire(waiter: asyncio.Future[tuple[int, bytes]]) -> None:
        if not waiter.done():
            waiter.set_exception(TimeoutError())

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class Pool:
    """POSTs to one URL over at most ``limit`` keep-alive connections (``limit`` POSTs at once)."""

    def __init__(self, url: str, headers: dict[str, str], limit: int, ssl: ssl_module.SSLContext | None = None) -> None:
        """Args:
        url: ``http://`` or ``https://`` URL every POST goes to.
        headers: Request headers (``Host``, ``Content-Length`` and ``Connection`` are added).
        limit: The most connections (and POSTs in flight) at once.
        ssl: The context of an ``https`` URL (default: the system's CA store, hostnames checked).
        """
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{url}: expected an http:// or https:// URL")
        self.host = parts.hostname
        secure = parts.scheme == "https"
        self.port = parts.port or (443 if secure else 80)
        self.ssl = (ssl or ssl_module.create_default_context()) if secure else None
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        host = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
        if ":" in parts.hostname:  # an IPv6 literal keeps its brackets in Host
            host = f"[{parts.hostname}]" + (f":{parts.port}" if parts.port else "")
        lines = [f"POST {target} HTTP/1.1", f"Host: {host}", *(f"{k}: {v}" for k, v in headers.items())]
        self._head = ("\r\n".join(lines) + "\r\nContent-Length: ").encode("latin-1")
        self._idle: list[_Connection] = []
        self._slots = asyncio.Semaphore(limit)
        self._open: set[_Connection] = set()

    async def _connect(self) -> _Connection:
        loop = asyncio.get_running_loop()
        try:
            _, connection = await loop.create_connection(
                _Connection, self.host, self.port, ssl=self.ssl, server_hostname=self.host if self.ssl else None
            )
        except OSError as exc:
            raise CannotConnectError(
                f"Cannot connect to host {self.host}:{self.port} ssl:{self.ssl is not None} [{exc.strerror or exc}]"
            ) from exc
        self._open.add(connection)
        return connection

    def _reusable(self) -> _Connection | None:
        while self._idle:
            connection = self._idle.pop()
            if not connection.closed and connection.transport is not None and not connection.transport.is_closing():
                return connection
            self._open.discard(connection)
        return None

    async def post(self, body: bytes, timeout: float | None = None) -> tuple[int, bytes]:
        """POST ``body`` (JSON) and return the reply's status and body, within ``timeout`` seconds (waiting
        for a free connection, connecting and the exchange included).

        Raises:
            ConnectionError: the connection could not be opened, broke, or the reply was not HTTP.
            TimeoutError: ``timeout`` passed (the connection in use is closed).
        """
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        request = self._head + b"%d\r\n\r\n%s" % (len(body), body)
        if self._slots.locked():  # every connection busy: wait for one, within the deadline
            async with asyncio.timeout_at(deadline):
                await self._slots.acquire()
        else:
            await self._slots.acquire()  # returns at once
        try:
            connection = self._reusable()
            if connection is not None:
                try:
                    return await self._exchange(connection, request, deadline)
                except ServerDisconnectedError:
                    if connection.received:  # it had begun to answer: not an idle close, the caller retries
                        raise
                    # closed while idle (a keep-alive timeout) before any byte of a reply: once more, fresh
            async with asyncio.timeout_at(deadline):
                connection = await self._connect()
            return await self._exchange(connection, request, deadline)
        finally:
            self._slots.release()

    async def _exchange(self, connection: _Connection, request: bytes, deadline: float | None) -> tuple[int, bytes]:
        try:
            status, data = await connection.exchange(request, deadline)
        except BaseException:  # a failure or a timeout's cancellation: the connection's state is unknown
            connection.close()
            self._open.discard(connection)
            raise
        if connection.keep_alive and not connection.closed:
            self._idle.append(connection)
        else:
            connection.close()
            self._open.discard(connection)
        return status, data

    def close(self) -> None:
        """Close every connection."""
        for connection in self._open:
            connection.close()
        self._open.clear()
        self._idle.clear()
