"""HTTP for hostile servers: size caps, deadlines, retries with backoff, a request-rate ceiling.

Every request of every stage goes through :class:`HttpClient`, built from the policy in
:class:`~castwatch.net.policy.FetchOptions`, so every caller gets the same defences:
an enormous or endless body stops at ``max_bytes``, and all answers in flight together at the
process budget (:mod:`.budget`); a silent server at the read timeout (``--timeout``) and a
slow-drip one at the overall deadline (``--deadline``), whether the body is read whole
(``get``, ``peek``) or streamed (``stream``); a redirect loop at ten hops (or each hop
answered to the caller, ``follow_redirects=False``), a flaky 5xx after
a few retries; a URL from data pointing at a private address at the network policy
(:mod:`.policy`, checked on every connection, redirect hops included); and no error
message ever shows credentials. httpx does the HTTP; this module adds the policy httpx
leaves to its callers.
"""

from __future__ import annotations

import asyncio
import gc
import ssl
import sys
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, AsyncIterator, Coroutine, Iterator, Mapping
from contextlib import aclosing, asynccontextmanager, contextmanager
from dataclasses import dataclass
from http.cookiejar import CookieJar
from typing import Any, Self, TypeVar

import httpcore
import httpx
import orjson

from castwatch.catalog.credentials import redact_url
from castwatch.errors import (
    BlockedByPolicy,
    FetchError,
    HttpStatusError,
    ProtocolError,
    RedirectLoop,
    ResponseTooLarge,
    SourceTimeout,
)
from castwatch.net.budget import ByteBudget, Hold, process_budget
from castwatch.net.decoding import ACCEPT_ENCODING, CorruptEncoding, decoded_chunks
from castwatch.net.errors import map_httpx_errors
from castwatch.net.policy import FetchOptions, NetPolicy
from castwatch.net.transport import PinnedResolver, PolicyBackend

_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 520, 521, 522, 524})
#: The answers a POST counts as accepted.
_SUCCESS = frozenset(range(200, 300))
T = TypeVar("T")


@dataclass(slots=True)
class Response:
    """A complete, size-checked answer."""

    url: str
    status: int
    content_type: str | None
    body: bytes
    headers: Mapping[str, str]
    #: ``(status, url)`` of each redirect hop followed before this answer.
    redirects: tuple[tuple[int, str], ...] = ()
    #: The body was cut at the caller's limit (:meth:`HttpClient.peek` with ``truncate``).
    truncated: bool = False

    def json(self) -> Any:
        """The body as JSON; :class:`ProtocolError` naming the URL when it is not."""
        return parse_json(self.body, self.url, self.content_type)


def is_retriable(exc: FetchError) -> bool:
    """Whether another attempt may cure ``exc``: 5xx/429, timeouts, dropped connections.

    A capped body, a redirect loop or a policy refusal would fail the same way again; other
    statuses (401, 404...) are answers, not accidents.
    """
    if isinstance(exc, ResponseTooLarge | RedirectLoop | BlockedByPolicy):
        return False
    return not isinstance(exc, HttpStatusError) or exc.status in _RETRY_STATUSES


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector for a read that builds many long-lived objects.

    A full read makes hundreds of thousands of objects that live as long as the inventory and
    sit in no cycle; repeated full collections re-walk them for nothing, which costs about as
    much as the parsing. The next collection after the read reclaims what little cyclic
    garbage HTTP leaves behind.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def run_sync(work: Coroutine[Any, Any, T]) -> T:
    """Run ``work`` to completion on a fresh event loop and return its result.

    Unlike a bare ``asyncio.run``, the result never becomes the loop's main-task result:
    on Python 3.11, restoring the SIGINT handler at exit builds an error message holding the
    full ``repr`` of that task, result included, which for a 200,000-entry inventory takes
    seconds. The cyclic garbage collector is paused meanwhile (:func:`paused_gc`: about a
    second saved per full Xtream read).
    """
    outcome: list[T] = []

    async def main() -> None:
        outcome.append(await work)

    with paused_gc():
        asyncio.run(main())
    return outcome[0]


