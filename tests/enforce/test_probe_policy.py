"""Watch re-checks follow URLs from notices: private addresses only by permission."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from castwatch.catalog.tracking import ProbeResult
from castwatch.enforce.probe import probe_many
from tests.net.redirecting import app
from tests.servers import serve_asgi


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with serve_asgi(app) as url:
        yield url


def _probe(url: str, *, allow: bool, trusted: tuple[str, ...] = ()) -> ProbeResult:
    results = asyncio.run(
        probe_many([url], 2.0, 4096, 2, allow_private=allow, trusted_urls=trusted)
    )
    return results[0]


def test_a_private_target_is_refused_without_the_allowance(base: str) -> None:
    refused = _probe(f"{base}/", allow=False)
    assert refused.http_status is None and refused.failure == "other"
    assert "network policy" in (refused.error or "")
    assert _probe(f"{base}/", allow=True).http_status == 200


def test_the_legal_offer_origin_is_trusted_and_redirect_hops_are_recorded(base: str) -> None:
    assert _probe(f"{base}/", allow=False, trusted=(f"{base}/legal-offer",)).http_status == 200
    moved = _probe(f"{base}/r", allow=True)
    assert moved.redirects == ((302, f"{base}/r"),)
    assert moved.final_url is not None and moved.final_url.startswith("http://localhost:")
    # The hop to another private host is checked too.
    blocked = _probe(f"{base}/r", allow=False, trusted=(base,))
    assert blocked.failure == "other" and "localhost" in (blocked.error or "")
