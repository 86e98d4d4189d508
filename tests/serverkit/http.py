"""The HTTP side every scripted OpenAI-compatible test server shares: a keep-alive request loop that hands each
POSTed JSON body to a route, the standard command-line options, and listening with an atomic port file.

Input: routes (path suffix -> ``async (body, authorization) -> (status, payload)``). Output: JSON responses (a
``bytes`` payload is sent as is, for deliberately broken bodies). Side effects: listens on 127.0.0.1 and writes
the port to ``--port-file`` once listening.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from pathlib import Path
from typing import Any

Route = Callable[[dict[str, Any], str], Awaitable[tuple[int, Any]]]
Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]

REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


def arguments(scripted: str = "--faults") -> argparse.Namespace:
    """The options ``serverkit.run_server`` passes: port file, log, latency, the scripted-behaviour file
    (``scripted``: ``--faults`` or ``--rules``) and the kill -9 hook."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--log", default="")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument(scripted, default="")
    parser.add_argument("--kill-pid-file", default="")
    parser.add_argument("--kill-after", type=int, default=0)
    parser.add_argument("--kill-journal", default="")
    return parser.parse_args()


def journaled_outputs(journal: Path) -> int:
    """How many complete journal lines under ``journal`` (``*/*.jsonl``) record an ``output`` (an answer or
    a verdict) or a ``reply`` (a generator's answer): what a client has stored of the replies it received."""
    count = 0
    for path in journal.glob("*/*.jsonl"):
        try:
            data = path.read_bytes()
        except OSError:
            continue
        for line in data.split(b"\n")[:-1]:  # the last piece is empty or a line still being written
            try:
                record = json.loads(line)
            except ValueError:
                continue
            count += isinstance(record, dict) and ("output" in record or "reply" in record)
    return count


async def wait_gone(pid: int, timeout: float = 60.0) -> None:
    """Wait until process ``pid`` no longer exists (killed and reaped), at most ``timeout`` seconds.

    A test's ``Popen.communicate`` reaps the killed client only once its output pipes close, that is once its
    forked workers (which inherit them) are dead too: until then a worker may still send a request, which is
    in flight at the crash (never received), not one of the next run."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        except PermissionError:  # pragma: no cover - another user's process took the number
            return
        await asyncio.sleep(0.02)


async def grace_before_kill(journal: str, answered: Callable[[], int], timeout: float = 60.0) -> None:
    """Wait until the client has journaled every reply answered so far (``answered()``), at most ``timeout``
    seconds; without a ``journal`` folder, a fixed 0.5 s. Callers hold every request in flight meanwhile, so
    the kill that follows hits requests in flight but never a received, not yet stored reply (a race that a
    fixed grace loses on a loaded machine)."""
    if not journal:
        await asyncio.sleep(0.5)
        return
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if await asyncio.to_thread(journaled_outputs, Path(journal)) >= answered():
            return
        await asyncio.sleep(0.05)


try:  # the servers run with the test environment's interpreter: orjson where installed (~5x faster)
    import orjson

    def _loads(raw: bytes) -> Any:
        try:
            return orjson.loads(raw)
        except ValueError:  # a lone surrogate escape, which orjson refuses: the standard library reads it
            return json.loads(raw)

    def _dumps(value: Any) -> bytes:
        try:
            return orjson.dumps(value)
        except TypeError:  # a lone surrogate (or a type orjson does not know)
            return json.dumps(value).encode()

except ImportError:  # pragma: no cover - the standard library otherwise

    def _loads(raw: bytes) -> Any:
        return json.loads(raw)

    def _dumps(value: Any) -> bytes:
        return json.dumps(value).encode()


def json_line(value: Any) -> bytes:
    """One log line: ``value`` as UTF-8 JSON and a newline."""
    try:
        return _dumps(value) + b"\n"
    except UnicodeEncodeError:  # pragma: no cover - the standard library's encoder with a lone surrogate
        return json.dumps(value).encode() + b"\n"


def _content_length(head: bytes) -> int:
    """The ``Content-Length`` of a request head (0 when absent)."""
    at = head.lower().find(b"\r\ncontent-length:")
    if at < 0:
        return 0
    end = head.find(b"\r\n", at + 2)
    return int(head[at + 17 : end if end >= 0 else None])


def _authorization(head: bytes) -> str:
    """The ``Authorization`` header of a request head ("" when absent)."""
    at = head.lower().find(b"\r\nauthorization:")
    if at < 0:
        return ""
    end = head.find(b"\r\n", at + 2)
    return head[at + 16 : end if end >= 0 else None].decode("latin-1").strip()


async def serve_json(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, routes: Mapping[str, Route]) -> None:
    """Answer one connection's requests, in order, until the client closes it.

    The request head is read in one ``readuntil`` and only the two headers a route needs are looked up: the
    benchmarks drive thousands of requests a second through this loop, on the cores the client also uses.
    """
    try:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                break  # the client closed the connection (between requests, or mid-head)
            length = _content_length(head)
            raw = await reader.readexactly(length) if length else b""
            path = head[: head.find(b"\r\n")].split(b" ")[1].decode("latin-1")
            route = next((route for suffix, route in routes.items() if path.endswith(suffix)), None)
            if route is None:
                status, payload = 404, {"error": {"message": "not found"}}
            else:
                status, payload = await route(_loads(raw or b"{}"), _authorization(head))
            data = payload if isinstance(payload, bytes) else _dumps(payload)
            writer.write(
                b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                b"Connection: keep-alive\r\n\r\n%s" % (status, REASONS.get(status, "Error").encode(), len(data), data)
            )
            if writer.transport.get_write_buffer_size():  # only a slow reader makes the loop wait
                await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


def run(main: Coroutine[Any, Any, None]) -> None:
    """Run a server's ``main`` on uvloop's event loop where installed (the benchmarks' server shares the
    client's cores: its CPU per request is taken from the client), else on asyncio's."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover
        asyncio.run(main)
        return
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main)


async def listen(handle: Handler, port_file: str, backlog: int = 1024) -> None:
    """Serve ``handle`` on a free port of 127.0.0.1 forever; the port goes to ``port_file`` (atomically)."""
    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=backlog)
    tmp = Path(port_file + ".tmp")
    tmp.write_text(str(server.sockets[0].getsockname()[1]))
    tmp.replace(port_file)
    async with server:
        await server.serve_forever()
