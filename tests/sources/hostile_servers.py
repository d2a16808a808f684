"""Hand-written hostile servers for the tests of deadlines, memory and the network policy.

Each is an ASGI app run by ``tests.servers.serve_asgi`` on 127.0.0.1; none is a mock.
"""

from __future__ import annotations

import asyncio
import gzip
import socket
import threading
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class SlowDrip:
    """``#EXTM3U\\n`` (or any head), then one byte every ``interval`` seconds, until stopped.

    Each byte arrives well inside any read timeout, so only an overall deadline ends a read.
    """

    def __init__(self, interval: float = 0.2, content_type: bytes = b"audio/x-mpegurl") -> None:
        self.interval = interval
        self.content_type = content_type
        self.stopped = threading.Event()
        self.hits: Counter[str] = Counter()

    def stop(self) -> None:
        self.stopped.set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        path = scope["path"]
        self.hits[path] += 1
        head = b"#EXTM3U\n"
        if path.endswith(".m3u8"):
            head = b"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n"
        elif path.endswith(".ts"):
            head = b"\x47" + b"\0" * 187
        headers = [(b"content-type", self.content_type)]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": head, "more_body": True})
        while not self.stopped.is_set():
            await asyncio.sleep(self.interval)
            await send({"type": "http.response.body", "body": b"#", "more_body": True})
        await send({"type": "http.response.body", "body": b""})


def gzip_bomb(size: int) -> bytes:
    """``size`` zero bytes, gzipped: about a thousandth of that on the wire."""
    return gzip.compress(b"\0" * size, compresslevel=9)


class Bombs:
    """Every path answers the same gzip bomb, announced with its small compressed length."""

    def __init__(self, bomb: bytes) -> None:
        self.bomb = bomb
        self.hits = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        self.hits += 1
        headers = [
            (b"content-encoding", b"gzip"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(self.bomb)).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": self.bomb})


class Canary:
    """Counts every request: any hit means castwatch went where data pointed."""

    def __init__(self) -> None:
        self.hits: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        self.hits.append(scope["path"])
        body = b"\x47" + b"\0" * 187  # one MPEG-TS packet of nothing: not a real stream
        headers = [(b"content-type", b"video/mp2t"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class Pages:
    """Serves fixed bodies by path, and redirects: ``routes[path] = (status, headers, body)``."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, list[tuple[bytes, bytes]], bytes]] = {}
        self.hits: Counter[str] = Counter()

    def page(self, path: str, body: bytes, content_type: bytes = b"text/plain") -> None:
        self.routes[path] = (200, [(b"content-type", content_type)], body)

    def redirect(self, path: str, location: str) -> None:
        self.routes[path] = (302, [(b"location", location.encode())], b"")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        path = scope["path"]
        self.hits[path] += 1
        status, headers, body = self.routes.get(path, (404, [], b"not found"))
        headers = [*headers, (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def closed_port() -> int:
    """A 127.0.0.1 port that nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
