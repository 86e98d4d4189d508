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
from collections.abc import Awaitable, Callable, Mapping
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
    return parser.parse_args()


async def serve_json(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, routes: Mapping[str, Route]) -> None:
    """Answer one connection's requests, in order, until the client closes it."""
    try:
        while True:
            request_line = await reader.readline()
            if not request_line:
                break
            headers: dict[str, str] = {}
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b"\n", b""):
                    break
                name, _, value = line.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0"))
            raw = await reader.readexactly(length) if length else b""
            path = request_line.decode("latin-1").split(" ")[1]
            route = next((route for suffix, route in routes.items() if path.endswith(suffix)), None)
            if route is None:
                status, payload = 404, {"error": {"message": "not found"}}
            else:
                status, payload = await route(json.loads(raw or b"{}"), headers.get("authorization", ""))
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            writer.write(
                f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(data)}\r\nConnection: keep-alive\r\n\r\n".encode()
                + data
            )
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def listen(handle: Handler, port_file: str, backlog: int = 1024) -> None:
    """Serve ``handle`` on a free port of 127.0.0.1 forever; the port goes to ``port_file`` (atomically)."""
    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=backlog)
    tmp = Path(port_file + ".tmp")
    tmp.write_text(str(server.sockets[0].getsockname()[1]))
    tmp.replace(port_file)
    async with server:
        await server.serve_forever()
