"""Page fetches for attribution: pinned to our resolver's addresses, redirects recorded.

Attribution needs three things a catalog read does not, and the net layer's client does
each from its policy: it connects to the address the *chosen* DNS server gave, with the real
name in the Host header and as SNI (a pinned resolver); it accepts any certificate
(``verify_tls=False``: the point is to record what a pirate site serves, not to trust it);
and it does not follow redirects, so each hop (an old brand pointing at its relaunch) is
followed here and becomes evidence. The defences are the client's: a size cap counted after
decompression, the process memory budget, a per-read timeout and a deadline. Investigated
hosts are meant to be visited, so public addresses are fine; a private one only with the
allowance (``allow_private``) or on the origin of a URL the user gave (``trusted_urls``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from castwatch.attribute.collectors.clients.dns import Resolver
from castwatch.catalog.credentials import redact_url
from castwatch.errors import FetchError, RedirectLoop, SourceTimeout
from castwatch.net.client import AsyncClosing, HttpClient
from castwatch.net.policy import FetchOptions

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
#: Every status is an answer worth recording here: a 404 shop is a fact too.
_ANY_STATUS = frozenset(range(100, 600))


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


class _FirstAddress:
    """The resolver's first answer only: the address a page is recorded as served from."""

    def __init__(self, resolver: Resolver) -> None:
        self._resolver = resolver

    async def addresses(self, host: str) -> list[str]:
        return (await self._resolver.addresses(host))[:1]


class PageFetcher(AsyncClosing):
    """Fetches pages through ``resolver``; one per collect run (``async with``)."""

    def __init__(
        self,
        resolver: Resolver,
        *,
        timeout: float,
        max_bytes: int,
        max_redirects: int,
        user_agent: str,
        allow_private: bool = False,
        trusted_urls: tuple[str, ...] = (),
        concurrency: int = 8,
    ) -> None:
        self.resolver = resolver
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        options = FetchOptions(
            timeout=timeout,
            # The whole exchange, redirects included, is bounded by four timeouts (fetch).
            deadline=timeout * 4,
            max_bytes=max_bytes,
            concurrency=concurrency,
            retries=0,
            allow_private_networks=allow_private,
            trusted_urls=trusted_urls,
            user_agent=user_agent,
            verify_tls=False,
            follow_redirects=False,
        )
        self._client = HttpClient(options, resolver=_FirstAddress(resolver))

    async def aclose(self) -> None:
        """Close the connections of the HTTP client underneath."""
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
        # The same (cached) answer the client's pinned resolver connects to.
        address = (await self.resolver.addresses(host))[0]
        if allow_truncated:
            response = await self._client.peek(url, self.max_bytes, truncate=True)
        else:
            response = await self._client.get(url, ok=_ANY_STATUS)
        return Page(
            url=url,
            status=response.status,
            headers=dict(response.headers),
            body=response.body,
            address=address,
            truncated=response.truncated,
        )


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
