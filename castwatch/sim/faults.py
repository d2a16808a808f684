"""The bodies and streams of the fault modes, and the guards that keep them harmless.

The streaming faults (``enormous``, ``endless``) send junk for as long as someone reads it;
:class:`DisconnectWatch` notices when the reader leaves so that a stream never spins on a
dead connection, and :class:`StreamCounter` lets tests see that it stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from enum import Enum
from random import Random

from castwatch.sim.asgi import HTML_TYPE, BodyKind, Receive, Reply, Send, send_start
from castwatch.sim.config import Fault

#: The size the ``enormous`` fault announces.
ENORMOUS_LENGTH = 2 * 1024**3
_JUNK_SLICE = 1 << 20


class Account(Enum):
    """What the panel thinks of the advertised account under the current fault mode."""

    ACTIVE = "active"
    REFUSED = "refused"
    BANNED = "banned"


def account_state(fault: Fault | None) -> Account:
    if fault is Fault.WRONG_CREDENTIALS:
        return Account.REFUSED
    if fault is Fault.BANNED:
        return Account.BANNED
    return Account.ACTIVE


def nginx_page(status: int, reason: str) -> str:
    """The error page most panels' nginx front serves."""
    title = f"{status} {reason}"
    return (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    )


#: What ``wrong-content-type`` answers instead of JSON or a playlist: a page for people.
MAINTENANCE_PAGE = Reply(
    200,
    HTML_TYPE,
    (
        b"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>Maintenance</title></head>\n"
        b"<body><h1>Back soon</h1><p>The service is under maintenance.</p></body></html>\n",
    ),
    "page",
)


def invalid_body(reply: Reply) -> Reply:
    """Broken JSON (a cut document, then a PHP notice), or binary garbage for a playlist."""
    if reply.kind == "playlist":
        return Reply(200, reply.content_type, (Random(404).randbytes(64 * 1024),), "playlist")
    body = reply.body
    cut = max(1, len(body) // 2)
    while cut < len(body) and body[cut] & 0xC0 == 0x80:
        cut += 1  # stay on a character boundary: the body is broken JSON, not broken UTF-8
    # Any proper prefix of a JSON document is invalid, and the notice makes sure of it.
    return Reply(200, reply.content_type, (body[:cut] + _PHP_NOTICE,), "json")


_PHP_NOTICE = b"<br />\n<b>Notice</b>:  Undefined index: stream_id in <b>player_api.php</b><br />\n"


def junk(kind: BodyKind) -> tuple[bytes, bytes]:
    """(first slice, repeated slice) of plausible junk, each about 1 MiB."""
    if kind == "json":
        head = b"["
        unit = (
            b'{"num":1,"name":"JUNK","stream_type":"live","stream_id":1,"stream_icon":"",'
            b'"epg_channel_id":null,"added":"1600000000","category_id":"1"},'
        )
    elif kind == "playlist":
        head = b"#EXTM3U\n"
        unit = b'#EXTINF:-1 tvg-id="" group-title="JUNK",JUNK\nhttp://127.0.0.1/live/a/b/1.ts\n'
    else:
        head = b"<html><body>"
        unit = b"<p>junk</p>\n"
    repeated = unit * (_JUNK_SLICE // len(unit))
    return head + repeated, repeated


class StreamCounter:
    """How many fault streams are running now; tests read it to see that streams stop."""

    def __init__(self) -> None:
        self.active = 0


class DisconnectWatch:
    """Reads ``receive`` in the background and records when the client goes away.

    Needed because uvicorn's ``send`` returns silently once the client is gone: a loop
    that only sends would spin for ever on a dead connection.
    """

    def __init__(self, receive: Receive) -> None:
        self.gone = False
        self._task = asyncio.ensure_future(self._watch(receive))

    async def _watch(self, receive: Receive) -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        self.gone = True

    async def close(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


async def stream_junk(
    send: Send,
    receive: Receive,
    reply: Reply,
    *,
    length: int | None,
    stopping: threading.Event,
    counter: StreamCounter,
) -> None:
    """Stream junk of the reply's kind: ``length`` bytes (announced), or without end if None.

    Stops when the client leaves or the server shuts down; on shutdown an endless body is
    ended properly, an announced one is left short (the connection closes).
    """
    first, repeated = junk(reply.kind)
    await send_start(send, 200, reply.content_type, length)
    watch = DisconnectWatch(receive)
    counter.active += 1
    sent, piece = 0, first
    try:
        while not watch.gone and not stopping.is_set():
            if length is not None and sent + len(piece) >= length:
                await send({"type": "http.response.body", "body": piece[: length - sent]})
                return
            await send({"type": "http.response.body", "body": piece, "more_body": True})
            sent += len(piece)
            piece = repeated
            # A send to a dead connection returns without yielding; yield so the watch runs.
            await asyncio.sleep(0)
        if length is None and not watch.gone:
            await send({"type": "http.response.body", "body": b""})
    finally:
        counter.active -= 1
        await watch.close()


async def send_half(send: Send, reply: Reply) -> None:
    """Announce the whole body, send its first half, and stop: the connection then closes."""
    body = reply.body
    await send_start(send, reply.status, reply.content_type, len(body), reply.headers)
    half = len(body) // 2
    for start in range(0, half, _JUNK_SLICE):
        chunk = body[start : min(half, start + _JUNK_SLICE)]
        await send({"type": "http.response.body", "body": chunk, "more_body": True})


async def pause(seconds: float, stopping: threading.Event) -> None:
    """Sleep ``seconds``, waking early if the server shuts down."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not stopping.is_set():
        left = deadline - loop.time()
        if left <= 0:
            return
        await asyncio.sleep(min(left, 0.05))


class _ExpectedCutFilter(logging.Filter):
    """Drops uvicorn's complaint about a response ended short, which these faults do on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != "ASGI callable returned without completing response."


_CUT_FILTER = _ExpectedCutFilter()
_cut_lock = threading.Lock()
_cut_users = 0


def expect_cut_responses(on: bool) -> None:
    """Install (or, after the last server that asked, remove) the filter on uvicorn's log."""
    global _cut_users
    with _cut_lock:
        _cut_users += 1 if on else -1
        logger = logging.getLogger("uvicorn.error")
        if _cut_users > 0:
            logger.addFilter(_CUT_FILTER)
        else:
            logger.removeFilter(_CUT_FILTER)
