"""Player-API rows to entries: every shape of every field, and the rows that cannot be read.

Real panels disagree on almost every field: ids arrive as numbers or strings and, for
episodes, under ``id``, ``episode_id`` or ``stream_id``; images as a string or a list;
durations as ``HH:MM:SS`` or seconds; ``tmdb`` or ``tmdb_id``, number or string. Each is
read here in one place (``docs/protocols.md`` lists them). A row that cannot be read (no
id, an id unfit for a URL, not an object at all) is skipped and counted in the
:class:`~castwatch.sources.budget.BadRows` budget instead of failing the read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from castwatch.catalog import Entry, EntryKind, redact_url
from castwatch.catalog.credentials import PASSWORD, USERNAME
from castwatch.sources.budget import BadRows
from castwatch.sources.fields import entry_name, finite_float

JsonObject = dict[str, Any]
#: Makes one entry of an admitted row (its id and the shared fields given), or ``None``.
_Build = Callable[[JsonObject, str, JsonObject], Entry | None]

#: What may go into a URL path or a file name: a number, or a short token without dots,
#: slashes or a leading dash (``../../../etc/passwd`` and ``-i`` are neither).
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_SAFE_CONTAINER = re.compile(r"[A-Za-z0-9]{1,10}")
#: Where an episode's id may be, in the order panels are believed.
_EPISODE_ID_KEYS = ("id", "episode_id", "stream_id")
_UNSAFE = "is not a number or a safe token (letters, digits, _ and -)"


class EntryBuilder:
    """Turns player-API rows into entries for one panel and one account.

    Exists to keep the per-row work in one tight place (a full read is some 200,000 rows, so
    every lookup counts) and to count the rows it had to skip in one error budget. Without a
    ``budget`` it keeps its own that never fails, for callers that only want the entries.
    """

    def __init__(self, base_url: str, credential: int, budget: BadRows | None = None) -> None:
        self._live_url = f"{base_url}live/{USERNAME}/{PASSWORD}/"
        self._movie_url = f"{base_url}movie/{USERNAME}/{PASSWORD}/"
        self._episode_url = f"{base_url}series/{USERNAME}/{PASSWORD}/"
        self._credential = credential
        self._seen: set[str] = set()
        self.budget = budget if budget is not None else BadRows(max_fraction=1.0)

    def warnings(self) -> list[str]:
        """One line per list and reason of skipped or repeated rows."""
        return self.budget.warnings()

    def _admit(self, list_name: str, prefix: str, field: str, row: Any, value: Any) -> str | None:
        """The entry key for a row's id, or ``None`` after counting why the row was dropped."""
        if not isinstance(row, dict):
            self.budget.skip(list_name, f"a row is a JSON {_kind(row)}, not an object", row)
            return None
        row_id = _id(value)
        if row_id is None:
            self.budget.skip(list_name, f"no {field}", row)
            return None
        if not _safe(row_id):
            self.budget.skip(list_name, f"{field} {_UNSAFE}", row)
            return None
        key = prefix + row_id
        if key in self._seen:
            # A repeat loses nothing: the first row of that id is kept.
            self.budget.note(list_name, f"repeated {field} (the first row was kept)", row)
            return None
        self._seen.add(key)
        return key

    def _container(self, list_name: str, row: JsonObject) -> tuple[bool, str | None]:
        """``(usable, extension)``: an extension goes into the URL, so it must be plain."""
        container = _text(row.get("container_extension"))
        if container is None or _SAFE_CONTAINER.fullmatch(container):
            return True, container
        self.budget.skip(list_name, "container_extension is not a plain extension", row)
        return False, None

    def live(self, rows: list[Any], categories: list[Any]) -> list[Entry]:
        """Live channels: ``live:{stream_id}``, played at ``/live/U/P/{id}.ts``."""
        return self._read("live streams", "live:", "stream_id", rows, categories, self._live)

    def films(self, rows: list[Any], categories: list[Any]) -> list[Entry]:
        """Films: ``film:{stream_id}``, played at ``/movie/U/P/{id}.{container}``."""
        return self._read("films", "film:", "stream_id", rows, categories, self._film)

    def series(self, rows: list[Any], categories: list[Any]) -> list[Entry]:
        """Series: ``series:{series_id}``, containers without a URL of their own."""
        return self._read("series", "series:", "series_id", rows, categories, self._series)

    def _read(
        self,
        list_name: str,
        prefix: str,
        field: str,
        rows: list[Any],
        categories: list[Any],
        build: _Build,
    ) -> list[Entry]:
        """The entries ``build`` makes of the rows admitted, with their category named."""
        groups = _category_names(categories)
        entries: list[Entry] = []
        for row in rows:
            key = self._admit(list_name, prefix, field, row, _get(row, field))
            if key is None:
                continue
            category_id = _category_id(row)
            # What every kind's entry holds the same way, given to the builder as keywords.
            head = {
                "key": key,
                "name": entry_name(row.get("name")),
                "group": groups.get(category_id),
                "category_id": category_id,
            }
            entry = build(row, key[len(prefix) :], head)
            if entry is None:
                self._seen.discard(key)  # refused after all: a later row of that id may serve
                continue
            entries.append(entry)
        return entries

    def _live(self, row: JsonObject, stream_id: str, head: JsonObject) -> Entry:
        return Entry(
            kind=EntryKind.LIVE,
            **head,
            url=f"{self._live_url}{stream_id}.ts",
            credential=self._credential,
            tvg_id=_text(row.get("epg_channel_id")),
            tvg_logo=_image(row.get("stream_icon")),
            stream_id=stream_id,
            added=_epoch(row.get("added")),
            extra=_extra(row, _LIVE_EXTRA),
        )

    def _film(self, row: JsonObject, stream_id: str, head: JsonObject) -> Entry | None:
        usable, container = self._container("films", row)
        if not usable:
            return None
        return Entry(
            kind=EntryKind.FILM,
            **head,
            url=f"{self._movie_url}{stream_id}.{container or 'mp4'}",
            credential=self._credential,
            tvg_logo=_image(row.get("stream_icon") or row.get("cover")),
            stream_id=stream_id,
            container=container,
            added=_epoch(row.get("added")),
            year=_year(row.get("year")),
            rating=_float(row.get("rating")),
            tmdb_id=_tmdb(row),
            extra=_extra(row, _FILM_EXTRA),
        )

    def _series(self, row: JsonObject, series_id: str, head: JsonObject) -> Entry:
        return Entry(
            kind=EntryKind.SERIES,
            **head,
            tvg_logo=_image(row.get("cover") or row.get("stream_icon")),
            series_id=series_id,
            added=_epoch(row.get("last_modified")),
            year=_year(row.get("year") or row.get("releaseDate")),
            rating=_float(row.get("rating")),
            tmdb_id=_tmdb(row),
            extra=_extra(row, _SERIES_EXTRA),
        )

    def episodes(self, series: list[Entry], episodes: dict[str, list[Any]]) -> list[Entry]:
        """Episodes: ``episode:{id}``, played at ``/series/U/P/{id}.{container}``."""
        entries: list[Entry] = []
        for parent in series:
            for row in episodes.get(parent.series_id or "", ()):
                key = self._admit("episodes", "episode:", "episode id", row, _episode_id(row))
                if key is None:
                    continue
                usable, container = self._container("episodes", row)
                if not usable:
                    self._seen.discard(key)
                    continue
                entries.append(self._episode(parent, row, key[8:], container))
        return entries

    def _episode(
        self, parent: Entry, row: JsonObject, episode_id: str, container: str | None
    ) -> Entry:
        season = _int(row.get("season"))
        number = _int(row.get("episode_num"))
        info = row.get("info")
        # PHP sends an empty info as [] rather than {}.
        info = info if isinstance(info, dict) else {}
        return Entry(
            kind=EntryKind.EPISODE,
            key=f"episode:{episode_id}",
            name=entry_name(row.get("title")) or f"{parent.name} {_episode_code(season, number)}",
            group=parent.group,
            url=f"{self._episode_url}{episode_id}.{container or 'mp4'}",
            credential=self._credential,
            tvg_logo=_image(info.get("movie_image") or info.get("cover") or row.get("stream_icon")),
            series_id=parent.series_id,
            episode_id=episode_id,
            season=season,
            episode_num=number,
            category_id=parent.category_id,
            container=container,
            added=_epoch(row.get("added")),
            tmdb_id=_tmdb(info) or _tmdb(row),
            duration=_duration(info),
            extra=_extra(row, _EPISODE_EXTRA),
        )


