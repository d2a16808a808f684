"""A hand-written Ministra portal for tests: rows in every shape real portals send.

The fixtures are written here from the shapes documented in docs/protocols.md (Stalker
section); nothing is copied from another project. Each test builds a :class:`ShapesPortal`,
changes the rows or answers it needs, and serves it with the ``serve`` fixture.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import orjson

Scope = dict[str, Any]
Send = Callable[[dict[str, Any]], Awaitable[None]]
Answer = Any  # a JSON value sent as {"js": ...}, or bytes sent as they are

MAC = "00:1A:79:AB:CD:EF"
USER = "box-user-4471"
TOKEN = "DEVTOKEN9F3A"


def ticket(payload: dict[str, Any]) -> str:
    """A base64 JSON ``cmd`` as Ministra writes them."""
    return base64.b64encode(orjson.dumps(payload)).decode()


def channels() -> list[dict[str, Any]]:
    """One live channel per cmd shape, logos absolute, absolute-path and bare."""
    return [
        {"id": "100", "name": "Stock", "cmd": "ffmpeg http://localhost/ch/100_",
         "tv_genre_id": "1", "logo": "/stalker_portal/misc/logos/320/100.png"},
        {"id": "101", "name": "Loaded", "tv_genre_id": "1", "logo": "101.png",
         "cmd": f"ffmpeg http://cdn.example:8000/load/{USER}/{TOKEN}/101.mpegts"},
        {"id": "102", "name": "Play token", "tv_genre_id": "1", "added": "1700000000",
         "logo": "http://img.example/102.png",
         "cmd": f"ffrt http://cdn.example/play/live.php?mac={MAC}&stream=102&extension=ts"
                f"&play_token={TOKEN}"},
    ]  # fmt: skip


def films() -> list[dict[str, Any]]:
    """The VOD listing: films, ``is_series`` rows in every spelling, one embedded series."""
    return [
        {"id": "1", "name": "Plain film", "cmd": "/media/1.mpg", "is_series": "0",
         "tmdb_id": 603, "added": "2024-03-01 20:15:00",
         "screenshot_uri": "/stalker_portal/screenshots/1.jpg"},
        {"id": "2", "name": "Ticket film", "cmd": "eyJ0eXBlIjoibW92aWUiIn0=", "is_series": 0,
         "tmdb_id": "0", "screenshot_uri": "2.jpg"},
        {"id": "3", "name": "Flag text", "is_series": "1", "tmdb_id": "1399",
         "cmd": ticket({"type": "series", "series_id": 3})},
        {"id": "4", "name": "Flag number", "is_series": 1, "cmd": ticket({"type": "series"})},
        {"id": "5", "name": "Flag bool", "is_series": True, "cmd": "/media/5.mpg"},
        {"id": "6", "name": "Multi-part", "is_series": "0", "series": [1, 2, 3],
         "cmd": "/media/6.mpg"},
        {"name": "No id at all", "cmd": "/media/7.mpg"},
    ]  # fmt: skip


def vod_seasons() -> dict[str, Any]:
    """``movie_id -> seasons answer`` (paged object or bare list, with or without numbers)."""
    return {
        "3": {"total_items": 2, "max_page_items": 14, "data": [
            {"id": "3:1", "video_id": "3", "season_number": "1", "name": "Season 1",
             "is_season": True},
            {"id": "3:2", "video_id": "3", "name": "Season 2", "is_season": 1},
        ]},
        "4": [{"id": "s41", "video_id": "4", "name": "Season 7", "is_season": True}],
        "5": "the seasons of this series are not a list",
    }  # fmt: skip


def vod_episodes() -> dict[tuple[str, str], Any]:
    """``(movie_id, season_id) -> episodes answer``."""
    return {
        ("3", "3:1"): [
            {"id": "31", "series_number": 1, "name": "Pilot", "is_episode": True,
             "cmd": ticket({"type": "series", "series_id": 3, "season_id": 1, "episode_id": 31}),
             "added": "2023-01-02 03:04:05", "screenshot_uri": "/s/31.jpg"},
            {"id": "32", "name": "Episode 2", "is_episode": True,
             "cmd": ticket({"type": "series", "series_id": 3, "season_id": 1, "episode_id": 32})},
            {"id": "f1", "name": "file of episode 2", "is_file": True, "is_episode": False},
            17,
        ],
        ("3", "3:2"): {"total_items": 1, "max_page_items": 14, "data": [
            {"id": "33", "series_number": "1", "name": "Back", "is_episode": 1,
             "cmd": f"ffmpeg http://cdn.example/load/{USER}/{TOKEN}/33.mkv"},
        ]},
        ("4", "s41"): [{"id": "41", "name": "Episode 9", "cmd": "/media/41.mpg"}],
    }  # fmt: skip


@dataclass
class ShapesPortal:
    """An ASGI portal answering from the tables above; ``links`` answers ``create_link``."""

    channels: list[dict[str, Any]] = field(default_factory=channels)
    films: list[dict[str, Any]] = field(default_factory=films)
    vod_seasons: dict[str, Any] = field(default_factory=vod_seasons)
    vod_episodes: dict[tuple[str, str], Any] = field(default_factory=vod_episodes)
    #: ``create_link`` answer for a query; default: a URL naming the cmd it was given.
    links: Callable[[dict[str, str]], Answer] | None = None
    link_queries: list[dict[str, str]] = field(default_factory=list)
    requests: int = 0

    async def __call__(self, scope: Scope, receive: Any, send: Send) -> None:
        if scope["type"] != "http":
            return
        self.requests += 1
        query = {k: v[0] for k, v in parse_qs(scope["query_string"].decode()).items()}
        answer = self.answer(query)
        if isinstance(answer, bytes):
            await _send_raw(send, answer)
        else:
            await _send_raw(send, orjson.dumps({"js": answer}))

    def answer(self, query: dict[str, str]) -> Answer:
        action = (query.get("type"), query.get("action"))
        if action == ("stb", "handshake"):
            return {"token": "T1"}
        if action == ("stb", "get_profile"):
            return {"status": 0, "blocked": "0"}
        if action == ("itv", "get_genres"):
            return [{"id": "1", "title": "News"}]
        if action == ("itv", "get_all_channels"):
            return {"total_items": len(self.channels), "data": self.channels}
        if action == ("vod", "get_categories"):
            return [{"id": "*", "title": "All"}, {"id": "10", "title": "Films"}]
        if action == ("vod", "get_ordered_list"):
            movie = query.get("movie_id")
            if movie is None:
                return {"total_items": len(self.films), "max_page_items": 50, "data": self.films}
            season = query.get("season_id", "0")
            if season == "0":
                return self.vod_seasons.get(movie, [])
            return self.vod_episodes.get((movie, season), [])
        if action[1] == "create_link":
            self.link_queries.append(query)
            if self.links is not None:
                return self.links(query)
            return {"cmd": f"ffmpeg http://play.example/{query['type']}/{len(self.link_queries)}"}
        return []


async def _send_raw(send: Send, body: bytes) -> None:
    headers = [(b"content-type", b"text/html"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
