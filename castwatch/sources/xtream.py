"""Read an Xtream Codes panel into an Inventory: live channels, films, series and episodes.

The wire protocol lives in :mod:`castwatch.sources.clients.xtream`; this module turns its
answers into :class:`~castwatch.catalog.Entry` rows. A panel whose ``player_api.php`` is
missing is read through its ``get.php`` M3U playlist instead, with a warning. Rows and
series answers that cannot be read are skipped and counted in one error budget
(:mod:`castwatch.sources.budget`); only past it does the read fail.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit, urlunsplit

import orjson

from castwatch.catalog import Credentials, Entry, Inventory, ServiceKind, redact_url
from castwatch.errors import FetchError, ProtocolError, SourceError
from castwatch.net.client import HttpClient, run_sync
from castwatch.net.policy import FetchOptions
from castwatch.net.tasks import first_error, gather_all
from castwatch.sources.base import Progress, Source, no_progress, register_source
from castwatch.sources.budget import BadRows
from castwatch.sources.clients.xtream import XtreamApiUnavailable, XtreamClient
from castwatch.sources.xtream_rows import EntryBuilder

__all__ = ["EntryBuilder", "XtreamAccount", "XtreamSource"]

# The lists of the error budget, as the analyst reads them in warnings and errors.
LIVE, FILMS, SERIES, EPISODES = "live streams", "films", "series", "episodes"
SERIES_ANSWERS = "series answers"

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
            budget = BadRows(options.max_bad_rows, secrets=(account.username, account.password))
            builder = EntryBuilder(account.base_url, credential, budget)
            lists = await gather_all(
                [
                    client.categories("live"),
                    client.streams("live"),
                    client.categories("vod"),
                    client.streams("vod"),
                    client.categories("series"),
                    client.streams("series"),
                ]
            )
            live_groups, live, film_groups, films, series_groups, series = lists
            inventory.entries.extend(builder.live(live, live_groups))
            budget.check(LIVE, len(live), _list_url(client, "get_live_streams"))
            progress("live", len(live), len(live))
            inventory.entries.extend(builder.films(films, film_groups))
            budget.check(FILMS, len(films), _list_url(client, "get_vod_streams"))
            progress("films", len(films), len(films))
            series_entries = builder.series(series, series_groups)
            budget.check(SERIES, len(series), _list_url(client, "get_series"))
            inventory.entries.extend(series_entries)
            progress("series", len(series), len(series))
            if options.episodes:
                episodes = await _read_episodes(client, series_entries, options, progress, budget)
                inventory.entries.extend(builder.episodes(series_entries, episodes))
                total = sum(map(len, episodes.values())) + budget.skipped(EPISODES)
                budget.check(EPISODES, total, _list_url(client, "get_series_info"))
            for reason, example in client.notes:
                budget.note("panel", reason, example)
            inventory.warnings.extend(budget.warnings())
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


def _list_url(client: XtreamClient, action: str) -> str:
    return redact_url(client.call_url(action=action))


async def _read_episodes(
    client: XtreamClient,
    series: list[Entry],
    options: FetchOptions,
    progress: Progress,
    budget: BadRows,
) -> dict[str, list[Any]]:
    """Episodes of every series, by series id.

    A series whose answer cannot be read (an error status, a body that is no series) is
    skipped and counted under ``series answers``; the read fails as soon as more series
    than the budget allows are lost, rather than after asking every one of them.
    """
    episodes: dict[str, list[Any]] = {}
    pending = iter(series)
    total = len(series)
    done = 0
    progress("episodes", 0, total)

    async def worker() -> None:
        nonlocal done
        # Workers share one iterator, so at most ``concurrency`` series are in flight.
        for entry in pending:
            series_id = entry.series_id or ""
            try:
                answer = await client.series_info(series_id)
            except (ProtocolError, FetchError) as exc:
                reason = f"get_series_info failed: {_short_reason(exc)}"
                budget.skip(SERIES_ANSWERS, reason, {"series_id": series_id, "name": entry.name})
                budget.check(SERIES_ANSWERS, total, exc.url)
            else:
                episodes[series_id] = answer.episodes
                for reason, example in answer.bad:
                    budget.skip(EPISODES, reason, example)
                for reason, example in answer.notes:
                    budget.note(SERIES_ANSWERS, reason, {"series_id": series_id, "detail": example})
            done += 1
            progress("episodes", done, total)

    try:
        async with asyncio.TaskGroup() as group:
            for _ in range(max(1, min(options.concurrency, total))):
                group.create_task(worker())
    except BaseExceptionGroup as errors:
        raise first_error(errors) from None
    return episodes


def _short_reason(error: SourceError) -> str:
    """The error's message without its URL or parser detail, so that like counts with like."""
    text = str(error.args[0]) if error.args else type(error).__name__
    if error.url and text.endswith(f" ({error.url})"):
        text = text[: -len(error.url) - 3]
    return text.split(" (", 1)[0]


def _with_context(error: SourceError, context: str) -> SourceError:
    """The same error (class, URL, status kept) with ``context`` in front of its message."""
    error.args = (f"{context}: {error.args[0]}", *error.args[1:])
    return error
