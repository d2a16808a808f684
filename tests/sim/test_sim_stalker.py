"""The Stalker portal: detection page, token, MAC, and every list paged as real portals page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from castwatch.sim import SimServer, cached_catalog

from .conftest import SMALL, Stalker


def all_pages(box: Stalker, **params: Any) -> tuple[list[dict[str, Any]], int]:
    """Every item of a paged list, reading pages from 1 until ``total_items``; and the size."""
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        answer = box.js(action="get_ordered_list", p=page, **params)
        assert answer["cur_page"] == page
        items += answer["data"]
        if len(items) >= answer["total_items"] or not answer["data"]:
            assert len(items) == answer["total_items"]
            return items, answer["max_page_items"]
        page += 1


def test_the_web_client_page_names_the_middleware(sim: SimServer, client: httpx.Client) -> None:
    response = client.get(sim.urls["stalker_url"])
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<title>Stalker Middleware</title>" in response.text
    assert "Ministra" in response.text


def test_calls_need_the_token_from_the_handshake(sim: SimServer, client: httpx.Client) -> None:
    box = Stalker(client, sim)
    refused = box.raw(type="stb", action="get_profile")
    assert refused.status_code == 200
    assert refused.text == "Authorization failed."
    box.token = "0123456789ABCDEF"
    assert box.raw(type="itv", action="get_genres").text == "Authorization failed."
    token = box.handshake()
    assert len(token) == 32
    assert Stalker(client, sim).handshake() != token
    profile = box.js(type="stb", action="get_profile")
    assert profile["status"] == 0
    assert profile["blocked"] == "0"
    assert profile["mac"] == sim.urls["mac"]
    info = box.js(type="account_info", action="get_main_info")
    assert info["mac"] == sim.urls["mac"]
    assert info["phone"]


def test_an_unknown_mac_is_not_authorised(sim: SimServer, client: httpx.Client) -> None:
    box = Stalker(client, sim, mac="00:1A:79:AB:CD:EF")
    box.handshake()
    assert box.js(type="stb", action="get_profile")["status"] == 1
    assert box.raw(type="itv", action="get_all_channels").text == "Authorization failed."


def test_live_genres_and_channels(sim: SimServer, client: httpx.Client) -> None:
    box = Stalker(client, sim)
    box.handshake()
    genres = box.js(type="itv", action="get_genres")
    assert genres[0]["id"] == "*"
    catalog = cached_catalog(**SMALL)
    assert [g["title"] for g in genres[1:]] == [c.name for c in catalog.live_categories]
    channels = box.js(type="itv", action="get_all_channels")
    assert channels["total_items"] == 50 == len(channels["data"])
    first = channels["data"][0]
    assert first["id"] == "1" and first["number"] == "1"
    assert first["cmd"] == f"ffrt http://127.0.0.1:{sim.port}/ch/1"
    assert set(first) >= {"name", "tv_genre_id", "logo", "xmltv_id"}


def test_vod_is_paged_fourteen_at_a_time(sim: SimServer, client: httpx.Client) -> None:
    box = Stalker(client, sim)
    box.handshake()
    categories = box.js(type="vod", action="get_categories")
    assert {c["title"] for c in categories} >= {"VOD | ACTION", "VOD | 4K"}
    films, page_size = all_pages(box, type="vod", category="*")
    assert page_size == 14
    assert [int(f["id"]) for f in films] == [f.stream_id for f in cached_catalog(**SMALL).films]
    assert films[0]["cmd"] == f"/media/{films[0]['id']}.mpg"
    one = films[0]["category_id"]
    subset, _ = all_pages(box, type="vod", category=one)
    assert subset == [f for f in films if f["category_id"] == one]
    beyond = box.js(type="vod", action="get_ordered_list", category="*", p=999)
    assert beyond["data"] == [] and beyond["total_items"] == 200


def test_series_and_their_seasons(sim: SimServer, client: httpx.Client) -> None:
    box = Stalker(client, sim)
    box.handshake()
    assert len(box.js(type="series", action="get_categories")) == 10
    shows, _ = all_pages(box, type="series", category="*")
    assert len(shows) == 20
    total = 0
    for show in shows:
        seasons, _ = all_pages(box, type="series", movie_id=show["id"], season_id=0, episode_id=0)
        for number, season in enumerate(seasons, start=1):
            assert season["id"] == f"{show['id']}:{number}"
            assert season["name"] == f"Season {number}"
            assert season["series"] == list(range(1, len(season["series"]) + 1))
            total += len(season["series"])
    assert total == 150


def test_page_size_is_the_servers_choice(client: httpx.Client) -> None:
    with SimServer(page_size=50, **SMALL) as sim:
        box = Stalker(client, sim)
        box.handshake()
        films, page_size = all_pages(box, type="vod", category="*")
        assert page_size == 50
        assert len(films) == 200


# -- shapes="mixed": the row shapes of real Ministra portals ------------------------------


@pytest.fixture(scope="module")
def mixed() -> Iterator[SimServer]:
    with SimServer(shapes="mixed", **SMALL) as server:
        yield server


def _link(box: Stalker, sim: SimServer, kind: str, cmd: str, **params: Any) -> str:
    answer = box.js(type=kind, action="create_link", cmd=cmd, **params)
    assert answer["error"] == ""
    url = str(answer["cmd"]).removeprefix("ffmpeg ")
    return url if url.startswith("http") else sim.base_url + url


def test_mixed_channels_carry_every_cmd_shape(mixed: SimServer, client: httpx.Client) -> None:
    box = Stalker(client, mixed)
    box.handshake()
    channels = box.js(type="itv", action="get_all_channels")["data"]
    cmds = [c["cmd"] for c in channels[:4]]
    assert cmds[0] == "ffmpeg http://localhost/ch/1_"
    assert f"/load/{mixed.urls['username']}/" in cmds[1]
    assert "play_token=" in cmds[2] and f"mac={mixed.urls['mac']}" in cmds[2]
    assert cmds[3].startswith("ffrt http://127.0.0.1")
    assert {c["logo"][:1] for c in channels} >= {"/", "h", "1"}
    for channel in channels[:4]:
        # Every shape turns into a stream of this simulator that answers.
        url = _link(box, mixed, "itv", channel["cmd"])
        response = client.get(url)
        assert response.status_code == 200
        assert response.text.startswith("#EXTM3U")


def test_mixed_vod_lists_half_the_series_with_their_episodes(
    mixed: SimServer, client: httpx.Client
) -> None:
    catalog = cached_catalog(**SMALL)
    box = Stalker(client, mixed)
    box.handshake()
    rows, _ = all_pages(box, type="vod", category="*")
    films = [r for r in rows if str(r["is_series"]).lower() in ("0", "false")]
    assert len(films) == len(catalog.films)
    assert {str(f["is_series"]) for f in films} == {"0", "False"}
    assert any(f["cmd"].startswith("eyJ") for f in films)
    assert any(isinstance(f["tmdb_id"], int) for f in films)
    categories = box.js(type="vod", action="get_categories")
    by_category = []
    for category in categories:
        listed, _ = all_pages(box, type="vod", category=category["id"])
        by_category += [r for r in listed if str(r["is_series"]).lower() in ("1", "true")]
    expected = catalog.series[::2]
    assert sorted(int(r["id"]) for r in by_category) == [s.series_id for s in expected]
    listed, _ = all_pages(box, type="series", category="*")
    assert [int(r["id"]) for r in listed] == [s.series_id for s in catalog.series[1::2]]
    episodes = 0
    for show in expected:
        seasons = box.js(type="vod", action="get_ordered_list", movie_id=show.series_id,
                         season_id=0, episode_id=0)  # fmt: skip
        seasons = seasons if isinstance(seasons, list) else seasons["data"]
        for season in seasons:
            answer = box.js(type="vod", action="get_ordered_list", movie_id=show.series_id,
                            season_id=season["id"], episode_id=0)  # fmt: skip
            episodes += len(answer if isinstance(answer, list) else answer["data"])
    assert episodes == sum(len(show.episodes) for show in expected)


def test_create_link_gives_films_and_episodes_that_play(
    mixed: SimServer, client: httpx.Client
) -> None:
    catalog = cached_catalog(**SMALL)
    box = Stalker(client, mixed)
    box.handshake()
    film = catalog.films[0]
    show = catalog.series[1]  # listed under type=series: the season cmd plus a number
    episode = show.episodes[0]
    season_cmd = f"/media/series/{show.series_id}/{episode.season}.mpg"
    urls = [
        _link(box, mixed, "vod", f"/media/{film.stream_id}.mpg"),
        _link(box, mixed, "vod", season_cmd, series=episode.episode_num),
    ]
    assert urls[0].endswith(f"/{film.stream_id}.{film.container_extension}")
    assert urls[1].endswith(f"/series/{mixed.urls['username']}/{mixed.urls['password']}/"
                            f"{episode.episode_id}.{episode.container_extension}")  # fmt: skip
    assert client.head(urls[0]).status_code == 200
    refused = box.js(type="vod", action="create_link", cmd="/media/999999.mpg")
    assert refused["error"] == "nothing_to_play" and refused["cmd"] == ""


def test_canonical_portal_answers_create_link_too(sim: SimServer, client: httpx.Client) -> None:
    box = Stalker(client, sim)
    box.handshake()
    url = _link(box, sim, "itv", f"ffrt {sim.base_url}/ch/3")
    assert url == f"{sim.base_url}/live/{sim.urls['username']}/{sim.urls['password']}/3.m3u8"
