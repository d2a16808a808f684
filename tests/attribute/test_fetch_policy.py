"""Attribution visits investigated hosts: public addresses freely, private ones by permission.

A shop page the user gave may live on a lab address (its origin is trusted); a redirect or a
link from that page to another private host is reached only with the allowance, as every
other URL from data in castwatch.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from castwatch.attribute.collectors.clients.dns import Resolver
from castwatch.attribute.collectors.clients.web import Page, PageFetcher
from castwatch.errors import BlockedByPolicy
from tests.net.redirecting import app
from tests.servers import serve_asgi


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with serve_asgi(app) as url:
        yield url


def _fetch(url: str, *, allow: bool, trusted: tuple[str, ...], cap: int = 1000) -> Page:
    async def run() -> Page:
        fetcher = PageFetcher(
            Resolver(None, 2.0),
            timeout=2.0,
            max_bytes=cap,
            max_redirects=3,
            user_agent="castwatch-test",
            allow_private=allow,
            trusted_urls=trusted,
        )
        async with fetcher:
            return await fetcher.fetch(url)

    return asyncio.run(run())


def test_a_private_page_needs_its_origin_trusted_or_the_allowance(base: str) -> None:
    with pytest.raises(BlockedByPolicy, match="loopback"):
        _fetch(f"{base}/", allow=False, trusted=())
    assert _fetch(f"{base}/", allow=False, trusted=(base,)).body == b"hello, /"
    assert _fetch(f"{base}/", allow=True, trusted=()).body == b"hello, /"


def test_a_redirect_to_another_private_host_needs_the_allowance(base: str) -> None:
    with pytest.raises(BlockedByPolicy, match="localhost"):
        _fetch(f"{base}/r", allow=False, trusted=(base,))
    page = _fetch(f"{base}/r", allow=True, trusted=())
    assert page.redirects == [f"{base}/r"]
    assert page.url.startswith("http://localhost:") and page.body == b"hello, /x"
    assert page.address == "127.0.0.1"


def test_a_page_past_the_cap_is_cut_and_marked(base: str) -> None:
    page = _fetch(f"{base}/long-path", allow=True, trusted=(), cap=5)
    assert (page.body, page.truncated) == (b"hello", True)
    whole = _fetch(f"{base}/", allow=True, trusted=(), cap=len(b"hello, /"))
    assert (whole.body, whole.truncated) == (b"hello, /", False)
