"""Read an Xtream Codes panel into an Inventory: live channels, films, series and episodes.

The wire protocol lives in :mod:`castwatch.sources.clients.xtream`; this module turns its
answers into :class:`~castwatch.catalog.Entry` rows. A panel whose ``player_api.php`` is
missing is read through its ``get.php`` M3U playlist instead, with a warning.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit, urlunsplit

import orjson

from castwatch.catalog import Credentials, Entry, EntryKind, Inventory, ServiceKind, redact_url
from castwatch.catalog.credentials import PASSWORD, USERNAME
from castwatch.errors import SourceError
from castwatch.sources.base import FetchOptions, Progress, Source, no_progress, register_source
from castwatch.sources.clients.http import HttpClient, run_sync
from castwatch.sources.clients.xtream import JsonObject, XtreamApiUnavailable, XtreamClient

_USER_INFO_KEYS = (
    "status",
    "exp_date",
    "is_trial",
    "max_connections",
    "active_cons",
    "created_at",
    "allowed_output_formats",
)


@dataclass(slots=True, frozen=True)
class XtreamAccount:
    """Where the panel is and who we log in as, taken from the target and the options."""

    base_url: str
    username: str
    password: str

    @classmethod
    def from_target(cls, target: str, credentials: Credentials | None) -> XtreamAccount:
        """Accept ``http://h:p/``, ``.../player_api.php?username=..`` or ``.../get.php?..``."""
        parts = urlsplit(target.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SourceError(
                "an Xtream target must be an http(s) URL such as http://host:8080/",
                redact_url(target),
            )
        directory = (
            parts.path.rsplit("/", 1)[0] + "/" if parts.path.endswith(".php") else parts.path
        )
        if not directory.endswith("/"):
            directory += "/"
        netloc = parts.netloc.rpartition("@")[2]
        query = parse_qs(parts.query)
        username = (credentials.username if credentials else None) or _first(query, "username")
        password = (credentials.password if credentials else None) or _first(query, "password")
        username = username or (unquote(parts.username) if parts.username else None)
        password = password or (unquote(parts.password) if parts.password else None)
        base = urlunsplit((parts.scheme, netloc, directory, "", ""))
        if not username or not password:
            raise SourceError(
                "an Xtream panel needs a username and a password: pass them as credentials "
                "or in the URL (player_api.php?username=...&password=...)",
                base,
            )
        return cls(base, username, password)

    def playlist_url(self) -> str:
        """The panel's ``get.php`` M3U playlist for this account."""
        query = urlencode(
            {
                "username": self.username,
                "password": self.password,
                "type": "m3u_plus",
                "output": "ts",
            }
        )
        return f"{self.base_url}get.php?{query}"


def _first(query: dict[str, list[str]], key: str) -> str | None:
    values = query.get(key)
    return values[0] if values else None


@register_source
class XtreamSource(Source):
    """Reads an Xtream Codes panel through its player API (``player_api.php``)."""

    name = "xtream"

    @classmethod
    def probe(cls, target: str, head: bytes, content_type: str | None) -> bool:
        """A ``player_api.php`` URL, or a body that is an Xtream login answer."""
        if "player_api.php" in target:
            return True
        start = head.lstrip()[:1]
        if start != b"{":
            return False
        try:
            answer = orjson.loads(head)
        except orjson.JSONDecodeError:
            return b'"user_info"' in head[:4096] and b'"auth"' in head[:4096]
        return isinstance(answer, dict) and isinstance(answer.get("user_info"), dict)

    def fetch(
        self, target: str, options: FetchOptions, progress: Progress = no_progress
    ) -> Inventory:
        """Read the whole panel; falls back to ``get.php`` when the API is unavailable."""
        account = XtreamAccount.from_target(target, options.credentials)
        try:
            return run_sync(self._read_api(target, account, options, progress))
        except XtreamApiUnavailable as exc:
            api_error = exc
        return self._read_playlist(target, account, options, progress, api_error)

    async def _read_api(
        self, target: str, account: XtreamAccount, options: FetchOptions, progress: Progress
    ) -> Inventory:
        async with HttpClient(options) as http:
            client = XtreamClient(http, account.base_url, account.username, account.password)
            progress("login", 0, 1)
            user_info, server_info = await client.login()
            progress("login", 1, 1)
            inventory = Inventory(
                kind=ServiceKind.XTREAM,
                source_url=redact_url(target),
                base_urls=[account.base_url],
                server_info={
                    "server_info": server_info,
                    "user_info": {k: user_info[k] for k in _USER_INFO_KEYS if k in user_info},
                },
            )
            credential = inventory.add_credentials(
                Credentials(username=account.username, password=account.password)
            )
            builder = EntryBuilder(account.base_url, credential)
            lists = await _gather(
                client.categories("live"),
                client.streams("live"),
                client.categories("vod"),
                client.streams("vod"),
                client.categories("series"),
                client.streams("series"),
            )
            live_groups, live, film_groups, films, series_groups, series = lists
            inventory.entries.extend(builder.live(live, live_groups))
            progress("live", len(live), len(live))
            inventory.entries.extend(builder.films(films, film_groups))
            progress("films", len(films), len(films))
            series_entries = builder.series(series, series_groups)
            inventory.entries.extend(series_entries)
            progress("series", len(series), len(series))
            if options.episodes:
                episodes = await _read_episodes(client, series_entries, options, progress)
                inventory.entries.extend(builder.episodes(series_entries, episodes))
            inventory.warnings.extend(builder.warnings())
            return inventory

    def _read_playlist(
        self,
        target: str,
        account: XtreamAccount,
        options: FetchOptions,
        progress: Progress,
        api_error: XtreamApiUnavailable,
    ) -> Inventory:
        # Imported here: the M3U adapter is a peer module, needed only on this fallback path.
        from castwatch.sources.m3u import M3USource

        try:
            inventory = M3USource().fetch(account.playlist_url(), options, progress)
        except SourceError as exc:
            raise _with_context(
                exc, f"{api_error.reason}; the get.php playlist failed too"
            ) from None
        inventory.kind = ServiceKind.XTREAM
        inventory.source_url = redact_url(target)
        inventory.warnings.insert(
            0, f"{api_error}; read the get.php playlist instead (no films or series metadata)"
        )
        return inventory


async def _gather(*calls: Coroutine[Any, Any, list[JsonObject]]) -> list[list[JsonObject]]:
    """Run calls concurrently; on the first failure cancel the rest and raise that failure."""
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(call) for call in calls]
    except BaseExceptionGroup as errors:
        raise _first_error(errors) from None
    return [task.result() for task in tasks]


