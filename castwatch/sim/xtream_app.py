"""The Xtream Codes side of the simulated panel: ``player_api.php``, ``get.php`` and the file.

Answers follow docs/protocols.md, with the types real panels mix: ``stream_id`` a number,
``category_id`` and ``added`` strings, a missing EPG id as ``null``, an empty series as
``[]`` (PHP's empty array). Every list body is rendered once with orjson and kept as bytes,
per action and category filter; ``get_series_info`` bodies are kept per series.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import orjson

from castwatch.sim import naming, xtream_shapes
from castwatch.sim.asgi import PLAYLIST_TYPE, Reply, empty_reply, json_reply
from castwatch.sim.catalog import Category, Series, SimCatalog
from castwatch.sim.config import SimConfig
from castwatch.sim.faults import Account, account_state
from castwatch.sim.render import cover_url, iter_m3u, poster_url

#: A far-off expiry, so that clients that compare it with the clock see an active account.
EXP_DATE = "4102444800"
_REFUSED = b'{"user_info":{"auth":0}}'
Row = dict[str, Any]


def _five_based(rating: str) -> float:
    return round(float(rating) / 2, 1)


class XtreamApi:
    """Answers the Xtream calls for one catalog and account; caches every body it renders."""

    def __init__(self, catalog: SimCatalog, config: SimConfig, base_url: str) -> None:
        self._catalog = catalog
        self._config = config
        self._base_url = base_url
        self._port = str(urlsplit(base_url).port or 80)
        self._account = account_state(config.fault)
        self._lists: dict[tuple[str, str | None], bytes] = {}
        self._info_bodies: dict[int, bytes] = {}
        self._playlist: tuple[bytes, ...] | None = None
        self._mixed = config.shapes == "mixed"
        self._builders: dict[str, Callable[[int | None], list[Row]]] = {
            "get_live_categories": lambda _: self._categories(catalog.live_categories),
            "get_vod_categories": lambda _: self._categories(catalog.vod_categories),
            "get_series_categories": lambda _: self._categories(catalog.series_categories),
            "get_live_streams": self._live_streams,
            "get_vod_streams": self._vod_streams,
            "get_series": self._series_list,
        }

    def _credentials_ok(self, query: Mapping[str, str]) -> bool:
        return (
            query.get("username") == self._config.username
            and query.get("password") == self._config.password
        )

    # -- get.php and the playlist file ------------------------------------------------------

    def get_php(self, query: Mapping[str, str]) -> Reply:
        if not self._credentials_ok(query) or self._account is Account.REFUSED:
            return empty_reply(401)
        if self._account is Account.BANNED:
            return empty_reply(403)
        return self.playlist_file()

    def playlist_file(self) -> Reply:
        if self._playlist is None:
            chunks = iter_m3u(
                self._catalog, self._base_url, self._config.username, self._config.password
            )
            self._playlist = tuple(chunk.encode() for chunk in chunks)
        return Reply(200, PLAYLIST_TYPE, self._playlist, "playlist")

    # -- player_api.php ---------------------------------------------------------------------

    def player_api(self, query: Mapping[str, str]) -> Reply:
        if not self._credentials_ok(query) or self._account is Account.REFUSED:
            return json_reply(_REFUSED)
        action = query.get("action")
        if not action:
            return json_reply(self._login())
        if self._account is Account.BANNED:
            return json_reply(b"[]")
        if action == "get_series_info":
            return json_reply(self._series_info_body(query.get("series_id", "")))
        build = self._builders.get(action)
        if build is None:
            return json_reply(b"[]")  # panels answer unknown actions with an empty list
        category = query.get("category_id") or None
        if action.endswith("_categories"):
            category = None
        key = (action, category)
        body = self._lists.get(key)
        if body is None:
            wanted = None if category is None else (int(category) if category.isdigit() else -1)
            body = self._lists[key] = orjson.dumps(build(wanted))
        return json_reply(body)

    def _login(self) -> bytes:
        now = int(time.time())
        user_info = {
            "username": self._config.username,
            "password": self._config.password,
            "message": "Welcome",
            "auth": 1,
            "status": "Banned" if self._account is Account.BANNED else "Active",
            "exp_date": EXP_DATE,
            "is_trial": "0",
            "active_cons": "0",
            "created_at": "1600000000",
            "max_connections": "1",
            "allowed_output_formats": ["m3u8", "ts", "rtmp"],
        }
        server_info = {
            "url": "127.0.0.1",
            "port": self._port,
            "https_port": "8443",
            "server_protocol": "http",
            "rtmp_port": "8880",
            "timezone": "Europe/Paris",
            "timestamp_now": now,
            "time_now": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(now)),
        }
        return orjson.dumps({"user_info": user_info, "server_info": server_info})

    @staticmethod
    def _categories(categories: Sequence[Category]) -> list[Row]:
        return [
            {"category_id": str(c.category_id), "category_name": c.name, "parent_id": 0}
            for c in categories
        ]

    def _live_streams(self, category: int | None) -> list[Row]:
        rows = [
            {
                "num": num,
                "name": c.name,
                "stream_type": "live",
                "stream_id": c.stream_id,
                "stream_icon": c.logo,
                "epg_channel_id": c.epg_channel_id or None,
                "added": str(c.added),
                "is_adult": "0",
                "category_id": str(c.category_id),
                "custom_sid": "",
                "tv_archive": 1 if c.archive_days else 0,
                "direct_source": "",
                "tv_archive_duration": c.archive_days,
            }
            for num, c in enumerate(self._catalog.live, 1)
            if category is None or c.category_id == category
        ]
        return [xtream_shapes.live_row(row) for row in rows] if self._mixed else rows

    def _vod_streams(self, category: int | None) -> list[Row]:
        rows = [
            {
                "num": num,
                "name": f.name,
                "stream_type": "movie",
                "stream_id": f.stream_id,
                "stream_icon": poster_url(f.stream_id),
                "rating": f.rating,
                "rating_5based": _five_based(f.rating),
                "added": str(f.added),
                "is_adult": "0",
                "category_id": str(f.category_id),
                "container_extension": f.container_extension,
                "custom_sid": "",
                "direct_source": "",
                "tmdb": f.tmdb or "",
                "year": str(f.year),
            }
            for num, f in enumerate(self._catalog.films, 1)
            if category is None or f.category_id == category
        ]
        return [xtream_shapes.film_row(row) for row in rows] if self._mixed else rows

    def _series_row(self, show: Series) -> Row:
        sid = show.series_id
        return {
            "name": show.name,
            "series_id": sid,
            "cover": cover_url(sid),
            "plot": f"A story of {naming.EN_NOUNS[sid % len(naming.EN_NOUNS)].lower()}s.",
            "cast": ", ".join(naming.PEOPLE[(sid + k) % len(naming.PEOPLE)] for k in range(3)),
            "director": naming.PEOPLE[(sid * 7) % len(naming.PEOPLE)],
            "genre": naming.GENRES[sid % len(naming.GENRES)],
            "releaseDate": f"{show.year}-{sid % 12 + 1:02d}-{sid % 28 + 1:02d}",
            "last_modified": str(show.added),
            "rating": show.rating,
            "rating_5based": _five_based(show.rating),
            "backdrop_path": [],
            "youtube_trailer": "",
            "episode_run_time": "45",
            "category_id": str(show.category_id),
            "tmdb": show.tmdb or "",
        }

    def _series_list(self, category: int | None) -> list[Row]:
        rows = [
            {"num": num, **self._series_row(show)}
            for num, show in enumerate(self._catalog.series, 1)
            if category is None or show.category_id == category
        ]
        return [xtream_shapes.series_row(row) for row in rows] if self._mixed else rows

    def _series_info_body(self, series_id: str) -> bytes:
        show = self._catalog.series_by_id.get(int(series_id)) if series_id.isdigit() else None
        if show is None:
            return b"[]"
        body = self._info_bodies.get(show.series_id)
        if body is None:
            body = self._info_bodies[show.series_id] = orjson.dumps(self._series_info(show))
        return body

    def _series_info(self, show: Series) -> Any:
        cover = cover_url(show.series_id)
        seasons: dict[str, list[Row]] = {}
        for episode in show.episodes:
            seasons.setdefault(str(episode.season), []).append(
                {
                    "id": str(episode.episode_id),
                    "episode_num": episode.episode_num,
                    "title": episode.title,
                    "container_extension": episode.container_extension,
                    "info": {
                        "duration_secs": 2700,
                        "duration": "00:45:00",
                        "movie_image": cover,
                        "plot": "",
                        "rating": show.rating,
                    },
                    "custom_sid": "",
                    "added": str(episode.added),
                    "season": episode.season,
                    "direct_source": "",
                }
            )
        season_rows = [
            {
                "air_date": f"{show.year + int(number) - 1}-09-01",
                "episode_count": len(episodes),
                "id": show.series_id * 100 + int(number),
                "name": f"Season {number}",
                "overview": "",
                "season_number": int(number),
                "cover": cover,
                "cover_big": cover,
            }
            for number, episodes in seasons.items()
        ]
        if self._mixed:
            by_number = {
                int(number): [xtream_shapes.episode_row(row, int(row["id"])) for row in rows]
                for number, rows in seasons.items()
            }
            return xtream_shapes.series_info(
                show.series_id, by_number, season_rows, self._series_row(show)
            )
        return {
            # PHP encodes an empty array as [], so a series without episodes says so.
            "seasons": season_rows,
            "info": self._series_row(show),
            "episodes": seasons or [],
        }
