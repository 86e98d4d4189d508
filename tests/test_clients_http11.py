"""The direct clients' lean HTTP/1.1 pool (``ksafe.clients.http11``) against aiohttp's web server and raw
scripted sockets: framing (Content-Length, chunked, until close), keep-alive and ``Connection: close``, a
kept-alive socket the server closed, timeouts, TLS, and aiohttp taking over behind a proxy."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from ksafe.clients.codec import dumps, loads
from ksafe.clients.http11 import CannotConnectError, Pool, ServerDisconnectedError
from ksafe.guard.faults import classify_fault

Script = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def read_request(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    """One request's head and body (Content-Length framed), or (b"", b"") at end of file."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return b"", b""
    length = next(
        (int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), 0
    )
    return head, await reader.readexactly(length)


async def raw_server(script: Script) -> tuple[asyncio.Server, str]:
    server = await asyncio.start_server(script, "127.0.0.1", 0)
    return server, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/v1/chat/completions"


async def aiohttp_server(handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> tuple[Any, str]:
    app = web.Application()
    app.router.add_post("/v1/chat/completions", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}/v1/chat/completions"


def test_posts_to_aiohttps_server_reusing_kept_alive_connections() -> None:
    peers: list[Any] = []
    seen: list[dict[str, Any]] = []

    async def echo(request: web.Request) -> web.Response:
        peers.append(request.transport.get_extra_info("peername") if request.transport else None)
        body = await request.json()
        seen.append({"auth": request.headers.get("Authorization"), "host": request.headers.get("Host"), **body})
        return web.json_response({"echo": body["n"], "text": "한국어"})

    urls: list[str] = []

    async def main() -> list[tuple[int, bytes]]:
        runner, url = await aiohttp_server(echo)
        urls.append(url)
        pool = Pool(url, {"Authorization": "Bearer k", "Content-Type": "application/json"}, limit=2)
        try:
            return list(await asyncio.gather(*(pool.post(dumps({"n": n})) for n in range(20))))
        finally:
            pool.close()
            await runner.cleanup()

    replies = asyncio.run(main())
    assert [loads(body) for _, body in replies] == [{"echo": n, "text": "한국어"} for n in range(20)]
    assert {status for status, _ in replies} == {200}
    assert len(set(peers)) <= 2  # at most `limit` connections, each used again
    assert {s["auth"] for s in seen} == {"Bearer k"}
    assert {s["host"] for s in seen} == {urls[0].split("/")[2]}


def test_a_chunked_reply_and_an_error_status_are_read_whole() -> None:
    async def chunked(request: web.Request) -> web.StreamResponse:
        await request.read()
        response = web.StreamResponse(status=503)
        response.enable_chunked_encoding()
        await response.prepare(request)
        for part in (b'{"error": ', b'{"message": "busy"', b"}}"):
            await response.write(part)
        await response.write_eof()
        return response

    async def main() -> tuple[int, bytes]:
        runner, url = await aiohttp_server(chunked)
        pool = Pool(url, {}, limit=1)
        try:
            await pool.post(b"{}")
            return await pool.post(b"{}")  # the second on the same connection: the first was read to its end
        finally:
            pool.close()
            await runner.cleanup()

    assert asyncio.run(main()) == (503, b'{"error": {"message": "busy"}}')


def test_connection_close_and_until_close_replies_open_a_new_connection_each() -> None:
    connections: list[int] = []

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        _, body = await read_request(reader)
        if len(connections) % 2:  # framed, but the server closes: Connection: close
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
        else:  # HTTP/1.0 style: no length, the body ends with the connection
            writer.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + body)
        await writer.drain()
        writer.close()

    async def main() -> list[tuple[int, bytes]]:
        server, url = await raw_server(script)
        pool = Pool(url, {}, limit=1)
        async with server:
            try:
                return [await pool.post(b'{"n": %d}' % n) for n in range(4)]
            finally:
                pool.close()

    assert asyncio.run(main()) == [(200, b'{"n": %d}' % n) for n in range(4)]
    assert len(connections) == 4


