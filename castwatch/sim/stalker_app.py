"""The Stalker / Ministra side of the simulated panel: the web client page and ``load.php``.

Calls follow docs/protocols.md: a handshake hands out a random token, every later call
needs ``Authorization: Bearer <token>`` (else the body is ``Authorization failed.``), and
the account is the MAC address in the ``mac`` cookie. Lists are paged by the server
(``max_page_items``); every page is rendered once and kept as bytes. ``create_link`` turns
any ``cmd`` the portal listed into a URL of the simulator's own streams.

With ``shapes="mixed"`` the rows take every shape of real Ministra portals (see
:mod:`castwatch.sim.stalker_shapes`): stock ``cmd`` values, ``/load/USER/TOKEN`` URLs, half
the series listed among the films with ``is_series`` and their seasons and episodes under
``type=vod``, ``tmdb_id``, relative logos.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import orjson

from castwatch.sim.asgi import Reply, Scope, decode_cookie, header, html_reply, json_reply
from castwatch.sim.asgi import text_reply as _text_reply
from castwatch.sim.catalog import Category, Film, Series, SimCatalog
from castwatch.sim.config import SimConfig
from castwatch.sim.faults import Account, account_state
from castwatch.sim.render import cover_url, poster_url
from castwatch.sim.stalker_shapes import MixedShapes, link_target

PORTAL_PAGE = (
    "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>Stalker Middleware</title>\n"
    "<script src='xpcom.common.js'></script><script src='version.js'></script></head>\n"
    "<body><div id='loading'>Ministra TV platform: loading portal...</div></body></html>\n"
)
AUTH_FAILED = "Authorization failed."
Row = dict[str, Any]


def _js(value: object) -> Reply:
    return json_reply(orjson.dumps({"js": value}))


def _date(timestamp: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(timestamp))


def _page_number(raw: str | None) -> int:
    return max(1, int(raw)) if raw and raw.isdigit() else 1


class StalkerPortal:
    """Answers the Stalker calls for one catalog and MAC; hands out and checks tokens."""

    def __init__(self, catalog: SimCatalog, config: SimConfig, base_url: str) -> None:
        self._catalog = catalog
        self._config = config
        self._base_url = base_url
        self._mac = config.mac.upper()
        self._account = account_state(config.fault)
        self._tokens: set[str] = set()
        self._bodies: dict[tuple[str, ...], bytes] = {}
        self._films_by_category: dict[int, list[Film | Series]] | None = None
        self._series_by_category: dict[int, list[Series]] | None = None
        self._mixed = MixedShapes(catalog, config, base_url) if config.shapes == "mixed" else None
        self._calls: dict[tuple[str, str], Callable[[Mapping[str, str]], Reply]] = {
            ("account_info", "get_main_info"): self._main_info,
            ("itv", "get_genres"): lambda _: self._cached(("genres",), self._genres),
            ("itv", "get_all_channels"): lambda _: self._cached(("channels",), self._channels),
            ("vod", "get_categories"): lambda _: self._categories("vod", catalog.vod_categories),
            ("series", "get_categories"): lambda _: self._categories(
                "series", catalog.series_categories
            ),
            ("vod", "get_ordered_list"): self._vod_page,
            ("series", "get_ordered_list"): self._series_page,
            ("itv", "create_link"): self._create_link,
            ("vod", "create_link"): self._create_link,
        }

    def portal_page(self) -> Reply:
        return html_reply(200, PORTAL_PAGE)

    def load(self, query: Mapping[str, str], scope: Scope) -> Reply:
        kind, action = query.get("type", ""), query.get("action", "")
        if kind == "stb" and action == "handshake":
            token = secrets.token_hex(16).upper()
            self._tokens.add(token)
            return _js({"token": token})
        authorization = header(scope, b"authorization") or ""
        if authorization.removeprefix("Bearer ").strip() not in self._tokens:
            return _text_reply(200, AUTH_FAILED)
        mac = decode_cookie(header(scope, b"cookie")).get("mac", "").upper()
        known = mac == self._mac and self._account is not Account.REFUSED
        if kind == "stb" and action == "get_profile":
            return _js(self._profile(mac, known))
        if not known or self._account is Account.BANNED:
            return _text_reply(200, AUTH_FAILED)
        call = self._calls.get((kind, action))
        if call is None:
            return _js([])
        return call(query)

    def _cached(self, key: tuple[str, ...], render: Callable[[], object]) -> Reply:
        body = self._bodies.get(key)
        if body is None:
            body = self._bodies[key] = orjson.dumps({"js": render()})
        return json_reply(body)

    def _profile(self, mac: str, known: bool) -> Row:
        banned = self._account is Account.BANNED
        return {
            "id": "17" if known else None,
            "name": "",
            "mac": mac,
            "status": 0 if known else 1,
            "blocked": "1" if banned else "0",
            "msg": "" if known else "Your STB is not registered",
            "stb_type": "MAG250",
            "login": "",
            "locale": "en_GB.utf8",
            "tariff_plan_id": "1",
            "expire_billing_date": "2099-12-31 23:59:59",
            "parent_password": "0000",
            "fav_itv_on": "0",
        }

    def _main_info(self, _query: Mapping[str, str]) -> Reply:
        return _js(
            {
                "mac": self._mac,
                "phone": "Valid until 31.12.2099",
                "fname": "",
                "last_change_status": "",
            }
        )

    def _genres(self) -> list[Row]:
        genres: list[Row] = [{"id": "*", "title": "All", "alias": "*", "censored": 0}]
        genres += [
            {"id": str(c.category_id), "title": c.name, "alias": c.name.lower(), "censored": 0}
            for c in self._catalog.live_categories
        ]
        return genres

    def _channels(self) -> Row:
        channels = [self._channel_row(number, c) for number, c in enumerate(self._catalog.live, 1)]
        return {"total_items": len(channels), "max_page_items": len(channels), "data": channels}

    def _channel_row(self, number: int, c: Any) -> Row:
        row: Row = {
            "id": str(c.stream_id),
            "name": c.name,
            "number": str(number),
            "cmd": f"ffrt {self._base_url}/ch/{c.stream_id}",
            "tv_genre_id": str(c.category_id),
            "logo": c.logo,
            "xmltv_id": c.epg_channel_id,
            "censored": 0,
            "tv_archive": 1 if c.archive_days else 0,
        }
        if self._mixed is not None:
            self._mixed.channel(row, c)
        return row

    def _categories(self, kind: str, categories: Sequence[Category]) -> Reply:
        return self._cached(
            (kind, "categories"),
            lambda: [
                {"id": str(c.category_id), "title": c.name, "alias": c.name} for c in categories
            ],
        )

    def _paged(
        self, key: tuple[str, ...], items: Sequence[Any], page: int, row: Callable[[Any], Row]
    ) -> Reply:
        size = self._config.page_size
        return self._cached(
            (*key, str(page)),
            lambda: {
                "total_items": len(items),
                "max_page_items": size,
                "selected_item": 0,
                "cur_page": page,
                "data": [row(item) for item in items[(page - 1) * size : page * size]],
            },
        )

    def _vod_page(self, query: Mapping[str, str]) -> Reply:
        movie_id = query.get("movie_id")
        if movie_id and self._mixed is not None:
            return self._mixed.vod_series_page(query, self._cached)
        if self._films_by_category is None:
            self._films_by_category = {}
            for film in self._catalog.films:
                self._films_by_category.setdefault(film.category_id, []).append(film)
            if self._mixed is not None:
                for category_id, show in self._mixed.vod_series():
                    self._films_by_category.setdefault(category_id, []).append(show)
        category = query.get("category", "*")
        items: Sequence[Film | Series] = self._catalog.films
        if category != "*":
            items = self._films_by_category.get(int(category), []) if category.isdigit() else []
        return self._paged(("vod", category), items, _page_number(query.get("p")), self._vod_row)

    def _vod_row(self, item: Film | Series) -> Row:
        if isinstance(item, Series):
            assert self._mixed is not None
            return self._mixed.vod_series_row(item, self._series_row(item))
        return self._film_row(item)

    def _film_row(self, film: Film) -> Row:
        row: Row = {
            "id": str(film.stream_id),
            "name": film.name,
            "o_name": film.name,
            "year": str(film.year),
            "cmd": f"/media/{film.stream_id}.mpg",
            "category_id": str(film.category_id),
            "screenshot_uri": poster_url(film.stream_id),
            "rating_imdb": film.rating,
            "added": _date(film.added),
            "is_series": "0",
        }
        if self._mixed is not None:
            self._mixed.film(row, film)
        return row

    def _series_page(self, query: Mapping[str, str]) -> Reply:
        page = _page_number(query.get("p"))
        movie_id = query.get("movie_id")
        if movie_id:
            return self._seasons_page(movie_id.partition(":")[0], page)
        if self._series_by_category is None:
            self._series_by_category = {}
            for show in self._mixed.listed_series() if self._mixed else self._catalog.series:
                self._series_by_category.setdefault(show.category_id, []).append(show)
        category = query.get("category", "*")
        shows: Sequence[Series] = self._catalog.series
        if self._mixed is not None:
            shows = self._mixed.listed_series()
        if category != "*":
            shows = self._series_by_category.get(int(category), []) if category.isdigit() else []
        return self._paged(("series", category), shows, page, self._series_row)

    def _series_row(self, show: Series) -> Row:
        return {
            "id": str(show.series_id),
            "name": show.name,
            "o_name": show.name,
            "year": str(show.year),
            "cmd": f"/media/series/{show.series_id}.mpg",
            "category_id": str(show.category_id),
            "screenshot_uri": cover_url(show.series_id),
            "rating_imdb": show.rating,
            "added": _date(show.added),
            "is_series": "1",
        }

    def _seasons_page(self, series_id: str, page: int) -> Reply:
        show = self._catalog.series_by_id.get(int(series_id)) if series_id.isdigit() else None
        seasons: dict[int, list[int]] = {}
        for episode in show.episodes if show else ():
            seasons.setdefault(episode.season, []).append(episode.episode_num)
        rows = [
            {
                "id": f"{series_id}:{season}",
                "name": f"Season {season}",
                "series": numbers,
                "cmd": f"/media/series/{series_id}/{season}.mpg",
                "video_id": series_id,
                "is_season": "1",
            }
            for season, numbers in seasons.items()
        ]
        return self._paged(("seasons", series_id), rows, page, lambda row: row)

    def _create_link(self, query: Mapping[str, str]) -> Reply:
        series = query.get("series", "")
        target = link_target(
            self._catalog,
            query.get("type", ""),
            query.get("cmd", ""),
            int(series) if series.isdigit() else None,
        )
        if target is None:
            return _js({"id": "", "cmd": "", "error": "nothing_to_play"})
        kind, item_id, extension = target
        path = f"/{kind}/{self._config.username}/{self._config.password}/{item_id}.{extension}"
        relative = self._mixed is not None and item_id % 2 == 1 and kind != "live"
        # Some portals answer a path on their own host: the client resolves it.
        url = path if relative else self._base_url + path
        return _js({"id": str(item_id), "cmd": f"ffmpeg {url}", "error": ""})
