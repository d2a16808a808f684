"""The network policy: URLs from data reach private addresses only on the service's own host.

A canary server on another loopback port stands for the investigator's database: no
entry, redirect or segment may reach it unless private networks are allowed, and the
refusal must read the same whether the port is open or closed (no scanning).
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
from collections.abc import Iterator
from typing import Any

import httpcore
import pytest
from hypothesis import given
from hypothesis import strategies as st

from castwatch.errors import BlockedByPolicy
from castwatch.net.client import HttpClient, is_retriable
from castwatch.net.hls import HlsClient
from castwatch.net.policy import (
    ALLOW_PRIVATE_ENV,
    FetchOptions,
    NetPolicy,
    Refused,
    address_kind,
    origin_of,
)
from castwatch.net.transport import PolicyBackend
from tests.conftest import CliRunner
from tests.servers import serve_asgi
from tests.sources.hostile_servers import Canary, Pages, closed_port

OPTIONS = FetchOptions(timeout=2.0, retries=0, backoff=0.01, allow_private_networks=False)


@pytest.fixture(autouse=True)
def _no_allowance(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ALLOW_PRIVATE_ENV, raising=False)


@pytest.fixture(scope="module")
def canary() -> Iterator[tuple[str, Canary]]:
    app = Canary()
    with serve_asgi(app) as base:
        yield base, app


@pytest.fixture(scope="module")
def panel() -> Iterator[tuple[str, Pages]]:
    app = Pages()
    with serve_asgi(app) as base:
        yield base, app


def _get(url: str, options: FetchOptions = OPTIONS, trusted: tuple[str, ...] | None = None) -> Any:
    async def run() -> Any:
        policy = NetPolicy.for_urls(trusted, options.allow_private_networks)
        async with HttpClient(options, policy=policy) as http:
            return await http.get(url)

    return asyncio.run(run())


# -- the rule, unit by unit ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("172.16.5.4", "private"),
        ("fd00::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("100.64.0.1", "reserved"),
        ("93.184.216.34", None),
        ("2606:4700::1111", None),
    ],
)
def test_address_kinds(address: str, kind: str | None) -> None:
    assert address_kind(ipaddress.ip_address(address)) == kind


@given(st.ip_addresses(network="10.0.0.0/8") | st.ip_addresses(network="fc00::/7"))
def test_every_private_address_is_non_public(address: Any) -> None:
    assert address_kind(address) is not None


@given(
    host=st.from_regex(r"[a-z][a-z0-9-]{0,20}(\.[a-z][a-z0-9-]{0,10}){0,3}", fullmatch=True),
    port=st.none() | st.integers(1, 65535),
    scheme=st.sampled_from(["http", "https", "HTTP"]),
    path=st.from_regex(r"(/[A-Za-z0-9._~-]*){0,4}", fullmatch=True),
)
def test_origin_of_parses_host_and_port(
    host: str, port: int | None, scheme: str, path: str
) -> None:
    netloc = f"{host.upper()}:{port}" if port else host.upper()
    expected = port or (443 if scheme.lower() == "https" else 80)
    assert origin_of(f"{scheme}://user:pw@{netloc}{path}?q=1") == (host, expected)


@given(st.text(max_size=60))
def test_origin_of_never_raises(text: str) -> None:
    found = origin_of(text)
    assert found is None or (isinstance(found[0], str) and isinstance(found[1], int))


def test_first_url_is_trusted_and_only_its_port() -> None:
    policy = NetPolicy()
    policy.note_request("http://127.0.0.1:8080/get.php?username=u&password=p")
    policy.note_request("http://127.0.0.1:9999/")  # later URLs earn nothing
    loopback = ipaddress.ip_address("127.0.0.1")
    policy.check("127.0.0.1", 8080, loopback)
    with pytest.raises(Refused, match="loopback"):
        policy.check("127.0.0.1", 9999, loopback)
    policy.check("example.com", 80, ipaddress.ip_address("93.184.216.34"))  # public: fine


# -- against real servers -----------------------------------------------------------------


def test_an_entry_on_another_loopback_port_is_refused(canary: tuple[str, Canary]) -> None:
    base, app = canary
    before = len(app.hits)
    with pytest.raises(BlockedByPolicy) as caught:
        _get(f"{base}/db", trusted=("http://127.0.0.1:1/get.php",))
    assert len(app.hits) == before
    assert "network policy" in str(caught.value) and "--allow-private-networks" in str(caught.value)
    assert not is_retriable(caught.value)


def test_refusals_read_the_same_for_open_and_closed_ports(canary: tuple[str, Canary]) -> None:
    base, _ = canary
    open_port = int(base.rsplit(":", 1)[1])
    shut = closed_port()
    messages = []
    for port in (open_port, shut):
        with pytest.raises(BlockedByPolicy) as caught:
            _get(f"http://127.0.0.1:{port}/x", trusted=("http://127.0.0.1:1/",))
        messages.append(re.sub(str(port), "PORT", str(caught.value)))
    assert messages[0] == messages[1]


def test_the_users_own_origin_is_reached(panel: tuple[str, Pages]) -> None:
    base, app = panel
    app.page("/list.m3u", b"#EXTM3U\n")
    assert _get(f"{base}/list.m3u").body == b"#EXTM3U\n"  # the first URL: the user's


def test_every_redirect_hop_is_checked(
    panel: tuple[str, Pages], canary: tuple[str, Canary]
) -> None:
    base, app = panel
    canary_base, canary_app = canary
    app.redirect("/hop1", f"{base}/hop2")  # same origin: followed
    app.redirect("/hop2", f"{canary_base}/secret")  # another port: refused
    before = len(canary_app.hits)
    with pytest.raises(BlockedByPolicy, match="refused to connect"):
        _get(f"{base}/hop1")
    assert app.hits["/hop2"] >= 1 and len(canary_app.hits) == before
    allowed = FetchOptions(timeout=2.0, retries=0, allow_private_networks=True)
    assert _get(f"{base}/hop1", allowed).status == 200
    assert len(canary_app.hits) == before + 1


def test_a_name_is_checked_by_the_address_it_resolves_to(canary: tuple[str, Canary]) -> None:
    base, app = canary
    port = base.rsplit(":", 1)[1]
    before = len(app.hits)
    with pytest.raises(BlockedByPolicy, match="loopback"):
        _get(f"http://localhost:{port}/x", trusted=("http://127.0.0.1:1/",))
    assert len(app.hits) == before


class _Recording(httpcore.AsyncNetworkBackend):
    """The real backend, noting which host each connection was opened to."""

    def __init__(self) -> None:
        self.inner = httpcore.AnyIOBackend()
        self.hosts: list[str] = []

    async def connect_tcp(self, host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        self.hosts.append(host)
        return await self.inner.connect_tcp(host, port, *args, **kwargs)


def test_the_connection_goes_to_the_address_that_was_checked(
    canary: tuple[str, Canary],
) -> None:
    base, _ = canary
    port = int(base.rsplit(":", 1)[1])
    recording = _Recording()
    backend = PolicyBackend(NetPolicy.for_urls([f"http://localhost:{port}/"]), recording)

    async def run() -> None:
        stream = await backend.connect_tcp("localhost", port, timeout=2.0)
        await stream.aclose()

    asyncio.run(run())
    # Never the name: a second lookup could answer differently (DNS rebinding).
    assert recording.hosts and all(ipaddress.ip_address(h) for h in recording.hosts)


def test_hls_segments_elsewhere_are_refused(
    panel: tuple[str, Pages], canary: tuple[str, Canary]
) -> None:
    base, app = panel
    canary_base, canary_app = canary
    app.page(
        "/live/1.m3u8",
        f"#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n{canary_base}/seg1.ts\n"
        "#EXT-X-ENDLIST\n".encode(),
        b"application/vnd.apple.mpegurl",
    )
    before = len(canary_app.hits)

    async def run() -> None:
        async with HlsClient(OPTIONS) as hls:
            playlist = await hls.media_playlist(f"{base}/live/1.m3u8")
            await hls.segment(playlist.segments[0].url)

    with pytest.raises(BlockedByPolicy):
        asyncio.run(run())
    assert len(canary_app.hits) == before


def test_verify_sample_does_not_reach_a_canary(
    cli: CliRunner, panel: tuple[str, Pages], canary: tuple[str, Canary]
) -> None:
    base, app = panel
    canary_base, canary_app = canary
    shut = closed_port()
    app.page(
        "/canary.m3u",
        (
            "#EXTM3U\n"
            f'#EXTINF:-1 group-title="News",Database\n{canary_base}/live/1.ts\n'
            f'#EXTINF:-1 group-title="News",Closed\nhttp://127.0.0.1:{shut}/live/2.ts\n'
        ).encode(),
    )
    assert cli("ingest", f"{base}/canary.m3u", "--name", "svc", "--json").code == 0
    before = len(canary_app.hits)
    result = cli("verify", "svc", "--sample", "2", "--seconds", "1", "--json")
    assert result.code == 0, result.stderr
    data: Any = result.json()
    assert len(canary_app.hits) == before
    errors = sorted(r["error"] for r in data["results"])
    assert all("network policy" in e for e in errors), errors
    # Open or closed, the refusal says the same (ports and ids aside).
    assert len({re.sub(r"\d+", "N", e) for e in errors}) == 1, errors
    allowed = cli(
        "verify", "svc", "--sample", "2", "--seconds", "1", "--allow-private-networks", "--json"
    )
    assert allowed.code == 0, allowed.stderr
    assert len(canary_app.hits) > before  # allowed: the canary is reached
