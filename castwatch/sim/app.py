"""The ASGI application of one simulated panel: routing first, then the fault mode on top."""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable

from castwatch.sim.asgi import (
    Receive,
    Reply,
    Scope,
    Send,
    empty_reply,
    html_reply,
    query_params,
    send_reply,
    text_reply,
)
from castwatch.sim.catalog import SimCatalog
from castwatch.sim.config import Fault, SimConfig
from castwatch.sim.faults import (
    ENORMOUS_LENGTH,
    MAINTENANCE_PAGE,
    StreamCounter,
    invalid_body,
    nginx_page,
    pause,
    send_half,
    stream_junk,
)
from castwatch.sim.hls import Answer, ContinuousStream, SimMedia
from castwatch.sim.stalker_app import StalkerPortal
from castwatch.sim.xtream_app import XtreamApi

#: Query parameter that tells the two URLs of a redirect loop apart.
HOP = b"_hop=1"


def _twin(scope: Scope) -> bytes:
    """The other URL of the A -> B -> A loop: this one with :data:`HOP` added or removed."""
    path: bytes = scope.get("raw_path") or scope["path"].encode()
    params = [p for p in scope["query_string"].split(b"&") if p]
    if HOP in params:
        params.remove(HOP)
    else:
        params.append(HOP)
    return path + b"?" + b"&".join(params) if params else path


class SimApp:
    """One simulated panel as a plain ASGI callable (no framework: every request is cheap).

    Handlers turn a request into a :class:`~castwatch.sim.asgi.Reply`; the fault mode then
    decides how that reply reaches the client. To serve a new path, add it to ``routes``
    (exact paths, answered at once) or, for a family of paths that may take time (video is
    encoded on demand), its first segment to ``prefixes``; to add a fault mode, handle it in
    :meth:`_intercept` (answers before routing) or :meth:`_deliver` (changes a routed answer).
    """

    def __init__(self, catalog: SimCatalog, config: SimConfig, base_url: str) -> None:
        self.config = config
        self.xtream = XtreamApi(catalog, config, base_url)
        self.stalker = StalkerPortal(catalog, config, base_url)
        #: Set (from any thread) when the server shuts down: long waits and streams end.
        self.stopping = threading.Event()
        self.media = SimMedia(catalog, config, base_url, self.stopping)
        #: Fault streams running now.
        self.streams = StreamCounter()
        self._seen: set[tuple[str, bytes]] = set()
        #: HTTP requests received so far (tests wait on it to act mid-request).
        self.requests = 0
        portal: Callable[[Scope], Reply] = lambda _: self.stalker.portal_page()  # noqa: E731
        load: Callable[[Scope], Reply] = lambda s: self.stalker.load(query_params(s), s)  # noqa: E731
        self.routes: dict[str, Callable[[Scope], Reply]] = {
            "/get.php": lambda s: self.xtream.get_php(query_params(s)),
            "/playlist.m3u": lambda _: self.xtream.playlist_file(),
            "/player_api.php": lambda s: self.xtream.player_api(query_params(s)),
            "/stalker_portal/c/": portal,
            "/stalker_portal/c/index.html": portal,
            "/stalker_portal/server/load.php": load,
            "/portal.php": load,
        }
        #: Handlers by first path segment (``/live/...``), for paths ``routes`` does not hold.
        self.prefixes: dict[str, Callable[[Scope], Awaitable[Answer]]] = {
            prefix: self.media.handle for prefix in ("live", "hls", "ref", "movie", "series")
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return  # lifespan is switched off and nothing else is spoken
        self.requests += 1
        fault = self.config.fault
        if fault is not None and await self._intercept(fault, scope, send):
            return
        reply = await self._route(scope)
        if isinstance(reply, ContinuousStream):
            if fault is None and scope["method"] != "HEAD":
                await reply.run(send, receive)
                return
            reply = reply.burst  # what HEAD describes, and what the body faults break
        if fault is None or reply.status != 200 or scope["method"] == "HEAD":
            await send_reply(send, reply)
        else:
            await self._deliver(fault, reply, receive, send)

    async def _route(self, scope: Scope) -> Answer:
        path: str = scope["path"]
        route = self.routes.get(path)
        if route is not None:
            return route(scope)
        handler = self.prefixes.get(path[1:].partition("/")[0])
        return await handler(scope) if handler else text_reply(404, "Not Found")

    async def _intercept(self, fault: Fault, scope: Scope, send: Send) -> bool:
        """Faults that act before routing; True when they have answered the request."""
        if fault is Fault.SLOW:
            await pause(self.config.slow_delay, self.stopping)
        elif fault is Fault.ERROR500:
            await send_reply(send, html_reply(500, nginx_page(500, "Internal Server Error")))
            return True
        elif fault is Fault.FLAKY:
            key = (scope["path"], scope["query_string"])
            if key not in self._seen:
                self._seen.add(key)
                page = nginx_page(503, "Service Temporarily Unavailable")
                await send_reply(send, html_reply(503, page))
                return True
        elif fault is Fault.REDIRECT_LOOP:
            await send_reply(send, empty_reply(302, ((b"location", _twin(scope)),)))
            return True
        return False

    async def _deliver(self, fault: Fault, reply: Reply, receive: Receive, send: Send) -> None:
        """Send a routed 200 answer the way the fault mode wants it."""
        broken = reply.kind in ("json", "playlist")
        if fault is Fault.WRONG_CONTENT_TYPE and broken:
            reply = MAINTENANCE_PAGE
        elif fault is Fault.INVALID_JSON and broken:
            reply = invalid_body(reply)
        elif fault is Fault.TRUNCATED:
            await send_half(send, reply)
            return
        elif fault in (Fault.ENORMOUS, Fault.ENDLESS):
            length = ENORMOUS_LENGTH if fault is Fault.ENORMOUS else None
            await stream_junk(
                send, receive, reply, length=length, stopping=self.stopping, counter=self.streams
            )
            return
        await send_reply(send, reply)