def test_a_kept_alive_socket_closed_by_the_server_is_retried_once_on_a_fresh_connection() -> None:
    answered: list[bytes] = []
    connections: list[int] = []

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(len(connections))
        drop_while_idle, drop_on_arrival = len(connections) == 1, len(connections) == 2
        here = 0
        while True:
            head, body = await read_request(reader)
            if not head:
                break
            if drop_on_arrival and here:  # the race: the next request meets the server's keep-alive close
                writer.transport.abort()
                return
            answered.append(body)
            here += 1
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            await writer.drain()
            if drop_while_idle:  # keep-alive advertised, then the idle socket is dropped
                await asyncio.sleep(0.05)
                writer.transport.abort()
                return

    async def main() -> list[tuple[int, bytes]]:
        server, url = await raw_server(script)
        pool = Pool(url, {}, limit=1)
        async with server:
            try:
                first = await pool.post(b"1")
                await asyncio.sleep(0.1)  # the close reached the client while the connection was idle
                second = await pool.post(b"2")  # a fresh connection (the closed one is not reused)
                third = await pool.post(b"3")  # sent on the kept-alive one, dropped unanswered: once more, fresh
                return [first, second, third]
            finally:
                pool.close()

    assert asyncio.run(main()) == [(200, b"1"), (200, b"2"), (200, b"3")]
    assert answered == [b"1", b"2", b"3"]  # each answered once
    assert len(connections) == 3


def test_a_reply_cut_short_is_an_error_the_caller_retries_and_a_hung_one_times_out() -> None:
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        _, body = await read_request(reader)
        if body == b"cut":
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{")
            await writer.drain()
            writer.transport.abort()
        elif body == b"hang":
            await asyncio.sleep(5)
        else:
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            await writer.drain()

    async def main() -> list[Any]:
        server, url = await raw_server(script)
        pool = Pool(url, {}, limit=1)
        outcomes: list[Any] = []
        async with server:
            try:
                for body in (b"cut", b"hang", b"fine"):
                    try:
                        outcomes.append(await pool.post(body, timeout=0.3))
                    except (ConnectionError, TimeoutError) as exc:
                        outcomes.append(type(exc))
                # the one connection is busy with a hung request: a second POST's wait for it times out too
                hung = asyncio.ensure_future(pool.post(b"hang", timeout=2))
                await asyncio.sleep(0.05)
                started = asyncio.get_running_loop().time()
                try:
                    await pool.post(b"fine", timeout=0.2)
                except TimeoutError:
                    outcomes.append(("waited", round(asyncio.get_running_loop().time() - started, 1)))
                hung.cancel()
                outcomes.append(await pool.post(b"fine", timeout=1))  # the slot came back
            finally:
                pool.close()
        return outcomes

    assert asyncio.run(main()) == [ServerDisconnectedError, TimeoutError, (200, b"ok"), ("waited", 0.2), (200, b"ok")]


def test_a_refused_connection_is_a_connection_error_fault() -> None:
    async def main() -> BaseException:
        server, url = await raw_server(lambda r, w: asyncio.sleep(0))
        server.close()
        await server.wait_closed()
        pool = Pool(url, {}, limit=1)
        with pytest.raises(CannotConnectError) as caught:
            await pool.post(b"{}")
        return caught.value

    error = asyncio.run(main())
    assert str(error).startswith("Cannot connect to host 127.0.0.1:")
    assert classify_fault(error)[0] == "connection_error"
    assert classify_fault(ServerDisconnectedError("Server disconnected"))[0] == "connection_error"


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make a certificate")
def test_https_with_the_servers_certificate_checked(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"],
        check=True, capture_output=True,
    )  # fmt: skip
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        _, body = await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        await writer.drain()
        writer.close()

    async def main() -> tuple[tuple[int, bytes], type]:
        server = await asyncio.start_server(script, "127.0.0.1", 0, ssl=server_context)
        url = f"https://localhost:{server.sockets[0].getsockname()[1]}/v1/chat/completions"
        async with server:
            trusted = Pool(url, {}, limit=1, ssl=ssl.create_default_context(cafile=str(cert)))
            answered = await trusted.post(b'{"tls": 1}')
            trusted.close()
            untrusted = Pool(url, {}, limit=1)  # the system's CA store does not know this certificate
            try:
                await untrusted.post(b"{}")
            except ConnectionError as exc:
                refused: type = type(exc)
            untrusted.close()
        return answered, refused

    answered, refused = asyncio.run(main())
    assert answered == (200, b'{"tls": 1}')
    assert refused is CannotConnectError


def test_direct_generate_goes_through_aiohttp_behind_a_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    from inspect_ai.model import ChatMessageUser

    from ksafe.clients.openai_direct import direct_generate
    from ksafe.evaluation.engine import GenerateOptions

    lines: list[bytes] = []
    reply = dumps({"choices": [{"message": {"content": "safe"}, "finish_reason": "stop"}], "model": "m"})

    async def proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            head, _ = await read_request(reader)
            if not head:
                break
            lines.append(head.split(b"\r\n")[0])
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(reply), reply))
            await writer.drain()
        writer.close()

    async def main() -> list[str]:
        server, url = await raw_server(proxy)
        monkeypatch.setenv("HTTP_PROXY", url.rsplit("/v1", 1)[0])
        monkeypatch.setenv("NO_PROXY", "")
        monkeypatch.setenv("FAKEP_BASE_URL", "http://guard.invalid:8000/v1")
        monkeypatch.setenv("FAKEP_API_KEY", "k")
        async with server, direct_generate("openai-api/fakep/m", GenerateOptions(max_connections=2)) as generate:
            outputs = [await generate([ChatMessageUser(content="hi")]) for _ in range(2)]
        return [o.completion for o in outputs]

    assert asyncio.run(main()) == ["safe", "safe"]
    assert lines == [b"POST http://guard.invalid:8000/v1/chat/completions HTTP/1.1"] * 2  # absolute form: the proxy


