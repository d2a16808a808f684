"""A small HTTP/1.1 server on asyncio: many loopback addresses, TLS chosen by SNI.

The ecosystem serves dozens of sites on a few dozen 127.0.x.y addresses, each address with
one plain and one TLS listener, and picks a site by the Host header (the certificate by
SNI), as a shared host or a CDN edge does. One answer per connection (``Connection:
close``) keeps it short; the hostile answers (a slow first byte, an endless body) are the
reason it is written out rather than borrowed from uvicorn.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

_HEAD_LIMIT = 16 * 1024
_REASONS = {
    200: "OK",
    301: "Moved Permanently",
    302: "Found",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    500: "Internal Server Error",
}
#: An endless body stops here even if the client never does.
_ENDLESS_LIMIT = 256 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Request:
    host: str  # Host header without the port, lower case
    path: str
    query: dict[str, str]
    local_address: str
    tls: bool


@dataclass(slots=True)
class Answer:
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    #: Seconds to wait before the first byte (a slow server).
    delay: float = 0.0
    #: Junk bytes sent after ``body`` without a length (an enormous page).
    endless: bool = False


App = Callable[[Request], Awaitable[Answer]]


class WebServer:
    """Listeners on ``(address, port, tls)``; ``app`` answers every request."""

    def __init__(self, app: App, tls_context: ssl.SSLContext | None) -> None:
        self.app = app
        self.tls_context = tls_context
        self._servers: list[asyncio.Server] = []
        self._tasks: set[asyncio.Task[None]] = set()

    async def listen(self, address: str, port: int, tls: bool) -> int:
        """Listen on ``address:port`` (0: any free port); returns the port."""
        context = self.tls_context if tls else None

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            assert task is not None
            self._tasks.add(task)
            try:
                await self._handle(reader, writer, address, tls)
            finally:
                self._tasks.discard(task)

        if context is None:
            server = await asyncio.start_server(handle, address, port, reuse_address=True)
        else:
            server = await asyncio.start_server(
                handle, address, port, ssl=context, reuse_address=True, ssl_handshake_timeout=10
            )
        self._servers.append(server)
        return int(server.sockets[0].getsockname()[1])

    async def _handle(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, address: str, tls: bool
    ) -> None:
        try:
            async with asyncio.timeout(15):
                head = await reader.readuntil(b"\r\n\r\n")
            request = _parse(head, address, tls)
            answer = await self.app(request) if request else Answer(400, body=b"bad request")
            if answer.delay:
                await asyncio.sleep(answer.delay)
            writer.write(_head(answer))
            writer.write(answer.body)
            await writer.drain()
            sent = 0
            junk = b"<p>" + b"x" * 65_530 + b"</p>\n"
            while answer.endless and sent < _ENDLESS_LIMIT:
                writer.write(junk)
                await writer.drain()
                sent += len(junk)
        except (
            TimeoutError,
            ConnectionError,
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
            ssl.SSLError,
        ):
            pass  # a client that hangs up or sends garbage: nothing to answer
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def stop(self) -> None:
        for server in self._servers:
            server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for server in self._servers:
            await server.wait_closed()
        self._servers.clear()


def _parse(head: bytes, address: str, tls: bool) -> Request | None:
    if len(head) > _HEAD_LIMIT:
        return None
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3:
        return None
    host = ""
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "host":
            host = value.strip().lower()
    # "[::1]:8080" or "name:8080": the port goes, the brackets of an IPv6 literal too.
    host = host[1:].partition("]")[0] if host.startswith("[") else host.partition(":")[0]
    target = urlsplit(parts[1])
    return Request(
        host.rstrip("."), target.path or "/", dict(parse_qsl(target.query)), address, tls
    )


def _head(answer: Answer) -> bytes:
    lines = [f"HTTP/1.1 {answer.status} {_REASONS.get(answer.status, 'OK')}"]
    headers = {"Content-Type": answer.content_type, "Connection": "close", **answer.headers}
    if not answer.endless:
        headers["Content-Length"] = str(len(answer.body))
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
