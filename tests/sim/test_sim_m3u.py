"""The rendered m3u_plus playlist: one entry per stream, URLs in the Xtream layout, the noise."""

from __future__ import annotations

import re

import httpx

from castwatch.sim import SimServer, generate_catalog, iter_m3u
from castwatch.sim.render import REFERRER_EVERY, USER_AGENT_EVERY

BASE = "http://127.0.0.1:8080"
ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')


def parse(text: str) -> list[tuple[dict[str, str], str, list[str], str]]:
    """(attributes, title, #EXTVLCOPT lines, URL) for each entry, strictly."""
    lines = text.splitlines()
    assert lines[0].startswith('#EXTM3U url-tvg="')
    entries = []
    index = 1
    while index < len(lines):
        head = lines[index]
        assert head.startswith("#EXTINF:-1 "), head
        attributes_part, _, title = head[len("#EXTINF:-1 ") :].partition('",')
        attributes = dict(ATTRIBUTE.findall(attributes_part + '"'))
        options = []
        index += 1
        while lines[index].startswith("#EXTVLCOPT:"):
            options.append(lines[index])
            index += 1
        entries.append((attributes, title, options, lines[index]))
        index += 1
    return entries


def test_every_stream_is_listed_once_with_its_url() -> None:
    catalog = generate_catalog(seed=5, live=120, films=3000, series=30, episodes=400)
    entries = parse("".join(iter_m3u(catalog, BASE, "user", "pa ss")))
    assert len(entries) == 120 + 3000 + 400
    live, films, episodes = entries[:120], entries[120:3120], entries[3120:]
    for (attributes, title, _, url), channel in zip(live, catalog.live, strict=True):
        assert title == channel.name
        assert attributes["tvg-id"] == channel.epg_channel_id
        assert attributes["group-title"] == catalog.category_names[channel.category_id]
        assert url == f"{BASE}/live/user/pa%20ss/{channel.stream_id}.ts"
    for (attributes, title, _, url), film in zip(films, catalog.films, strict=True):
        assert title == film.name
        assert attributes["tvg-name"] == film.name.replace('"', "")
        assert url == f"{BASE}/movie/user/pa%20ss/{film.stream_id}.{film.container_extension}"
    for (attributes, title, _, url), episode in zip(episodes, catalog.episodes, strict=True):
        show = catalog.series_by_id[episode.series_id]
        assert title == episode.title
        assert attributes["group-title"] == catalog.category_names[show.category_id]
        assert url.endswith(
            f"/series/user/pa%20ss/{episode.episode_id}.{episode.container_extension}"
        )


def test_the_noise_is_where_it_is_documented() -> None:
    catalog = generate_catalog(seed=5, live=300, films=3000, series=5, episodes=20)
    entries = parse("".join(iter_m3u(catalog, BASE, "u", "p")))
    options = {int(url.rsplit("/", 1)[1].split(".")[0]): opts for _, _, opts, url in entries[:300]}
    for stream_id, lines in options.items():
        expected = (stream_id % USER_AGENT_EVERY == 0) + (stream_id % REFERRER_EVERY == 0)
        assert len(lines) == expected
    assert any(len(lines) == 2 for lines in options.values())
    assert all(line.startswith("#EXTVLCOPT:http-") for lines in options.values() for line in lines)
    catchup = [attrs for attrs, *_ in entries[:300] if "catchup" in attrs]
    assert catchup and all(attrs["catchup"] == "default" for attrs in catchup)
    quirky = [title for _, title, _, _ in entries[300:] if ", " in title and '"' in title]
    assert quirky  # titles with commas and double quotes after the comma


def test_the_playlist_comes_in_chunks() -> None:
    catalog = generate_catalog(seed=1, live=10, films=9000, series=2, episodes=4)
    chunks = list(iter_m3u(catalog, BASE, "u", "p"))
    assert len(chunks) > 2
    assert "".join(chunks).count("#EXTINF") == 9014


def test_get_php_and_the_playlist_file_serve_the_same_playlist(
    sim: SimServer, client: httpx.Client
) -> None:
    response = client.get(sim.urls["m3u_url"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "audio/x-mpegurl"
    assert response.text.count("#EXTINF") == 50 + 200 + 150
    assert f"{sim.base_url}/live/demo/demo-pass-1234/1.ts" in response.text
    file_form = client.get(f"{sim.base_url}/playlist.m3u")
    assert file_form.status_code == 200
    assert file_form.content == response.content


def test_get_php_refuses_wrong_credentials_with_an_empty_401(
    sim: SimServer, client: httpx.Client
) -> None:
    response = client.get(
        f"{sim.base_url}/get.php",
        params={"username": "demo", "password": "wrong", "type": "m3u_plus", "output": "ts"},
    )
    assert response.status_code == 401
    assert response.content == b""
