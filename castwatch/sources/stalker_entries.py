"""Stalker portal items as catalog entries: ids, names, logos, numbers and playable cmds.

:mod:`castwatch.sources.stalker` decides what to ask a portal for; this module turns each
answer row into an :class:`~castwatch.catalog.Entry`, counting what it cannot read in the
error budget. The row shapes are in docs/protocols.md (Stalker section).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from castwatch.catalog import Credentials, Entry, EntryKind
from castwatch.catalog.credentials import MAC, split_credentials
from castwatch.sources.budget import BadRows
from castwatch.sources.clients.stalker import (
    JsonObject,
    absolute_url,
    split_player,
)
from castwatch.sources.fields import entry_name, finite_float

__all__ = ["EntryBuilder", "flag"]


class EntryBuilder:
    """Turns portal items into entries that point at the MAC's credentials.

    Exists to keep the per-item work in one place and to count, in the error budget, the
    items it had to drop (missing ids) or merge (repeated ids) for the inventory's warnings.
    ``api_url`` is the portal API the items came from: relative logos hang from it.
    """

    def __init__(
        self,
        register: Callable[[Credentials], int],
        mac: str,
        api_url: str = "",
        budget: BadRows | None = None,
    ) -> None:
        self._register = register
        self._mac = mac
        self._api_url = api_url
        self._budget = budget if budget is not None else BadRows(1.0, secrets=(mac,))
        self._credential = register(Credentials(mac=mac))
        # Forms the MAC takes inside stream URLs: as given, lower case, percent-encoded.
        self._mac_forms = (mac, mac.lower(), mac.replace(":", "%3A"), mac.replace(":", "%3a"))
        self._seen: set[str] = set()
        self._played: dict[str, tuple[str | None, int | None, str]] = {}

    def warnings(self) -> list[str]:
        """One line per list and reason of dropped or merged items."""
        return self._budget.warnings()

    def _admit(self, key: str | None, what: str, item: Any) -> bool:
        if key is None:
            self._budget.skip(what, "no id", item)
            return False
        if key in self._seen:
            self._budget.note(what, "repeated id (first one kept)", item)
            return False
        self._seen.add(key)
        return True

    def live(self, channels: list[JsonObject], genres: list[JsonObject]) -> list[Entry]:
        """Live channels: ``live:{id}``, grouped by genre title."""
        titles = {str(genre.get("id")): entry_name(genre.get("title")) for genre in genres}
        entries = []
        for channel in channels:
            channel_id = _id(channel.get("id"))
            key = f"live:{channel_id}"
            if not self._admit(key if channel_id else None, "channels", channel):
                continue
            genre_id = _id(channel.get("tv_genre_id"))
            entry = Entry(
                kind=EntryKind.LIVE,
                key=key,
                name=entry_name(channel.get("name")),
                group=titles.get(str(genre_id)),
                tvg_id=_text(channel.get("xmltv_id")),
                tvg_logo=self._logo(channel.get("logo")),
                stream_id=channel_id,
                category_id=genre_id,
                added=_added(channel.get("added")),
            )
            self._play(entry, channel)
            number = _text(channel.get("number"))
            if number:
                entry.extra["number"] = number
            entries.append(entry)
        return entries

    def films(self, items: list[JsonObject], category: JsonObject) -> list[Entry]:
        """Films of one VOD category: ``film:{id}``; its ``is_series`` rows and rows with an
        embedded ``series`` list of episode numbers are series (``series:{id}``)."""
        entries: list[Entry] = []
        for item in items:
            numbers = item.get("series")
            if flag(item.get("is_series")):
                entries.extend(self._videos(EntryKind.SERIES, [item], category, "films"))
                for entry in entries[-1:]:
                    entry.extra["listed_in"] = "vod"
            elif isinstance(numbers, list) and numbers:
                built = self._videos(EntryKind.SERIES, [item], category, "films")
                for entry in built:
                    entry.extra["listed_in"] = "vod"
                    entry.extra["parts"] = str(len(numbers))
                    entries.append(entry)
                    entries.extend(self._numbered_episodes(entry, 1, numbers, item))
            else:
                entries.extend(self._videos(EntryKind.FILM, [item], category, "films"))
        return entries

    def series(self, items: list[JsonObject], category: JsonObject) -> list[Entry]:
        """Series of one series category: ``series:{id}``."""
        return self._videos(EntryKind.SERIES, items, category, "series")

    def _videos(
        self, kind: EntryKind, items: list[JsonObject], category: JsonObject, what: str
    ) -> list[Entry]:
        group = entry_name(category.get("title"))
        category_id = _id(category.get("id"))
        prefix = "film:" if kind is EntryKind.FILM else "series:"
        entries = []
        for item in items:
            item_id = _id(item.get("id"))
            key = f"{prefix}{item_id}"
            if not self._admit(key if item_id else None, what, item):
                continue
            entry = Entry(
                kind=kind,
                key=key,
                name=entry_name(item.get("name")),
                group=group,
                tvg_logo=self._logo(item.get("screenshot_uri") or item.get("cover")),
                stream_id=item_id if kind is EntryKind.FILM else None,
                series_id=item_id if kind is EntryKind.SERIES else None,
                category_id=_id(item.get("category_id")) or category_id,
                added=_added(item.get("added")),
                year=_year(item.get("year")),
                rating=finite_float(item.get("rating_imdb")),
                tmdb_id=_tmdb(item),
            )
            self._play(entry, item)
            if kind is EntryKind.SERIES:
                # A series' cmd opens its season list, not a stream: keep it as said, no URL.
                entry.url = entry.credential = None
            entries.append(entry)
        return entries

    def episodes(self, series: Entry, seasons: list[JsonObject]) -> list[Entry]:
        """Episodes of one series of the series listing: ``episode:{series_id}:{season}:{n}``,
        one per number in each season's ``series`` list, all playing the season's ``cmd``."""
        entries = []
        for index, season_item in enumerate(seasons, start=1):
            season = _season_number(season_item, index)
            numbers = season_item.get("series")
            if not isinstance(numbers, list):
                self._budget.skip("episodes", "a season without a list of episodes", season_item)
                continue
            entries.extend(self._numbered_episodes(series, season, numbers, season_item))
        return entries

    def _numbered_episodes(
        self, series: Entry, season: int, numbers: list[Any], item: JsonObject
    ) -> list[Entry]:
        entries = []
        for number in numbers:
            episode = _int(number)
            key = f"episode:{series.series_id}:{season}:{episode}"
            if not self._admit(key if episode is not None else None, "episodes", number):
                continue
            entry = self._episode(series, key, season, episode or 0, f"{season}:{episode}")
            self._play(entry, item)
            # The cmd is the whole season's: create_link needs the episode's number too.
            entry.extra["series"] = str(episode)
            entries.append(entry)
        return entries

    def vod_episodes(
        self, series: Entry, seasons: list[tuple[JsonObject, list[JsonObject]]]
    ) -> list[Entry]:
        """Episodes of one VOD-listed series, each with its own id and ``cmd``."""
        entries = []
        for index, (season_item, items) in enumerate(seasons, start=1):
            season = _season_number(season_item, index)
            for position, item in enumerate(items, start=1):
                if not flag(item.get("is_episode", True)):
                    continue  # Ministra also lists an episode's files here: not episodes
                episode = _episode_number(item, position)
                key = f"episode:{series.series_id}:{season}:{episode}"
                if not self._admit(key, "episodes", item):
                    continue
                entry = self._episode(
                    series, key, season, episode, _id(item.get("id")) or f"{season}:{episode}"
                )
                title = entry_name(item.get("name"))
                if title:
                    entry.extra["title"] = title
                entry.tvg_logo = self._logo(item.get("screenshot_uri") or item.get("cover"))
                entry.added = _added(item.get("added"))
                entry.tmdb_id = _tmdb(item)
                self._play(entry, item)
                entries.append(entry)
        return entries

    def _episode(
        self, series: Entry, key: str, season: int, episode: int, episode_id: str
    ) -> Entry:
        return Entry(
            kind=EntryKind.EPISODE,
            key=key,
            name=f"{series.name} S{season:02}E{episode:02}",
            group=series.group,
            series_id=series.series_id,
            episode_id=episode_id,
            season=season,
            episode_num=episode,
            category_id=series.category_id,
        )

    def _logo(self, value: Any) -> str | None:
        text = _text(value)
        if text is None or not self._api_url:
            return text
        return absolute_url(text.strip(), self._api_url)

    def _play(self, entry: Entry, item: JsonObject) -> None:
        """Set the entry's URL from the item's ``cmd``, credentials swapped for placeholders."""
        cmd = _text(item.get("cmd"))
        if cmd is None:
            return
        # Every episode of a season shares its season's cmd: split each distinct cmd once.
        played = self._played.get(cmd)
        if played is None:
            if len(self._played) > 4096:
                self._played.clear()
            played = self._played[cmd] = self._split_cmd(cmd)
        entry.url, entry.credential, entry.extra["cmd"] = played

    def _split_cmd(self, cmd: str) -> tuple[str | None, int | None, str]:
        """``(url, credential index, cmd as shown)`` for one raw ``cmd``.

        Only a cmd naming an http(s) URL gets a ``url``; ``/media/101.mpg`` and base64 JSON
        are tickets for ``create_link`` and stay in ``extra["cmd"]`` alone.
        """
        prefix, text = split_player(cmd)
        url, found = split_credentials(text)
        for form in self._mac_forms:
            url = url.replace(form, MAC)
        credential = self._credential
        if found is not None and (found.username or found.password or found.secrets):
            # Portals fronting an Xtream panel embed its account in stream URLs, and Ministra
            # its device token: restoring such a URL needs that as well as the MAC.
            credential = self._register(
                Credentials(found.username, found.password, self._mac, found.secrets)
            )
        has_secrets = url != text
        if url.lower().startswith(("http://", "https://")):
            playable: str | None = url
        elif has_secrets and url.startswith("/") and self._api_url:
            # A path on the portal's host naming an account (/load/USER/TOKEN/...).
            playable = absolute_url(url, self._api_url)
        else:
            playable = None
        # The raw cmd minus secrets: its player prefix says which player it expects.
        return playable, credential if playable else None, prefix + url


def flag(value: Any) -> bool:
    """A PHP boolean as portals spell it: ``1``, ``"1"``, ``true``, ``"true"``."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return value is True or (isinstance(value, int) and value == 1)


