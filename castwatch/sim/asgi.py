"""The few ASGI pieces the simulator needs, written out by hand to keep each request cheap.

Handlers return a :class:`Reply`; :func:`send_reply` writes it. Keeping replies as data,
not as calls to ``send``, is what lets the fault modes rewrite any answer in one place.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qsl, unquote

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

#: What a body is, as far as the fault modes care: they break JSON and playlists.
BodyKind = Literal["json", "playlist", "page", "text"]
JSON_TYPE = b"application/json"
PLAYLIST_TYPE = b"audio/x-mpegurl"
HTML_TYPE = b"text/html; charset=UTF-8"
TEXT_TYPE = b"text/plain; charset=utf-8"
#: Bodies go out in slices of this size so that a slow reader pushes back on the server.
SLICE = 1 << 20


@dataclass(frozen=True, slots=True)
class Reply:
    """One answer: status, type, body pieces (sent in order) and what kind of body it is."""

    status: int
    content_type: bytes
    pieces: tuple[bytes, ...]
    kind: BodyKind
    headers: tuple[tuple[bytes, bytes], ...] = ()

    @property
    def length(self) -> int:
        return sum(len(piece) for piece in self.pieces)

    @property
    def body(self) -> bytes:
        """The whole body in one piece (tests and small answers)."""
        return b"".join(self.pieces)


def json_reply(body: bytes) -> Reply:
    return Reply(200, JSON_TYPE, (body,), "json")


def text_reply(status: int, text: str, kind: BodyKind = "text") -> Reply:
    return Reply(status, TEXT_TYPE, (text.encode(),), kind)


def html_reply(status: int, html: str) -> Reply:
    return Reply(status, HTML_TYPE, (html.encode(),), "page")


def empty_reply(status: int, headers: tuple[tuple[bytes, bytes], ...] = ()) -> Reply:
    return Reply(status, TEXT_TYPE, (), "text", headers)


def query_params(scope: Scope) -> dict[str, str]:
    """The query string as a dict; the last of repeated keys wins, as in PHP."""
    raw: bytes = scope["query_string"]
    return dict(parse_qsl(raw.decode("latin-1"), keep_blank_values=True)) if raw else {}


def header(scope: Scope, name: bytes) -> str | None:
    """One request header (``name`` in lower case), or None."""
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def slices(pieces: Iterable[bytes]) -> Iterable[bytes]:
    """The pieces cut to at most :data:`SLICE` bytes each."""
    for piece in pieces:
        if len(piece) <= SLICE:
            yield piece
        else:
            view = memoryview(piece)
            for start in range(0, len(piece), SLICE):
                yield bytes(view[start : start + SLICE])


async def send_start(
    send: Send,
    status: int,
    content_type: bytes,
    length: int | None,
    extra: Iterable[tuple[bytes, bytes]] = (),
) -> None:
    """Send the status line and headers; ``length`` None means a chunked body."""
    headers = [(b"content-type", content_type), *extra]
    if length is not None:
        headers.append((b"content-length", b"%d" % length))
    await send({"type": "http.response.start", "status": status, "headers": headers})


async def send_reply(send: Send, reply: Reply) -> None:
    """Send a whole reply, its body in slices."""
    await send_start(send, reply.status, reply.content_type, reply.length, reply.headers)
    if len(reply.pieces) == 1 and len(reply.pieces[0]) <= SLICE:
        # The hot path (every API answer): one message, no generator.
        await send({"type": "http.response.body", "body": reply.pieces[0]})
        return
    for piece in slices(reply.pieces):
        await send({"type": "http.response.body", "body": piece, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


def decode_cookie(value: str | None) -> Mapping[str, str]:
    """``a=1; b=2`` as a dict, values percent-decoded (MAG boxes encode the colons)."""
    if not value:
        return {}
    pairs = (part.strip().partition("=") for part in value.split(";"))
    return {name: unquote(raw) for name, _, raw in pairs if name}
