"""Bounded page fetches pinned to the addresses our resolver gave, redirects recorded.

Why not :class:`castwatch.sources.clients.http.HttpClient`: attribution needs three things
a catalog read must not do. It connects to the address the *chosen* DNS server gave (with
the real name in the Host header and SNI), it accepts any certificate (the point is to
record what a pirate site serves, not to trust it), and it follows redirects one hop at a
time so each hop (an old brand pointing at its relaunch) becomes evidence. The defences are
the same: a size cap counted after decompression, a per-read timeout and a deadline.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from castwatch.attribute.collectors.clients.dns import Resolver, is_ip
from castwatch.catalog.credentials import redact_url
from castwatch.errors import (
    FetchError,
    RedirectLoop,
    ResponseTooLarge,
    SourceTimeout,
    TruncatedResponse,
)

_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(slots=True)
class Page:
    """A fetched page: the final URL, status, headers, capped body and the hops before it."""

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    address: str
    redirects: list[str] = field(default_factory=list)
    truncated: bool = False

    @property
    def text(self) -> str:
        return self.body.decode(_charset(self.headers.get("content-type")), "replace")


def insecure_context() -> ssl.SSLContext:
    """A client context that completes any handshake: we record certificates, not trust them."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


class PageFetcher:
    """Fetches pages through ``resolver``; one per collect run (``async with``)."""

    def __init__(
        self,
        resolver: Resolver,
        *,
        timeout: float,
        max_bytes: int,
        max_redirects: int,
        user_agent: str,
    ) -> None:
        self.resolver = resolver
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self._client = httpx.AsyncClient(
            verify=insecure_context(),
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            # No keep-alive: connections are keyed by address, and two names on one address
            # must each get their own handshake (SNI) and certificate.
            limits=httpx.Limits(max_keepalive_connections=0),
            headers={"User-Agent": user_agent, "Accept": "*/*"},
        )

    async def __aenter__(self) -> PageFetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._client.aclose()

    async def fetch(self, url: str, *, allow_truncated: bool = True) -> Page:
        """GET ``url`` and its redirects; an over-cap body is cut (``truncated``) or refused.

        The whole exchange, redirects included, is bounded by a deadline of four timeouts,
        so a slow-drip server cannot hold the run.
        """
        hops: list[str] = []
        current = url
        try:
            async with asyncio.timeout(self.timeout * 4):
                while True:
                    page = await self._get_once(current, allow_truncated)
                    location = page.headers.get("location")
                    if page.status not in _REDIRECTS or not location:
                        page.redirects = hops
                        return page
                    if len(hops) >= self.max_redirects:
                        raise RedirectLoop(
                            f"more than {self.max_redirects} redirects", redact_url(url)
                        )
                    hops.append(current)
                    current = urljoin(current, location)
        except TimeoutError:
            raise SourceTimeout(
                f"no complete answer within {self.timeout * 4:g} s", redact_url(current)
            ) from None

    async def _get_once(self, url: str, allow_truncated: bool) -> Page:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or not host:
            raise FetchError("not an http(s) URL", redact_url(url))
        address = (await self.resolver.addresses(host))[0]
        shown_address = f"[{address}]" if ":" in address else address
        netloc = f"{shown_address}:{parts.port}" if parts.port else shown_address
        pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
        host_header = f"{host}:{parts.port}" if parts.port else host
        extensions = {} if is_ip(host) else {"sni_hostname": host}
        request = self._client.build_request(
            "GET", pinned, headers={"Host": host_header}, extensions=extensions
        )
        try:
            response = await self._client.send(request, stream=True)
        except httpx.TimeoutException as exc:
            raise SourceTimeout(
                f"no answer within {self.timeout:g} s ({type(exc).__name__})", redact_url(url)
            ) from None
        except httpx.TransportError as exc:
            reason = str(exc) or type(exc).__name__
            raise FetchError(f"could not reach the server: {reason}", redact_url(url)) from None
        try:
            body, truncated = await self._read(response, url, allow_truncated)
        finally:
            await response.aclose()
        return Page(
            url=url,
            status=response.status_code,
            headers=dict(response.headers),
            body=body,
            address=address,
            truncated=truncated,
        )

    async def _read(
        self, response: httpx.Response, url: str, allow_truncated: bool
    ) -> tuple[bytes, bool]:
        chunks: list[bytes] = []
        size = 0
        try:
            async for chunk in response.aiter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size > self.max_bytes:
                    if not allow_truncated:
                        raise ResponseTooLarge(
                            f"body passed the {self.max_bytes:,}-byte cap", redact_url(url)
                        )
                    return b"".join(chunks)[: self.max_bytes], True
        except httpx.TimeoutException:
            raise SourceTimeout(
                f"stalled after {size:,} bytes (no data for {self.timeout:g} s)",
                redact_url(url),
            ) from None
        except httpx.TransportError as exc:
            if isinstance(exc, httpx.RemoteProtocolError) and chunks:
                raise TruncatedResponse(
                    f"connection closed after {size:,} bytes", redact_url(url)
                ) from None
            raise FetchError(f"transfer failed: {exc}", redact_url(url)) from None
        return b"".join(chunks), False


def _charset(content_type: str | None) -> str:
    if content_type:
        for part in content_type.split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                candidate = value.strip("\"' ")
                try:
                    "".encode(candidate)
                except LookupError:
                    break
                return candidate
    return "utf-8"