async def _read_episodes(
    client: XtreamClient, series: list[Entry], options: FetchOptions, progress: Progress
) -> dict[str, list[JsonObject]]:
    """Episodes of every series, by series id; any series that fails fails the whole read."""
    episodes: dict[str, list[JsonObject]] = {}
    pending = iter(series)
    total = len(series)
    progress("episodes", 0, total)

    async def worker() -> None:
        # Workers share one iterator, so at most ``concurrency`` series are in flight.
        for entry in pending:
            series_id = entry.series_id or ""
            try:
                episodes[series_id] = await client.series_info(series_id)
            except SourceError as exc:
                raise _with_context(
                    exc, f"could not read the episodes of series {entry.name!r} (id {series_id})"
                ) from None
            progress("episodes", len(episodes), total)

    try:
        async with asyncio.TaskGroup() as group:
            for _ in range(max(1, min(options.concurrency, total))):
                group.create_task(worker())
    except BaseExceptionGroup as errors:
        raise _first_error(errors) from None
    return episodes


class EntryBuilder:
    """Turns player-API rows into entries for one panel and one account.

    Exists to keep the per-row work in one tight place (a full read is some 200,000 rows, so
    every lookup counts) and to count the rows it had to drop, for the inventory's warnings.
    """

    def __init__(self, base_url: str, credential: int) -> None:
        self._live_url = f"{base_url}live/{USERNAME}/{PASSWORD}/"
        self._movie_url = f"{base_url}movie/{USERNAME}/{PASSWORD}/"
        self._episode_url = f"{base_url}series/{USERNAME}/{PASSWORD}/"
        self._credential = credential
        self._seen: set[str] = set()
        self._dropped: dict[str, int] = {}

    def warnings(self) -> list[str]:
        """One line per kind of dropped row."""
        return [f"{count:,} {reason} dropped" for reason, count in self._dropped.items()]

    def _admit(self, prefix: str, row_id: str | None, what: str) -> str | None:
        """The entry key for ``row_id``, or ``None`` (and a count) for a missing or repeat id."""
        if row_id is None:
            reason = f"{what} without an id"
        else:
            key = prefix + row_id
            if key not in self._seen:
                self._seen.add(key)
                return key
            reason = f"repeated {what}"
        self._dropped[reason] = self._dropped.get(reason, 0) + 1
        return None

    def live(self, rows: list[JsonObject], categories: list[JsonObject]) -> list[Entry]:
        """Live channels: ``live:{stream_id}``, played at ``/live/U/P/{id}.ts``."""
        groups = _category_names(categories)
        entries: list[Entry] = []
        for row in rows:
            stream_id = _id(row.get("stream_id"))
            key = self._admit("live:", stream_id, "live streams")
            if key is None:
                continue
            category_id = _category_id(row)
            entries.append(
                Entry(
                    kind=EntryKind.LIVE,
                    key=key,
                    name=_name(row.get("name")),
                    group=groups.get(category_id),
                    url=f"{self._live_url}{stream_id}.ts",
                    credential=self._credential,
                    tvg_id=_text(row.get("epg_channel_id")),
                    tvg_logo=_text(row.get("stream_icon")),
                    stream_id=stream_id,
                    category_id=category_id,
                    added=_epoch(row.get("added")),
                    extra=_extra(row, _LIVE_EXTRA),
                )
            )
        return entries

    def films(self, rows: list[JsonObject], categories: list[JsonObject]) -> list[Entry]:
        """Films: ``film:{stream_id}``, played at ``/movie/U/P/{id}.{container}``."""
        groups = _category_names(categories)
        entries: list[Entry] = []
        for row in rows:
            stream_id = _id(row.get("stream_id"))
            key = self._admit("film:", stream_id, "films")
            if key is None:
                continue
            category_id = _category_id(row)
            container = _text(row.get("container_extension"))
            entries.append(
                Entry(
                    kind=EntryKind.FILM,
                    key=key,
                    name=_name(row.get("name")),
                    group=groups.get(category_id),
                    url=f"{self._movie_url}{stream_id}.{container or 'mp4'}",
                    credential=self._credential,
                    tvg_logo=_text(row.get("stream_icon")),
                    stream_id=stream_id,
                    category_id=category_id,
                    container=container,
                    added=_epoch(row.get("added")),
                    year=_year(row.get("year")),
                    rating=_float(row.get("rating")),
                    tmdb_id=_id(row.get("tmdb") or row.get("tmdb_id")),
                    extra=_extra(row, _FILM_EXTRA),
                )
            )
        return entries

    def series(self, rows: list[JsonObject], categories: list[JsonObject]) -> list[Entry]:
        """Series: ``series:{series_id}``, containers without a URL of their own."""
        groups = _category_names(categories)
        entries: list[Entry] = []
        for row in rows:
            series_id = _id(row.get("series_id"))
            key = self._admit("series:", series_id, "series")
            if key is None:
                continue
            category_id = _category_id(row)
            entries.append(
                Entry(
                    kind=EntryKind.SERIES,
                    key=key,
                    name=_name(row.get("name")),
                    group=groups.get(category_id),
                    tvg_logo=_text(row.get("cover")),
                    series_id=series_id,
                    category_id=category_id,
                    added=_epoch(row.get("last_modified")),
                    year=_year(row.get("year") or row.get("releaseDate")),
                    rating=_float(row.get("rating")),
                    tmdb_id=_id(row.get("tmdb") or row.get("tmdb_id")),
                    extra=_extra(row, _SERIES_EXTRA),
                )
            )
        return entries

    def episodes(self, series: list[Entry], episodes: dict[str, list[JsonObject]]) -> list[Entry]:
        """Episodes: ``episode:{id}``, played at ``/series/U/P/{id}.{container}``."""
        entries: list[Entry] = []
        for parent in series:
            for row in episodes.get(parent.series_id or "", ()):
                episode_id = _id(row.get("id"))
                key = self._admit("episode:", episode_id, "episodes")
                if key is None:
                    continue
                season = _int(row.get("season"))
                number = _int(row.get("episode_num"))
                container = _text(row.get("container_extension"))
                info = row.get("info")
                info = info if isinstance(info, dict) else {}
                entries.append(
                    Entry(
                        kind=EntryKind.EPISODE,
                        key=key,
                        name=_name(row.get("title"))
                        or f"{parent.name} S{season or 0:02}E{number or 0:02}",
                        group=parent.group,
                        url=f"{self._episode_url}{episode_id}.{container or 'mp4'}",
                        credential=self._credential,
                        tvg_logo=_text(info.get("movie_image")),
                        series_id=parent.series_id,
                        episode_id=episode_id,
                        season=season,
                        episode_num=number,
                        category_id=parent.category_id,
                        container=container,
                        added=_epoch(row.get("added")),
                        duration=_float(info.get("duration_secs")),
                        extra=_extra(row, _EPISODE_EXTRA),
                    )
                )
        return entries


