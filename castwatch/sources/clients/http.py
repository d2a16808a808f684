"""HTTP for hostile servers: size caps, deadlines, retries with backoff, a request-rate ceiling.

Every protocol client goes through :class:`HttpClient`, so every source gets the same defences:
an enormous or endless body stops at ``max_bytes``, a slow-drip server at the deadline, a
redirect loop at ten hops, a flaky 5xx after a few retries, and no error message ever shows
credentials. httpx does the HTTP; this module adds the policy httpx leaves to its callers.
"""

from __future__ import annotations

import asyncio
import gc
import ssl
import time
from collections.abc import AsyncGenerator, AsyncIterator, Coroutine, Iterator, Mapping
from contextlib import aclosing, asynccontextmanager, contextmanager
from dataclasses import dataclass
from http.cookiejar import CookieJar
from types import TracebackType
from typing import Any, TypeVar

import httpx
import orjson

from castwatch.catalog.credentials import redact_url
from castwatch.errors import (
    FetchError,
    HttpStatusError,
    ProtocolError,
    RedirectLoop,
    ResponseTooLarge,
    SourceTimeout,
    TruncatedResponse,
)
from castwatch.sources.base import FetchOptions

_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 520, 521, 522, 524})
MAX_REDIRECTS = 10
T = TypeVar("T")


@dataclass(slots=True)
class Response:
    """A complete, size-checked answer."""

    url: str
    status: int
    content_type: str | None
    body: bytes
    headers: Mapping[str, str]

    def json(self) -> Any:
        """The body as JSON; :class:`ProtocolError` naming the URL when it is not."""
        return parse_json(self.body, self.url, self.content_type)


def is_retriable(exc: FetchError) -> bool:
    """Whether another attempt may cure ``exc``: 5xx/429, timeouts, dropped connections.

    A capped body or a redirect loop would fail the same way again; other statuses (401,
    404...) are answers, not accidents.
    """
    if isinstance(exc, ResponseTooLarge | RedirectLoop):
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