# Fields kept verbatim in Entry.extra when the panel fills them in.
_LIVE_EXTRA = ("tv_archive", "tv_archive_duration", "custom_sid", "direct_source")
_FILM_EXTRA = ("custom_sid", "direct_source")
_SERIES_EXTRA = ("genre", "director", "cast", "releaseDate", "plot")
_EPISODE_EXTRA = ("direct_source",)
_EMPTY = (None, "", 0, "0")


def _episode_code(season: int | None, number: int | None) -> str:
    return f"S{season or 0:02}E{number or 0:02}"


def _get(row: Any, key: str) -> Any:
    return row.get(key) if isinstance(row, dict) else None


def _episode_id(row: Any) -> Any:
    if not isinstance(row, dict):
        return None
    for key in _EPISODE_ID_KEYS:
        value = row.get(key)
        if value not in (None, ""):
            return value
    return None


def _safe(row_id: str) -> bool:
    # Nearly every id is a plain number: test that first, it is the cheap case.
    return (row_id.isascii() and row_id.isdigit()) or _SAFE_ID.fullmatch(row_id) is not None


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {str: "string", int: "number", float: "number", bool: "boolean", list: "list"}.get(
        type(value), type(value).__name__
    )


def _extra(row: JsonObject, keys: tuple[str, ...]) -> dict[str, str]:
    extra = {}
    for key in keys:
        value = row.get(key)
        if value not in _EMPTY:
            # direct_source may carry the upstream's own credentials: never store them raw.
            text = str(value)  # panels send numbers and nulls where strings belong
            extra[key] = redact_url(text) if key == "direct_source" else text
    return extra


