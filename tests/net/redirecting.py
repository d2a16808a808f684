"""A tiny ASGI app for policy tests: ``/r`` redirects to another name for this server."""

from __future__ import annotations

from typing import Any


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """``/r``: 302 to ``http://localhost:PORT/x`` (another host, the same loopback server)."""
    if scope["type"] != "http":
        return
    port = scope["server"][1]
    if scope["path"] == "/r":
        headers = [(b"location", f"http://localhost:{port}/x".encode()), (b"content-length", b"0")]
        await send({"type": "http.response.start", "status": 302, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    body = b"hello, " + scope["path"].encode()
    headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