class HttpClient:
    """An async HTTP client with castwatch's limits. Use as ``async with HttpClient(opts)``."""

    def __init__(
        self,
        options: FetchOptions,
        *,
        headers: Mapping[str, str] | None = None,
        cookies: Mapping[str, str] | None = None,
    ) -> None:
        self.options = options
        self._headers = {"User-Agent": options.user_agent, "Accept": "*/*", **(headers or {})}
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

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for client in self._clients:
            await client.aclose()
        self._clients.clear()
        self._idle.clear()

    def _take_client(self) -> httpx.AsyncClient:
        if self._idle:
            return self._idle.pop()
        if self._ssl_context is None:
            # Loading the CA bundle is slow: once per HttpClient, not once per connection.
            self._ssl_context = httpx.create_ssl_context()
        client = httpx.AsyncClient(
            headers=self._headers,
            cookies=self._cookies.jar,
            timeout=httpx.Timeout(self.options.timeout),
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
            verify=self._ssl_context,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
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
                    async with asyncio.timeout(self._deadline()):
                        return await self._get_once(url, params, headers, ok)
            except FetchError as exc:
                if not is_retriable(exc) or attempt >= self.options.retries:
                    raise
            except TimeoutError:
                if attempt >= self.options.retries:
                    raise SourceTimeout(
                        f"no complete answer within {self._deadline():.0f} s", redact_url(url)
                    ) from None
            await asyncio.sleep(self.options.backoff * (2**attempt))
            attempt += 1

    def _deadline(self) -> float:
        # One slow-drip body must not hold an ingest forever: the read timeout only bounds the
        # gap between bytes, so cap the whole exchange too.
        return max(self.options.timeout * 10, 60.0)

    async def _get_once(
        self,
        url: str,
        params: Mapping[str, str | int] | None,
        headers: Mapping[str, str] | None,
        ok: frozenset[int],
    ) -> Response:
        async with self._open(url, params, headers) as response:
            if response.status_code not in ok:
                raise HttpStatusError(
                    f"server answered HTTP {response.status_code}",
                    _shown(response),
                    response.status_code,
                )
            body = await self._read_capped(response)
            return Response(
                url=str(response.url),
                status=response.status_code,
                content_type=response.headers.get("content-type"),
                body=body,
                headers=response.headers,
            )

    @asynccontextmanager
    async def stream(
        self, url: str, params: Mapping[str, str | int] | None = None
    ) -> AsyncIterator[AsyncIterator[bytes]]:
        """Open a body as a stream of chunks, capped at ``max_bytes``; no retries mid-body."""
        async with self._slots:
            await self._rate.wait()
            async with self._open(url, params, None) as response:
                if response.status_code != 200:
                    raise HttpStatusError(
                        f"server answered HTTP {response.status_code}",
                        _shown(response),
                        response.status_code,
                    )
                yield self._iter_capped(response)

    async def peek(self, url: str, limit: int = 64 * 1024) -> Response:
        """Status, headers and the first ``limit`` bytes of the body, whatever the status.

        For sniffing what a URL serves: stops reading at ``limit`` (an endless body is fine),
        raises no :class:`HttpStatusError` and does not retry.
        """
        async with self._slots:
            await self._rate.wait()
            try:
                async with asyncio.timeout(self._deadline()):
                    return await self._peek_once(url, limit)
            except TimeoutError:
                raise SourceTimeout(
                    f"no answer within {self._deadline():.0f} s", redact_url(url)
                ) from None

    async def _peek_once(self, url: str, limit: int) -> Response:
        async with self._open(url, None, None) as response:
            chunks: list[bytes] = []
            size = 0
            async with aclosing(self._iter_capped(response)) as body:
                async for chunk in body:
                    chunks.append(chunk)
                    size += len(chunk)
                    if size >= limit:
                        break
            return Response(
                url=str(response.url),
                status=response.status_code,
                content_type=response.headers.get("content-type"),
                body=b"".join(chunks)[:limit],
                headers=response.headers,
            )

    @asynccontextmanager
    async def _open(
        self,
        url: str,
        params: Mapping[str, str | int] | None,
        headers: Mapping[str, str] | None,
    ) -> AsyncIterator[httpx.Response]:
        self.requests += 1
        client = self._take_client()
        try:
            async with client.stream(
                "GET", url, params=dict(params) if params else None, headers=headers
            ) as response:
                yield response
        except httpx.TooManyRedirects:
            raise RedirectLoop(f"more than {MAX_REDIRECTS} redirects", redact_url(url)) from None
        except httpx.TimeoutException as exc:
            raise SourceTimeout(
                f"no answer within {self.options.timeout:g} s ({type(exc).__name__})",
                redact_url(url),
            ) from None
        except httpx.RemoteProtocolError as exc:
            raise TruncatedResponse(
                f"connection closed mid-answer: {exc}", redact_url(url)
            ) from None
        except httpx.TransportError as exc:
            reason = str(exc) or type(exc).__name__
            raise FetchError(f"could not reach the server: {reason}", redact_url(url)) from None
        finally:
            self._idle.append(client)

    async def _read_capped(self, response: httpx.Response) -> bytes:
        chunks = [chunk async for chunk in self._iter_capped(response)]
        return b"".join(chunks)

    async def _iter_capped(self, response: httpx.Response) -> AsyncGenerator[bytes, None]:
        cap = self.options.max_bytes
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise ResponseTooLarge(
                f"answer announces {int(declared):,} bytes, over the {cap:,}-byte cap "
                "(raise it with --max-bytes)",
                _shown(response),
            )
        received = 0
        try:
            # Count decoded bytes: the cap must hold after decompression (gzip bombs).
            async for chunk in response.aiter_bytes():
                received += len(chunk)
                if received > cap:
                    raise ResponseTooLarge(
                        f"answer passed the {cap:,}-byte cap and was cut off "
                        "(an endless stream? raise it with --max-bytes)",
                        _shown(response),
                    )
                yield chunk
        except httpx.TimeoutException:
            raise SourceTimeout(
                f"stalled after {received:,} bytes (no data for {self.options.timeout:g} s)",
                _shown(response),
            ) from None
        except httpx.RemoteProtocolError as exc:
            raise TruncatedResponse(
                f"connection closed after {received:,} bytes: {exc}", _shown(response)
            ) from None
        except httpx.TransportError as exc:
            raise FetchError(
                f"transfer failed after {received:,} bytes: {exc}", _shown(response)
            ) from None


def _shown(response: httpx.Response) -> str:
    # Redacting costs a URL parse: done only when an error needs the URL, not per request.
    return redact_url(str(response.url))