def _season_number(season: JsonObject, position: int) -> int:
    # season_number; else ids "SERIES_ID:SEASON"; else names "Season N"; else the position.
    number = _int(season.get("season_number"))
    if number is not None and number >= 0:
        return number
    season_id = str(season.get("id") or "")
    number = _int(season_id.rpartition(":")[2]) if ":" in season_id else None
    if number is None:
        number = _digits(season.get("name"))
    return position if number is None else number


def _episode_number(item: JsonObject, position: int) -> int:
    for field_name in ("series_number", "episode_number", "episode_num", "number"):
        number = _int(item.get(field_name))
        if number is not None and number >= 0:
            return number
    number = _digits(item.get("name"))
    return position if number is None else number


def _digits(value: Any) -> int | None:
    # The last run of digits: "Season 2" is 2, "S02E05 Title" is 5. isdecimal, not isdigit:
    # "²" is a digit that int() refuses.
    runs = "".join(ch if ch.isdecimal() else " " for ch in str(value or "")).split()
    return int(runs[-1]) if runs and len(runs[-1]) < 7 else None


def _tmdb(item: JsonObject) -> str | None:
    for field_name in ("tmdb_id", "tmdb"):
        value = _id(item.get(field_name))
        if value and value not in ("0", "null"):
            return value
    return None


def _id(value: Any) -> str | None:
    if value is None or value == "" or isinstance(value, dict | list):
        return None
    return str(value).strip() or None


def _text(value: Any) -> str | None:
    return None if value is None or value == "" or isinstance(value, dict | list) else str(value)


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return None


def _year(value: Any) -> int | None:
    text = str(value or "")[:4]
    return int(text) if len(text) == 4 and text.isdigit() and 1800 < int(text) < 2200 else None


def _added(value: Any) -> datetime | None:
    # Portals print server-local time without a zone, or a Unix time; UTC is the only
    # defensible reading of the first.
    if (isinstance(value, int | float) and not isinstance(value, bool)) or (
        isinstance(value, str) and value.isdecimal() and len(value) <= 12
    ):
        try:
            return datetime.fromtimestamp(int(value), UTC) if int(value) > 0 else None
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str) or not value:
        return None
    try:
        added = datetime.fromisoformat(value)
    except ValueError:
        return None
    return added.replace(tzinfo=UTC) if added.tzinfo is None else added.astimezone(UTC)