# Fields kept verbatim in Entry.extra when the panel fills them in.
_LIVE_EXTRA = ("tv_archive", "tv_archive_duration", "custom_sid", "direct_source")
_FILM_EXTRA = ("custom_sid", "direct_source")
_SERIES_EXTRA = ("genre", "director", "cast", "releaseDate", "plot")
_EPISODE_EXTRA = ("direct_source",)
_EMPTY = (None, "", 0, "0")


def _extra(row: JsonObject, keys: tuple[str, ...]) -> dict[str, str]:
    extra = {}
    for key in keys:
        value = row.get(key)
        if value not in _EMPTY:
            # direct_source may carry the upstream's own credentials: never store them raw.
            text = str(value)  # panels send numbers and nulls where strings belong
            extra[key] = redact_url(text) if key == "direct_source" else text
    return extra


def _category_names(categories: list[JsonObject]) -> dict[str | None, str]:
    names: dict[str | None, str] = {}
    for category in categories:
        category_id = _id(category.get("category_id"))
        if category_id is not None:
            names[category_id] = _name(category.get("category_name"))
    return names


def _category_id(row: JsonObject) -> str | None:
    category_id = _id(row.get("category_id"))
    if category_id is None:
        # Newer panels list several categories; the first is the one players show.
        ids = row.get("category_ids")
        if isinstance(ids, list) and ids:
            category_id = _id(ids[0])
    return category_id


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


def _name(value: Any) -> str:
    return "" if value is None else str(value).strip()


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
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    # Reject nan and infinities: they are no rating or duration.
    return number if number - number == 0 else None


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


def _first_error(errors: BaseExceptionGroup[BaseException]) -> BaseException:
    """The first real exception inside a (possibly nested) task-group failure."""
    for error in errors.exceptions:
        if isinstance(error, BaseExceptionGroup):
            return _first_error(error)
        return error
    return errors


def _with_context(error: SourceError, context: str) -> SourceError:
    """The same error (class, URL, status kept) with ``context`` in front of its message."""
    error.args = (f"{context}: {error.args[0]}", *error.args[1:])
    return error
