"""The Xtream player API: the shapes and types of docs/protocols.md, filters, refusals."""

from __future__ import annotations

import httpx

from castwatch.sim import SimServer, cached_catalog

from .conftest import SMALL, player_api


def test_login_describes_the_account_and_the_server(sim: SimServer, client: httpx.Client) -> None:
    answer = player_api(client, sim)
    user, server = answer["user_info"], answer["server_info"]
    assert user["auth"] == 1
    assert user["status"] == "Active"
    assert user["username"] == sim.urls["username"]
    assert user["exp_date"].isdigit()
    assert user["allowed_output_formats"] == ["m3u8", "ts", "rtmp"]
    assert server["url"] == "127.0.0.1"
    assert server["port"] == str(sim.port)
    assert isinstance(server["timestamp_now"], int)


def test_categories_of_each_kind(sim: SimServer, client: httpx.Client) -> None:
    catalog = cached_catalog(**SMALL)
    for action, expected in (
        ("get_live_categories", catalog.live_categories),
        ("get_vod_categories", catalog.vod_categories),
        ("get_series_categories", catalog.series_categories),
    ):
        answer = player_api(client, sim, action=action)
        assert answer == [
            {"category_id": str(c.category_id), "category_name": c.name, "parent_id": 0}
            for c in expected
        ]


def test_live_streams_mix_numbers_and_strings(sim: SimServer, client: httpx.Client) -> None:
    streams = player_api(client, sim, action="get_live_streams")
    assert len(streams) == 50
    first = streams[0]
    assert first["num"] == 1
    assert first["stream_type"] == "live"
    assert isinstance(first["stream_id"], int)
    assert isinstance(first["category_id"], str)
    assert first["added"].isdigit()
    assert set(first) >= {"stream_icon", "epg_channel_id", "tv_archive", "tv_archive_duration"}


def test_vod_streams_and_series(sim: SimServer, client: httpx.Client) -> None:
    films = player_api(client, sim, action="get_vod_streams")
    assert len(films) == 200
    assert {f["stream_type"] for f in films} == {"movie"}
    assert all(f["container_extension"] in ("mkv", "mp4", "avi") for f in films)
    assert all(isinstance(f["rating_5based"], float) and f["year"].isdigit() for f in films)
    shows = player_api(client, sim, action="get_series")
    assert [s["series_id"] for s in shows] == list(range(1, 21))
    assert set(shows[0]) >= {"cover", "plot", "cast", "genre", "releaseDate", "tmdb"}


def test_category_filter(sim: SimServer, client: httpx.Client) -> None:
    everything = player_api(client, sim, action="get_vod_streams")
    category = everything[0]["category_id"]
    subset = player_api(client, sim, action="get_vod_streams", category_id=category)
    assert subset == [f for f in everything if f["category_id"] == category]
    assert player_api(client, sim, action="get_live_streams", category_id="99999") == []
    assert player_api(client, sim, action="get_series", category_id="junk") == []


def test_series_info_lists_every_episode(sim: SimServer, client: httpx.Client) -> None:
    total = 0
    for series_id in range(1, 21):
        info = player_api(client, sim, action="get_series_info", series_id=series_id)
        assert info["info"]["series_id"] == series_id
        episodes = info["episodes"]
        if not episodes:
            assert episodes == [] and info["seasons"] == []
            continue
        assert sorted(episodes, key=int) == [str(s["season_number"]) for s in info["seasons"]]
        for season, rows in episodes.items():
            assert [row["episode_num"] for row in rows] == list(range(1, len(rows) + 1))
            assert all(row["season"] == int(season) and row["id"].isdigit() for row in rows)
            assert all(row["container_extension"] in ("mkv", "mp4", "avi") for row in rows)
            total += len(rows)
    assert total == 150


def test_unknown_series_and_actions_are_empty_lists(sim: SimServer, client: httpx.Client) -> None:
    assert player_api(client, sim, action="get_series_info", series_id=9999) == []
    assert player_api(client, sim, action="get_series_info") == []
    assert player_api(client, sim, action="no_such_action") == []


def test_wrong_credentials_get_auth_zero(sim: SimServer, client: httpx.Client) -> None:
    for params in ({"username": "demo", "password": "nope"}, {}):
        response = client.get(f"{sim.urls['xtream_url']}player_api.php", params=params)
        assert response.status_code == 200
        assert response.json() == {"user_info": {"auth": 0}}


def test_unknown_paths_are_404_and_head_has_no_body(sim: SimServer, client: httpx.Client) -> None:
    assert client.get(f"{sim.base_url}/nothing-here").status_code == 404
    head = client.head(sim.urls["m3u_url"])
    assert head.status_code == 200
    assert int(head.headers["content-length"]) > 0
    assert head.content == b""
