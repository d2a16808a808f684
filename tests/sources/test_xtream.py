"""The Xtream source: the shared contract against the simulator, then real-panel variations."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC
from typing import Any
from urllib.parse import parse_qs

import orjson
import pytest

from castwatch.catalog import Credentials, EntryKind, Inventory, ServiceKind
from castwatch.catalog.credentials import PASSWORD, USERNAME
from castwatch.errors import (
    AccountBanned,
    AuthenticationError,
    ProtocolError,
    SourceError,
    TooManyBadRows,
)
from castwatch.net.policy import FetchOptions
from castwatch.sim import SimConfig, SimServer
from castwatch.sources.xtream import XtreamSource
from tests.sources.contract import SourceContract

Serve = Callable[[Any], AbstractContextManager[str]]


class TestXtreamContract(SourceContract):
    """The shared source contract, plus Xtream field mapping, against the simulator."""

    source_name = "xtream"
    url_key = "xtream_url"

    def test_live_entries_carry_epg_logo_group_and_a_placeholder_url(
        self, inventory: Inventory, target: str
    ) -> None:
        live = [e for e in inventory.entries if e.kind is EntryKind.LIVE]
        base = target if target.endswith("/") else target + "/"
        for entry in live:
            assert entry.url == f"{base}live/{USERNAME}/{PASSWORD}/{entry.stream_id}.ts"
            assert entry.key == f"live:{entry.stream_id}"
            assert entry.group and entry.tvg_logo
        assert any(entry.tvg_id for entry in live)

    def test_films_carry_typed_metadata(self, inventory: Inventory) -> None:
        films = [e for e in inventory.entries if e.kind is EntryKind.FILM]
        for film in films:
            assert film.container and film.url and film.url.endswith(f".{film.container}")
            assert isinstance(film.year, int) and isinstance(film.rating, float)
            assert film.added is not None and film.added.tzinfo is UTC
        assert any(film.tmdb_id for film in films)

    def test_episodes_belong_to_their_series(self, inventory: Inventory) -> None:
        series = {e.series_id: e for e in inventory.entries if e.kind is EntryKind.SERIES}
        episodes = [e for e in inventory.entries if e.kind is EntryKind.EPISODE]
        for episode in episodes:
            parent = series[episode.series_id]
            assert episode.group == parent.group
            assert episode.season is not None and episode.episode_num is not None
            assert episode.url and f"/series/{USERNAME}/{PASSWORD}/{episode.episode_id}." in (
                episode.url
            )

    def test_server_info_keeps_the_account_state_not_the_account(
        self, inventory: Inventory
    ) -> None:
        user_info = inventory.server_info["user_info"]
        assert user_info["status"] == "Active"
        assert "username" not in user_info and "password" not in user_info
        assert inventory.server_info["server_info"]["port"]
        assert inventory.credentials[0].username and inventory.credentials[0].password


def test_credentials_can_come_from_a_player_api_url(sim: SimServer, sim_config: SimConfig) -> None:
    base = str(sim.urls["xtream_url"]).rstrip("/")
    user, password = sim.urls["username"], sim.urls["password"]
    target = f"{base}/player_api.php?username={user}&password={password}"
    inventory = XtreamSource().fetch(target, FetchOptions(episodes=False))
    assert inventory.kind is ServiceKind.XTREAM
    assert inventory.credentials == [Credentials(username=user, password=password)]
    assert password not in inventory.source_url
    assert inventory.counts()["episode"] == 0
    assert inventory.counts()["live"] == sim_config.live


def test_a_get_php_url_is_read_through_the_api(sim: SimServer, sim_config: SimConfig) -> None:
    base = str(sim.urls["xtream_url"]).rstrip("/")
    user, password = sim.urls["username"], sim.urls["password"]
    target = f"{base}/get.php?username={user}&password={password}&type=m3u_plus&output=ts"
    inventory = XtreamSource().fetch(target, FetchOptions(episodes=False))
    assert inventory.counts()["series"] == sim_config.series
    assert not inventory.warnings


def test_missing_credentials_are_explained(sim: SimServer) -> None:
    with pytest.raises(SourceError, match="needs a username and a password"):
        XtreamSource().fetch(str(sim.urls["xtream_url"]), FetchOptions())


def test_wrong_password_is_an_authentication_error(sim: SimServer) -> None:
    options = FetchOptions(credentials=Credentials(str(sim.urls["username"]), "not-it"))
    with pytest.raises(AuthenticationError, match="refused username/password") as caught:
        XtreamSource().fetch(str(sim.urls["xtream_url"]), options)
    assert "not-it" not in str(caught.value)


# -- real-panel variations, served by a small hand-written panel --------------------------

Scope = dict[str, Any]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class VariantPanel:
    """A panel that answers in the odd shapes real panels use, and can fail one series."""

    def __init__(
        self, failing_series: str | None = None, api: bool = True, clean: bool = False
    ) -> None:
        self.failing_series = failing_series
        self.api = api
        #: Serve only readable rows, so that what a test breaks is the only bad thing.
        self.clean = clean
        self.in_flight = self.peak = 0

    async def __call__(self, scope: Scope, receive: Any, send: Send) -> None:
        if scope["type"] != "http":
            return
        query = {k: v[0] for k, v in parse_qs(scope["query_string"].decode()).items()}
        if scope["path"] == "/get.php":
            playlist = (
                '#EXTM3U\n#EXTINF:-1 tvg-id="a.fr" group-title="FR",Chaîne A\n'
                f"http://127.0.0.1/live/{query['username']}/{query['password']}/1.ts\n"
            )
            await _send(send, 200, playlist.encode(), b"audio/x-mpegurl")
            return
        if scope["path"] != "/player_api.php" or not self.api:
            await _send(send, 404, b"<html><title>404</title></html>", b"text/html")
            return
        action = query.get("action")
        if action == "get_series_info":
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            await asyncio.sleep(0.01)
            self.in_flight -= 1
            if query["series_id"] == self.failing_series:
                await _send(send, 500, b"boom")
                return
        answer = _VARIANT_ANSWERS.get(action, [])
        if self.clean and action == "get_live_streams":
            answer = answer[:1]
        await _send(send, 200, orjson.dumps(answer))


_VARIANT_ANSWERS: dict[str | None, Any] = {
    None: {"user_info": {"auth": "1", "status": "Active", "exp_date": None}, "server_info": None},
    "get_live_categories": {},
    "get_live_streams": [
        {"stream_id": "7", "name": "A", "category_ids": [3], "added": 1600000000},
        {"stream_id": 7, "name": "A again"},
        {"name": "no id"},
    ],
    "get_vod_categories": None,
    "get_vod_streams": {"1": {"stream_id": 1.0, "name": "F", "rating": "", "year": "2019-05-01"}},
    "get_series_categories": [{"category_id": 3, "category_name": "SERIES"}],
    "get_series": [
        {"series_id": n, "name": f"S{n}", "category_id": 3, "rating": 8} for n in range(1, 13)
    ],
    "get_series_info": {
        "episodes": [[{"id": "91", "episode_num": "2", "container_extension": "mkv"}]],
    },
}


async def _send(send: Send, status: int, body: bytes, ctype: bytes = b"application/json") -> None:
    headers = [(b"content-type", ctype), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@pytest.fixture
def variant(serve: Serve) -> Iterator[tuple[str, VariantPanel]]:
    panel = VariantPanel()
    with serve(panel) as base:
        yield base, panel


_ACCOUNT = FetchOptions(credentials=Credentials("u", "p"), retries=1, backoff=0.01, timeout=5)


def test_odd_but_real_shapes_are_read(variant: tuple[str, VariantPanel]) -> None:
    base, _ = variant
    # One live row in three has no id: far past the default 1% budget of so short a list.
    inventory = XtreamSource().fetch(base, dataclasses.replace(_ACCOUNT, max_bad_rows=0.5))
    live = [e for e in inventory.entries if e.kind is EntryKind.LIVE]
    assert [(e.key, e.category_id, e.group) for e in live] == [("live:7", "3", None)]
    film = next(e for e in inventory.entries if e.kind is EntryKind.FILM)
    assert (film.key, film.year, film.rating) == ("film:1", 2019, None)
    assert inventory.counts()["series"] == 12
    # Every series answers the same episode id: the first keeps it, the rest are repeats.
    assert inventory.counts()["episode"] == 1
    assert any(w.startswith("live streams: 1 × repeated stream_id") for w in inventory.warnings)
    assert "live streams: 1 row(s) skipped, no stream_id" in "\n".join(inventory.warnings)


def test_a_row_without_an_id_past_the_budget_refuses_the_read(
    variant: tuple[str, VariantPanel],
) -> None:
    base, _ = variant
    with pytest.raises(TooManyBadRows) as caught:
        XtreamSource().fetch(base, _ACCOUNT)
    message = str(caught.value)
    assert "1 of 3 rows of the live streams list" in message
    assert "no stream_id" in message and "--max-bad-rows" in message


def test_episode_requests_respect_the_concurrency_bound(
    variant: tuple[str, VariantPanel],
) -> None:
    base, panel = variant
    XtreamSource().fetch(base, dataclasses.replace(_ACCOUNT, concurrency=3, max_bad_rows=0.5))
    assert 1 <= panel.peak <= 3


def test_one_failed_series_past_the_budget_fails_the_read(serve: Serve) -> None:
    # One series in twelve is 8%: past the default budget of 1%.
    panel = VariantPanel(failing_series="5", clean=True)
    with serve(panel) as base, pytest.raises(TooManyBadRows) as caught:
        XtreamSource().fetch(base, _ACCOUNT)
    message = str(caught.value)
    assert "1 of 12 rows of the series answers list" in message
    assert '"series_id":"5","name":"S5"' in message
    assert "HTTP 500" in message
    assert "password=p&" not in message


def test_one_failed_series_within_the_budget_costs_only_that_series(serve: Serve) -> None:
    options = dataclasses.replace(_ACCOUNT, max_bad_rows=0.5)
    with serve(VariantPanel(failing_series="5")) as base:
        inventory = XtreamSource().fetch(base, options)
    assert inventory.counts()["series"] == 12
    (line,) = [w for w in inventory.warnings if w.startswith("series answers")]
    assert "1 row(s) skipped, get_series_info failed" in line
    assert '"series_id":"5"' in line


def test_without_a_player_api_the_playlist_is_read(serve: Serve) -> None:
    with serve(VariantPanel(api=False)) as base:
        inventory = XtreamSource().fetch(base + "/", _ACCOUNT)
    assert inventory.kind is ServiceKind.XTREAM
    assert inventory.counts()["live"] == 1
    assert "player_api.php is unusable" in inventory.warnings[0]
    assert "HTTP 404" in inventory.warnings[0]


def test_a_login_answer_without_user_info_is_a_protocol_error(serve: Serve) -> None:
    async def app(scope: Scope, receive: Any, send: Send) -> None:
        if scope["type"] == "http":
            await _send(send, 200, b'{"hello": "world"}')

    with serve(app) as base, pytest.raises(ProtocolError, match="no user_info"):
        XtreamSource().fetch(base, _ACCOUNT)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'{"user_info": {"auth": 1}, "server_info": {}}', True),
        (b'{"js": {"token": "x"}}', False),
        (b"#EXTM3U\n", False),
        (b"", False),
    ],
)
def test_probe_recognises_a_login_answer(head: bytes, expected: bool) -> None:
    assert XtreamSource.probe("http://h/", head, "application/json") is expected
    assert XtreamSource.probe("http://h/player_api.php?username=u", b"", None)


@pytest.mark.parametrize("status", ["Expired", "Disabled"])
def test_an_expired_or_disabled_account_is_banned(serve: Serve, status: str) -> None:
    login = {"user_info": {"auth": 1, "status": status}, "server_info": {}}

    async def app(scope: Scope, receive: Any, send: Send) -> None:
        if scope["type"] == "http":
            await _send(send, 200, orjson.dumps(login))

    with serve(app) as base, pytest.raises(AccountBanned, match=f"status is '{status}'"):
        XtreamSource().fetch(base, _ACCOUNT)


def test_a_list_that_is_not_a_list_is_a_protocol_error(serve: Serve) -> None:
    login = {"user_info": {"auth": 1, "status": "Active"}, "server_info": {}}

    async def app(scope: Scope, receive: Any, send: Send) -> None:
        if scope["type"] == "http":
            action = parse_qs(scope["query_string"].decode()).get("action")
            await _send(send, 200, orjson.dumps(login if action is None else "maintenance"))

    with serve(app) as base, pytest.raises(ProtocolError, match="expected a JSON list"):
        XtreamSource().fetch(base, _ACCOUNT)
