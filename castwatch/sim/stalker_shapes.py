"""The shapes real Ministra portals give their rows, served by the simulator's ``mixed`` mode.

Every shape is rotated across rows, deterministically by id, so that one ingest meets them
all (docs/protocols.md, Stalker section, lists them):

* live ``cmd``: ``ffrt http://HOST/ch/ID`` (the canonical one), the stock
  ``ffmpeg http://localhost/ch/ID_``, ``ffmpeg http://HOST/load/USER/TOKEN/ID.mpegts`` and
  ``ffmpeg http://HOST/play/live.php?mac=MAC&stream=ID&extension=ts&play_token=TOKEN``;
* film ``cmd``: ``/media/ID.mpg``, base64 JSON ``{"type": "movie", "id": ID}`` and
  ``ffmpeg http://localhost/media/ID.mpg``; ``tmdb_id``; ``is_series`` as ``"0"``, ``0``,
  ``false``;
* logos as absolute URLs, absolute paths (``/stalker_portal/misc/logos/320/ID.png``) and
  bare names (``ID.png``);
* every other series listed among the films with ``is_series`` ``"1"``, ``1`` or ``true``,
  its seasons under ``type=vod&movie_id=ID&season_id=0`` and its episodes under
  ``season_id=SEASON``, each episode with its own base64 JSON ``cmd``; seasons come as a
  paged object or a bare list, with or without ``season_number``.

``create_link`` (:func:`link_target`) maps any of these ``cmd`` values back to the stream.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import orjson

from castwatch.sim.asgi import Reply
from castwatch.sim.catalog import Episode, Film, LiveChannel, Series, SimCatalog
from castwatch.sim.config import SimConfig

Row = dict[str, Any]
Cache = Callable[[tuple[str, ...], Callable[[], object]], Reply]
_LIVE_ID = re.compile(r"(?:/ch/|/load/[^/]+/[^/]+/|[?&]stream=)(\d+)")
_MEDIA_FILM = re.compile(r"/media/(\d+)\.mpg$")
_MEDIA_SEASON = re.compile(r"/media/series/(\d+)/(\d+)\.mpg$")


def ticket(payload: Mapping[str, Any]) -> str:
    """A base64 JSON ``cmd``, as Ministra writes them for films and episodes."""
    return base64.b64encode(orjson.dumps(dict(payload))).decode()


def device_token(mac: str) -> str:
    """The device token the portal puts into ``/load/`` URLs and ``play_token``: stable."""
    return hashlib.sha256(f"token:{mac.upper()}".encode()).hexdigest()[:20].upper()


class MixedShapes:
    """Rewrites canonical rows into the shapes above and answers the VOD-series calls."""

    def __init__(self, catalog: SimCatalog, config: SimConfig, base_url: str) -> None:
        self._catalog = catalog
        self._config = config
        self._base_url = base_url
        self._token = device_token(config.mac)
        self._vod_categories = [c.category_id for c in catalog.vod_categories]
        self._vod_category = {show.series_id: category for category, show in self.vod_series()}

    def channel(self, row: Row, channel: LiveChannel) -> None:
        """Rotate a live row's ``cmd`` and logo; add ``added``."""
        sid = channel.stream_id
        shapes = (
            row["cmd"],
            f"ffmpeg http://localhost/ch/{sid}_",
            f"ffmpeg {self._base_url}/load/{self._config.username}/{self._token}/{sid}.mpegts",
            f"ffmpeg {self._base_url}/play/live.php?mac={self._config.mac}&stream={sid}"
            f"&extension=ts&play_token={self._token}",
        )
        row["cmd"] = shapes[sid % len(shapes)]
        row["logo"] = self._logo(row["logo"], sid)
        row["added"] = str(channel.added)  # a Unix time, as some portals send it

    def film(self, row: Row, film: Film) -> None:
        """Rotate a film row's ``cmd``, ``is_series`` spelling and logo; add ``tmdb_id``."""
        sid = film.stream_id
        shapes = (
            row["cmd"],
            ticket({"type": "movie", "id": sid}),
            f"ffmpeg http://localhost/media/{sid}.mpg",
        )
        row["cmd"] = shapes[sid % len(shapes)]
        row["is_series"] = ("0", 0, False)[sid % 3]
        row["screenshot_uri"] = self._logo(row["screenshot_uri"], sid)
        row["tmdb_id"] = int(film.tmdb) if film.tmdb and film.tmdb.isdigit() else film.tmdb
        # A multi-part film lists its parts in ``series``: an empty list means one part.
        row["series"] = []

    def vod_series(self) -> Iterator[tuple[int, Series]]:
        """``(VOD category id, series)`` of every series listed among the films."""
        for index, show in enumerate(self._catalog.series):
            if index % 2 == 0 and self._vod_categories:
                yield self._vod_categories[index // 2 % len(self._vod_categories)], show

    def listed_series(self) -> Sequence[Series]:
        """The series still listed under ``type=series``."""
        return self._catalog.series[1::2]

    def vod_series_row(self, show: Series, row: Row) -> Row:
        """A series row as the VOD listing shows it."""
        row.update(
            cmd=ticket({"type": "series", "series_id": show.series_id}),
            is_series=("1", 1, True)[show.series_id % 3],
            tmdb_id=show.tmdb or "",
            screenshot_uri=self._logo(row["screenshot_uri"], show.series_id),
        )
        row["category_id"] = str(self._vod_category.get(show.series_id, ""))
        return row

    def vod_series_page(self, query: Mapping[str, str], cache: Cache) -> Reply:
        """Seasons (``season_id=0``) or one season's episodes of a VOD-listed series."""
        movie_id = query.get("movie_id", "").partition(":")[0]
        season_id = query.get("season_id", "0")
        show = self._catalog.series_by_id.get(int(movie_id)) if movie_id.isdigit() else None
        key = ("vod-series", movie_id, season_id)
        if show is None:
            return cache(key, list)
        if season_id in ("", "0"):
            rows = self._seasons(show)
        else:
            season = season_id.rpartition(":")[2]
            rows = [
                self._episode_row(show, episode)
                for episode in show.episodes
                if str(episode.season) == season
            ]
        if show.series_id % 2:
            return cache(key, lambda: rows)  # unpaged: a bare list
        return cache(
            key,
            lambda: {"total_items": len(rows), "max_page_items": max(1, len(rows)), "data": rows},
        )

    def _seasons(self, show: Series) -> list[Row]:
        rows = []
        for season in sorted({episode.season for episode in show.episodes}):
            row: Row = {
                "id": f"{show.series_id}:{season}",
                "video_id": str(show.series_id),
                "name": f"Season {season}",
                "is_season": True if show.series_id % 4 < 2 else 1,
            }
            if show.series_id % 3:
                row["season_number"] = str(season)
            rows.append(row)
        return rows

    def _episode_row(self, show: Series, episode: Episode) -> Row:
        row: Row = {
            "id": str(episode.episode_id),
            "name": f"Episode {episode.episode_num}",
            "cmd": ticket(
                {
                    "type": "series",
                    "series_id": show.series_id,
                    "season_id": episode.season,
                    "episode_id": episode.episode_id,
                }
            ),
            "is_episode": True,
            "added": str(episode.added),
            "screenshot_uri": f"/stalker_portal/screenshots/e{episode.episode_id}.jpg",
        }
        if episode.episode_id % 2:
            row["series_number"] = episode.episode_num
        return row

    def _logo(self, url: str, item_id: int) -> str:
        shapes = (url, f"/stalker_portal/misc/logos/320/{item_id}.png", f"{item_id}.png")
        return shapes[item_id % len(shapes)]


def link_target(
    catalog: SimCatalog, kind: str, cmd: str, series: int | None
) -> tuple[str, int, str] | None:
    """``(path kind, id, extension)`` of the stream a ``create_link`` call names, or None.

    Path kinds are the simulator's stream families: ``live`` (HLS), ``movie``, ``series``.
    """
    if kind == "itv":
        match = _LIVE_ID.search(cmd)
        sid = int(match[1]) if match else 0
        return ("live", sid, "m3u8") if 1 <= sid <= len(catalog.live) else None
    if kind != "vod":
        return None
    text = cmd.strip().rpartition(" ")[2]
    payload = _decoded(text)
    if payload is not None:
        if payload.get("type") == "movie":
            return _film(catalog, _number(payload.get("id")))
        if payload.get("type") == "series":
            return _episode(catalog, _number(payload.get("episode_id")))
        return None
    if match := _MEDIA_FILM.search(text):
        return _film(catalog, int(match[1]))
    if (match := _MEDIA_SEASON.search(text)) and series is not None:
        show = catalog.series_by_id.get(int(match[1]))
        for episode in show.episodes if show else ():
            if episode.season == int(match[2]) and episode.episode_num == series:
                return "series", episode.episode_id, episode.container_extension
    return None


def _decoded(text: str) -> dict[str, Any] | None:
    if not text.startswith("eyJ"):
        return None  # base64 JSON starts with the encoding of '{"'; this is a path or URL
    try:
        payload = orjson.loads(base64.b64decode(text, validate=True))
    except (ValueError, orjson.JSONDecodeError):
        return None
    return payload if isinstance(payload, dict) else None


def _number(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _film(catalog: SimCatalog, stream_id: int) -> tuple[str, int, str] | None:
    films = catalog.films
    index = stream_id - films[0].stream_id if films else -1
    if 0 <= index < len(films) and films[index].stream_id == stream_id:
        return "movie", stream_id, films[index].container_extension
    return None


def _episode(catalog: SimCatalog, episode_id: int) -> tuple[str, int, str] | None:
    episodes = catalog.episodes
    index = episode_id - episodes[0].episode_id if episodes else -1
    if 0 <= index < len(episodes) and episodes[index].episode_id == episode_id:
        return "series", episode_id, episodes[index].container_extension
    return None