def parse_json(body: bytes, url: str, content_type: str | None = None) -> Any:
    """Decode JSON, explaining the usual pirate-panel failure modes in the error."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        head = body[:200].lstrip().lower()
        if head.startswith((b"<!doctype", b"<html", b"<")):
            what = "an HTML page (a login wall, a block page or the wrong URL?)"
        elif not body.strip():
            what = "an empty body"
        else:
            what = f"invalid JSON ({exc})"
        ctype = f", content-type {content_type}" if content_type else ""
        raise ProtocolError(f"expected JSON but got {what}{ctype}", redact_url(url)) from None


class RateLimiter:
    """Spaces request starts at least ``1 / max_rps`` seconds apart (0 disables)."""

    def __init__(self, max_rps: float) -> None:
        self._interval = 1.0 / max_rps if max_rps > 0 else 0.0
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        if not self._interval:
            return
        async with self._lock:
            now = time.monotonic()
            delay = self._next - now
            self._next = max(now, self._next) + self._interval
        if delay > 0:
            await asyncio.sleep(delay)


class AsyncClosing(ABC):
    """A client ``async with`` closes on the way out; a subclass defines :meth:`aclose`."""

    @abstractmethod
    async def aclose(self) -> None:
        """Release the connections held."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class HttpClient(AsyncClosing):
    """An async HTTP client with castwatch's limits. Use as ``async with HttpClient(opts)``.

    ``policy`` is the network policy (shared when several clients read one service, as the
    HLS client's do); by default it is made from ``options.trusted_urls`` and
    ``options.allow_private_networks``. ``budget`` defaults to the process's. ``resolver``
    pins names to the addresses it gives (attribution asks the investigation's own DNS
    server); the URL keeps the name, so TLS sends it as SNI and HTTP as the Host header.
    """

    def __init__(
        self,
        options: FetchOptions,
        *,
        headers: Mapping[str, str] | None = None,
        cookies: Mapping[str, str] | None = None,
        policy: NetPolicy | None = None,
        budget: ByteBudget | None = None,
        resolver: PinnedResolver | None = None,
    ) -> None:
        self.options = options
        self.resolver = resolver
        self.policy = policy or NetPolicy.for_urls(
            options.trusted_urls, options.allow_private_networks
        )
        self.budget = budget or process_budget()
        self._headers = {
            "User-Agent": options.user_agent,
            "Accept": "*/*",
            "Accept-Encoding": ACCEPT_ENCODING,
            **(headers or {}),
        }
        # One cookie jar for every connection, so cookies a server sets hold for the session.
        self._cookies = httpx.Cookies(CookieJar())
        for name, value in (cookies or {}).items():
            self._cookies.set(name, value)
        self._ssl_context: ssl.SSLContext | None = None
        # One single-connection httpx client per slot, made on first need. httpcore's shared
        # pool rescans every connection (a poll() each) for every request: at thousands of
        # small API calls that cost more CPU than the calls themselves. A request holds a
        # slot while it holds a client, so a free client always exists.
        self._idle: list[httpx.AsyncClient] = []
        self._clients: list[httpx.AsyncClient] = []
        self._slots = asyncio.Semaphore(max(1, options.concurrency))
        self._rate = RateLimiter(options.max_rps)
        self.requests = 0

    async def aclose(self) -> None:
        """Close every connection; the client may be used again (it reconnects)."""
        for client in self._clients:
            await client.aclose()
        self._clients.clear()
        self._idle.clear()

    def _take_client(self) -> httpx.AsyncClient:
        if self._idle:
            return self._idle.pop()
        if self._ssl_context is None:
            # Loading the CA bundle is slow: once per HttpClient, not once per connection.
            self._ssl_context = (
                httpx.create_ssl_context() if self.options.verify_tls else insecure_context()
            )
        transport = httpx.AsyncHTTPTransport(
            verify=self._ssl_context,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        )
        # httpx has no option for the network backend: the pool is rebuilt with the one that
        # applies the network policy where connections open (every redirect hop included).
        transport._pool = httpcore.AsyncConnectionPool(
            ssl_context=self._ssl_context,
            max_connections=1,
            max_keepalive_connections=1,
            network_backend=PolicyBackend(self.policy, resolver=self.resolver),
        )
        client = httpx.AsyncClient(
            headers=self._headers,
            cookies=self._cookies.jar,
            timeout=httpx.Timeout(self.options.timeout),
            follow_redirects=self.options.follow_redirects,
            max_redirects=self.options.max_redirects,
            transport=transport,
        )
        self._clients.append(client)
        return client

    async def get(
        self,
        url: str,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
        ok: frozenset[int] = frozenset({200}),
    ) -> Response:
        """GET with retries; raises :class:`HttpStatusError` for a status outside ``ok``."""
        attempt = 0
        while True:
            try:
                async with self._slots:
                    await self._rate.wait()
                    # asyncio.timeout, not wait_for: no extra task per request.
                    async with asyncio.timeout(self.options.deadline):
                        return await self._get_once(url, params, headers, ok)
            except FetchError as exc:
                if not is_retriable(exc) or attempt >= self.options.retries:
                    raise
            except TimeoutError:
                if attempt >= self.options.retries:
                    raise self._past_deadline(url) from None
            await asyncio.sleep(self.options.backoff * (2**attempt))
            attempt += 1

    async def post(
        self, url: str, body: bytes, headers: Mapping[str, str] | None = None
    ) -> Response:
        """POST ``body`` once; :class:`HttpStatusError` for an answer outside 2xx.

        No retries: a POST may not be idempotent, so the caller decides (the alert outbox
        re-sends on its own schedule).
        """
        async with self._slots:
            await self._rate.wait()
            try:
                async with asyncio.timeout(self.options.deadline):
                    return await self._get_once(
                        url, None, headers, _SUCCESS, method="POST", content=body
                    )
            except TimeoutError:
                raise self._past_deadline(url) from None

    def _past_deadline(self, url: str) -> SourceTimeout:
        # The read timeout only bounds the gap between bytes: a server dripping one byte
        # every few seconds never trips it. The deadline bounds the whole exchange.
        return SourceTimeout(
            f"no complete answer within the {self.options.deadline:g} s deadline "
            "(a slow-drip server? raise it with --deadline)",
            redact_url(url),
        )

    async def _get_once(
        self,
        url: str,
        params: Mapping[str, str | int] | None,
        headers: Mapping[str, str] | None,
        ok: frozenset[int],
        *,
        method: str = "GET",
        content: bytes | None = None,
    ) -> Response:
        async with (
            self._open(url, params, headers, method=method, content=content) as response,
            self.budget.hold() as hold,
        ):
            if response.status_code not in ok:
                raise HttpStatusError(
                    f"server answered HTTP {response.status_code}",
                    _shown(response),
                    response.status_code,
                )
            body = await self._read_capped(response, hold)
            return Response(
                url=str(response.url),
                status=response.status_code,
                content_type=response.headers.get("content-type"),
                body=body,
                headers=response.headers,
                redirects=_hops(response),
            )

    @asynccontextmanager
    async def stream(
        self, url: str, params: Mapping[str, str | int] | None = None
    ) -> AsyncIterator[AsyncIterator[bytes]]:
        """Open a body as a stream of chunks, capped at ``max_bytes``; no retries mid-body.

        The deadline covers the whole ``async with`` block, the caller's reading included:
        :class:`SourceTimeout` naming it when the body is not over by then.
        """
        async with self._slots:
            await self._rate.wait()
            try:
                # asyncio.timeout cancels whatever this task awaits inside the block, which is
                # the caller's loop over the chunks: a slow drip cannot outlast the deadline.
                async with asyncio.timeout(self.options.deadline):
                    async with (
                        self._open(url, params, None) as response,
                        self.budget.hold() as hold,
                    ):
                        if response.status_code != 200:
                            raise HttpStatusError(
                                f"server answered HTTP {response.status_code}",
                                _shown(response),
                                response.status_code,
                            )
                        yield self._iter_capped(response, hold, keep=False)
            except TimeoutError:
                raise self._past_deadline(url) from None

    async def peek(self, url: str, limit: int = 64 * 1024, *, truncate: bool = False) -> Response:
        """Status, headers and the first ``limit`` bytes of the body, whatever the status.

        For sniffing what a URL serves: stops reading at ``limit`` (an endless body is fine),
        raises no :class:`HttpStatusError` and does not retry. ``truncate``: ``limit`` is the
        cap itself (a page past it is kept up to it and marked ``truncated``), so
        ``max_bytes`` is not applied.
        """
        async with self._slots:
            await self._rate.wait()
            try:
                async with asyncio.timeout(self.options.deadline):
                    return await self._peek_once(url, limit, truncate)
            except TimeoutError:
                raise self._past_deadline(url) from None

    async def _peek_once(self, url: str, limit: int, truncate: bool) -> Response:
        async with self._open(url, None, None) as response, self.budget.hold() as hold:
            chunks: list[bytes] = []
            size = 0
            cap = sys.maxsize if truncate else None
            async with aclosing(self._iter_capped(response, hold, cap=cap)) as body:
                async for chunk in body:
                    chunks.append(chunk)
                    size += len(chunk)
                    # Truncating, one byte past the limit tells a cut body from a whole one.
                    if size > limit or (size == limit and not truncate):
                        break
            return Response(
                url=str(response.url),
                status=response.status_code,
                content_type=response.headers.get("content-type"),
                body=b"".join(chunks)[:limit],
                headers=response.headers,
                redirects=_hops(response),
                truncated=truncate and size > limit,
            )

    @asynccontextmanager
    async def _open(
        self,
        url: str,
        params: Mapping[str, str | int] | None,
        headers: Mapping[str, str] | None,
        *,
        method: str = "GET",
        content: bytes | None = None,
    ) -> AsyncIterator[httpx.Response]:
        self.requests += 1
        self.policy.note_request(url)
        client = self._take_client()
        try:
            with map_httpx_errors(
                url, timeout=self.options.timeout, max_redirects=self.options.max_redirects
            ):
                async with client.stream(
                    method,
                    url,
                    params=dict(params) if params else None,
                    headers=headers,
                    content=content,
                ) as response:
                    yield response
        finally:
            self._idle.append(client)

    async def _read_capped(self, response: httpx.Response, hold: Hold) -> bytes:
        chunks = [chunk async for chunk in self._iter_capped(response, hold)]
        return b"".join(chunks)

    async def _iter_capped(
        self, response: httpx.Response, hold: Hold, keep: bool = True, cap: int | None = None
    ) -> AsyncGenerator[bytes, None]:
        """The decoded body, capped; each chunk is drawn from the budget while it is held.

        ``keep``: the caller holds every chunk until the answer is over (a body read whole);
        otherwise a chunk goes back to the budget once the caller has taken the next one.
        ``cap``: the size cap, ``options.max_bytes`` by default.
        """
        cap = self.options.max_bytes if cap is None else cap
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise ResponseTooLarge(
                f"answer announces {int(declared):,} bytes, over the {cap:,}-byte cap "
                "(raise it with --max-bytes)",
                _shown(response),
            )
        received = 0
        try:
            # Count decoded bytes: the cap must hold after decompression (gzip bombs), and it
            # is checked every step of the inflation, not after a whole chunk is inflated.
            with map_httpx_errors(
                str(response.url),
                timeout=self.options.timeout,
                max_redirects=self.options.max_redirects,
                received=lambda: received,
            ):
                async with aclosing(decoded_chunks(response)) as decoded:
                    async for chunk in decoded:
                        received += len(chunk)
                        if received > cap:
                            raise ResponseTooLarge(
                                f"answer passed the {cap:,}-byte cap and was cut off "
                                "(an endless stream? raise it with --max-bytes)",
                                _shown(response),
                            )
                        if not hold.take(len(chunk)):
                            raise _over_budget(response, hold, received)
                        yield chunk
                        if not keep:
                            hold.give(len(chunk))
        except CorruptEncoding as exc:
            raise ProtocolError(f"{exc} after {received:,} bytes", _shown(response)) from None


def _over_budget(response: httpx.Response, hold: Hold, received: int) -> ResponseTooLarge:
    return ResponseTooLarge(
        f"answers in flight passed this process's {hold.budget.limit:,}-byte memory budget "
        f"({received:,} bytes into this one; enormous answers at once? lower --concurrency, "
        "or raise CASTWATCH_MAX_BYTES_IN_FLIGHT)",
        _shown(response),
    )


def _hops(response: httpx.Response) -> tuple[tuple[int, str], ...]:
    """``(status, url)`` of the redirects httpx followed before ``response``."""
    if not response.history:
        return ()
    return tuple((hop.status_code, str(hop.url)) for hop in response.history)


def insecure_context() -> ssl.SSLContext:
    """A client context that completes any handshake: we record certificates, not trust them."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _shown(response: httpx.Response) -> str:
    # Redacting costs a URL parse: done only when an error needs the URL, not per request.
    return redact_url(str(response.url))
