"""The Stalker source: the shared contract against the simulator, then portal misbehaviour."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from typing import Any
from urllib.parse import parse_qs

import orjson
import pytest

from castwatch.catalog import Credentials, EntryKind, Inventory
from castwatch.catalog.credentials import MAC
from castwatch.errors import AuthenticationError, ProtocolError, SourceError
from castwatch.net.policy import FetchOptions
from castwatch.sim import SimServer
from castwatch.sources.clients.stalker import MAX_PAGES, api_candidates
from castwatch.sources.stalker import StalkerSource
from tests.sources.contract import SourceContract

Serve = Callable[[Any], AbstractContextManager[str]]
Scope = dict[str, Any]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class TestStalkerContract(SourceContract):
    """The shared source contract, plus Stalker field mapping, against the simulator."""

    source_name = "stalker"
    url_key = "stalker_url"

    def test_channel_urls_lose_the_player_prefix_but_keep_it_in_extra(
        self, inventory: Inventory
    ) -> None:
        live = [e for e in inventory.entries if e.kind is EntryKind.LIVE]
        for entry in live:
            assert entry.url and entry.url.startswith("http://")
            assert entry.extra["cmd"].startswith("ffrt ")
            assert entry.extra["cmd"].endswith(entry.url)
            assert entry.group and entry.group != "All"

    def test_every_entry_points_at_the_mac(self, inventory: Inventory) -> None:
        assert inventory.credentials[0].mac
        assert all(e.credential == 0 for e in inventory.entries if e.url)

    def test_episode_keys_name_series_season_and_number(self, inventory: Inventory) -> None:
        series = {e.series_id for e in inventory.entries if e.kind is EntryKind.SERIES}
        for entry in inventory.entries:
            if entry.kind is EntryKind.EPISODE:
                assert entry.key == (
                    f"episode:{entry.series_id}:{entry.season}:{entry.episode_num}"
                )
                assert entry.series_id in series

    def test_server_info_keeps_no_box_identity(self, inventory: Inventory) -> None:
        profile = inventory.server_info["profile"]
        assert profile["status"] == 0
        assert "mac" not in profile and "parent_password" not in profile
        assert "phone" in inventory.server_info["account"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/stalker_portal/c/", ["/stalker_portal/server/load.php"]),
        ("/stalker_portal/", ["/stalker_portal/server/load.php", "/stalker_portal/portal.php"]),
        ("/portal.php", ["/portal.php"]),
        ("/", ["/stalker_portal/server/load.php", "/portal.php", "/server/load.php"]),
        ("/c/", ["/server/load.php"]),
    ],
)
def test_api_candidates(path: str, expected: list[str]) -> None:
    assert api_candidates(f"http://h:88{path}") == [f"http://h:88{p}" for p in expected]


@pytest.mark.parametrize("path", ["/stalker_portal/", "/", "/portal.php"])
def test_other_portal_addresses_resolve(
    sim: SimServer, sim_options: FetchOptions, path: str
) -> None:
    options = dataclasses.replace(sim_options, episodes=False)
    inventory = StalkerSource().fetch(sim.base_url + path, options)
    assert inventory.counts()["live"] > 0
    assert inventory.counts()["episode"] == 0


def test_a_mac_is_required(sim: SimServer) -> None:
    with pytest.raises(SourceError, match="give its MAC address"):
        StalkerSource().fetch(str(sim.urls["stalker_url"]), FetchOptions())


def test_a_malformed_mac_is_refused_before_any_request(sim: SimServer) -> None:
    options = FetchOptions(credentials=Credentials(mac="not-a-mac"))
    with pytest.raises(SourceError, match="looks like 00:1A:79"):
        StalkerSource().fetch(str(sim.urls["stalker_url"]), options)


def test_an_unknown_mac_is_not_authorised(sim: SimServer) -> None:
    options = FetchOptions(credentials=Credentials(mac="00:1a:79:00:00:01"), retries=0)
    with pytest.raises(AuthenticationError, match="MAC not authorised") as caught:
        StalkerSource().fetch(str(sim.urls["stalker_url"]), options)
    assert "00:1A:79:00:00:01" not in str(caught.value)


# -- hand-written portals that misbehave in ways the simulator does not -------------------


class OddPortal:
    """A portal whose paging or tokens can be made to misbehave, counting what it is asked."""

    def __init__(self, total: int = 30, served: int | None = None, expire_first: bool = False):
        self.total = total
        # Items really available; fewer than ``total`` makes the announced total a lie.
        self.served = total if served is None else served
        self.expire_first = expire_first
        self.handshakes = 0
        self.pages: list[int] = []
        self.tokens: set[str] = set()

    async def __call__(self, scope: Scope, receive: Any, send: Send) -> None:
        if scope["type"] != "http":
            return
        query = {k: v[0] for k, v in parse_qs(scope["query_string"].decode()).items()}
        headers = dict(scope["headers"])
        token = headers.get(b"authorization", b"").decode().removeprefix("Bearer ")
        action = (query.get("type"), query.get("action"))
        if action == ("stb", "handshake"):
            self.handshakes += 1
            new = f"t{self.handshakes}"
            # expire_first: the first token is refused once used, as after a portal restart.
            if not (self.expire_first and self.handshakes == 1):
                self.tokens.add(new)
            await _send(send, {"js": {"token": new}})
        elif token not in self.tokens:
            await _send_raw(send, b"Authorization failed.")
        elif action == ("stb", "get_profile"):
            await _send(send, {"js": {"status": 0, "blocked": "0", "mac": "x"}})
        elif action == ("vod", "get_categories"):
            await _send(send, {"js": [{"id": "*", "title": "All"}, {"id": "1", "title": "F"}]})
        elif action == ("vod", "get_ordered_list"):
            page = int(query["p"])
            self.pages.append(page)
            ids = range((page - 1) * 10 + 1, min(page * 10, self.served) + 1)
            data = [{"id": str(i), "name": f"film {i}", "cmd": f"/m/{i}.mpg"} for i in ids]
            body = {"total_items": self.total, "max_page_items": 10, "data": data}
            await _send(send, {"js": body})
        elif action == ("itv", "get_all_channels"):
            await _send(send, {"js": {"total_items": 0, "data": []}})
        else:
            await _send(send, {"js": []})


async def _send_raw(send: Send, body: bytes) -> None:
    headers = [(b"content-type", b"text/html"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _send(send: Send, answer: Any) -> None:
    await _send_raw(send, orjson.dumps(answer))


_MAC_OPTIONS = FetchOptions(
    credentials=Credentials(mac="00:1A:79:AB:CD:EF"), retries=0, timeout=5, episodes=False
)


def test_paging_reads_every_page_once(serve: Serve) -> None:
    portal = OddPortal(total=25)
    with serve(portal) as base:
        inventory = StalkerSource().fetch(base + "/stalker_portal/c/", _MAC_OPTIONS)
    assert inventory.counts()["film"] == 25
    assert sorted(portal.pages) == [1, 2, 3]


def test_a_portal_that_announces_more_than_it_serves_is_an_error(serve: Serve) -> None:
    portal = OddPortal(total=50, served=23)
    with serve(portal) as base, pytest.raises(ProtocolError, match="announced 50 items"):
        StalkerSource().fetch(base + "/stalker_portal/c/", _MAC_OPTIONS)
    # Pages 1-5 as announced, then one more to tell a shifting catalogue from a lie.
    assert sorted(portal.pages) == [1, 2, 3, 4, 5, 6]


def test_an_absurd_total_is_refused_without_paging(serve: Serve) -> None:
    portal = OddPortal(total=(MAX_PAGES + 1) * 10, served=10)
    with serve(portal) as base, pytest.raises(ProtocolError, match="page limit"):
        StalkerSource().fetch(base + "/stalker_portal/c/", _MAC_OPTIONS)
    assert portal.pages == [1]


def test_an_expired_token_is_renewed_once(serve: Serve) -> None:
    portal = OddPortal(total=5, expire_first=True)
    with serve(portal) as base:
        inventory = StalkerSource().fetch(base + "/stalker_portal/c/", _MAC_OPTIONS)
    assert portal.handshakes == 2
    assert inventory.counts()["film"] == 5


def test_a_token_refused_after_renewal_is_an_authentication_error(serve: Serve) -> None:
    portal = OddPortal(total=5)

    async def refusing(scope: Scope, receive: Any, send: Send) -> None:
        portal.tokens.clear()
        await portal(scope, receive, send)

    with serve(refusing) as base, pytest.raises(AuthenticationError, match="fresh handshake"):
        StalkerSource().fetch(base + "/stalker_portal/c/", _MAC_OPTIONS)
    assert portal.handshakes == 2


def test_a_mac_inside_a_stream_url_becomes_a_placeholder() -> None:
    from castwatch.sources.stalker import EntryBuilder

    registered: list[Credentials] = []

    def register(credentials: Credentials) -> int:
        registered.append(credentials)
        return len(registered) - 1

    builder = EntryBuilder(register, "00:1A:79:AB:CD:EF")
    cmd = "ffmpeg http://h/play/live.php?mac=00:1A:79:AB:CD:EF&stream=7&extension=ts"
    [entry] = builder.live([{"id": "7", "name": "seven", "cmd": cmd}], [])
    assert entry.url == f"http://h/play/live.php?mac={MAC}&stream=7&extension=ts"
    assert "AB:CD:EF" not in entry.extra["cmd"]
    assert entry.extra["cmd"].startswith("ffmpeg ")
    assert registered == [Credentials(mac="00:1A:79:AB:CD:EF")]


@pytest.mark.parametrize(
    ("target", "head", "expected"),
    [
        ("http://h/stalker_portal/c/", b"", True),
        ("http://h/x", b'{"js": {"token": "abc"}}', True),
        ("http://h/x", b'{"user_info": {}}', False),
        ("http://h/x", b"#EXTM3U", False),
    ],
)
def test_probe(target: str, head: bytes, expected: bool) -> None:
    assert StalkerSource.probe(target, head, None) is expected