def test_the_lean_pool_is_used_only_without_a_proxy_for_an_http_url(monkeypatch: pytest.MonkeyPatch) -> None:
    from ksafe.clients.openai_direct import _lean_usable, _proxy_for

    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    url = "http://guard.example:8000/v1/chat/completions"
    assert _lean_usable(url, _proxy_for(url))
    assert not _lean_usable("unix:///run/guard.sock", None)
    monkeypatch.setenv("ALL_PROXY", "socks5://proxy.example:1080")
    assert not _lean_usable(url, _proxy_for(url))
    monkeypatch.setenv("NO_PROXY", "guard.example")
    assert _lean_usable(url, _proxy_for(url))
    monkeypatch.delenv("ALL_PROXY")
    monkeypatch.delenv("NO_PROXY")
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert _lean_usable(url, _proxy_for(url))  # the proxy of https URLs only
    assert not _lean_usable(url.replace("http:", "https:"), _proxy_for(url.replace("http:", "https:")))


def test_a_reply_without_end_is_cut_at_the_size_limit_not_held_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    import ksafe.clients.http11 as http11

    monkeypatch.setattr(http11, "MAX_REPLY_BYTES", 64 * 1024)

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        try:
            while True:  # a hostile server: chunks without end
                writer.write(b"1000\r\n" + b"x" * 4096 + b"\r\n")
                await writer.drain()
        except (ConnectionError, OSError):
            pass

    async def main() -> Any:
        server, url = await raw_server(script)
        pool = Pool(url, {}, limit=1)
        async with server:
            try:
                await pool.post(b"{}", timeout=5)
            except ConnectionError as exc:
                return exc
            finally:
                pool.close()
        return None

    failure = asyncio.run(main())
    assert isinstance(failure, http11.BadReplyError) and "larger than" in str(failure)
    assert classify_fault(failure)[1] == "BadReplyError: the reply is larger than 65,536 bytes"  # a journaled fault