def _category_names(categories: list[Any]) -> dict[str | None, str]:
    names: dict[str | None, str] = {}
    for category in categories:
        if not isinstance(category, dict):
            continue  # a category that is no object names nothing; its rows lose a label only
        category_id = _id(category.get("category_id"))
        if category_id is not None:
            names[category_id] = entry_name(category.get("category_name"))
    return names


def _category_id(row: JsonObject) -> str | None:
    category_id = _id(row.get("category_id"))
    if category_id is None:
        # Newer panels list several categories (numbers); the first is the one players show.
        ids = row.get("category_ids")
        if isinstance(ids, list) and ids:
            category_id = _id(ids[0])
    return category_id


def _tmdb(row: JsonObject) -> str | None:
    value = row.get("tmdb")
    if value in _EMPTY:
        value = row.get("tmdb_id")
    return None if value in _EMPTY else _id(value)


def _image(value: Any) -> str | None:
    """An image URL given as a string or as a list of them (the first string wins)."""
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, str) and item.strip()), None)
    if not isinstance(value, str):
        return None
    return value.strip() or None


def _duration(info: JsonObject) -> float | None:
    """Seconds from ``duration_secs``, else from ``duration`` as ``[HH:]MM:SS`` or seconds."""
    seconds = _float(info.get("duration_secs"))
    if seconds is not None and seconds > 0:
        return seconds
    text = info.get("duration")
    if isinstance(text, str) and ":" in text:
        parts = text.strip().split(":")
        if 2 <= len(parts) <= 3 and all(part.isascii() and part.isdigit() for part in parts):
            total = 0
            for part in parts:
                total = total * 60 + int(part)
            return float(total) if total > 0 else None
        return None
    seconds = _float(text)
    return seconds if seconds is not None and seconds > 0 else None


def _id(value: Any) -> str | None:
    """An identifier as text: panels send ids as numbers or strings."""
    if type(value) is str:
        return value.strip() or None
    if type(value) is int:
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return None


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return value if type(value) is str else str(value)


def _int(value: Any) -> int | None:
    if type(value) is int:
        return value
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        # OverflowError: an infinite float; _float turns it (and nan) into None.
        number = _float(value)
        return int(number) if number is not None else None


def _float(value: Any) -> float | None:
    return None if isinstance(value, bool) else finite_float(value)


def _year(value: Any) -> int | None:
    if type(value) is int:
        return value if 1800 < value < 2200 else None
    if type(value) is str and len(value) >= 4 and value[:4].isdigit():
        year = int(value[:4])
        return year if 1800 < year < 2200 else None
    return None


def _epoch(value: Any) -> datetime | None:
    """A Unix timestamp (number or string) as an aware UTC datetime."""
    seconds = _int(value)
    if not seconds or seconds < 0:
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None
