"""The Stalker portal: detection page, token, MAC, and every list paged as real portals page."""

from __future__ import annotations

from typing import Any

import httpx

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
