"""Read a Stalker / Ministra portal into an Inventory, logged in as one MAC address.

The wire protocol (handshake, token, envelopes, paging) lives in
:mod:`castwatch.sources.clients.stalker`; this module decides what to ask for and turns the
answers into :class:`~castwatch.catalog.Entry` rows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson

from castwatch.catalog import Credentials, Entry, EntryKind, Inventory, ServiceKind, redact_url
from castwatch.catalog.credentials import MAC, split_credentials
from castwatch.errors import SourceError
from castwatch.sources.base import FetchOptions, Progress, Source, no_progress, register_source
from castwatch.sources.clients.http import HttpClient, run_sync
from castwatch.sources.clients.stalker import (
    JsonObject,
    StalkerClient,
    api_candidates,
    gather_all,
    normalize_mac,
    session_cookies,
    session_headers,
)

_PLAYER_PREFIXES = ("ffrt ", "ffrt2 ", "ffrt3 ", "ffrt4 ", "ffmpeg ", "auto ")
# Profile fields that identify the box or the subscriber: never stored.
_SECRET_WORDS = ("mac", "password", "login", "token", "serial", "device_id", "signature", "ip")


@register_source
class StalkerSource(Source):
    """Reads a Stalker (Ministra) middleware portal the way a MAG set-top box does."""

    name = "stalker"

    @classmethod
    def probe(cls, target: str, head: bytes, content_type: str | None) -> bool:
        """A portal URL, or a body that is a ``{"js": ...}`` envelope."""
        lowered = target.lower()
        if "stalker_portal" in lowered or lowered.split("?")[0].endswith(
            ("/portal.php", "/load.php")
        ):
            return True
        if head.lstrip()[:1] != b"{":
            return False
        try:
            answer = orjson.loads(head)
        except orjson.JSONDecodeError:
            return head.lstrip().startswith(b'{"js"')
        return isinstance(answer, dict) and "js" in answer

    def fetch(
        self, target: str, options: FetchOptions, progress: Progress = no_progress
    ) -> Inventory:
        """Read every channel, film, series and (unless disabled) episode the MAC may see."""
        mac = options.credentials.mac if options.credentials else None
        if not mac:
            raise SourceError(
                "a Stalker portal is read as a set-top box: give its MAC address "
                "(credentials mac=00:1A:79:...)",
                redact_url(target),
            )
        if not target.lower().startswith(("http://", "https://")):
            raise SourceError("a Stalker portal target must be an http(s) URL", redact_url(target))
        return run_sync(_read(target, normalize_mac(mac), options, progress))


async def _read(target: str, mac: str, options: FetchOptions, progress: Progress) -> Inventory:
    candidates = api_candidates(target)
    portal = candidates[0].rsplit("/server/", 1)[0] + "/c/"
    async with HttpClient(
        options, headers=session_headers(portal), cookies=session_cookies(mac)
    ) as http:
        progress("login", 0, 1)
        client = await StalkerClient.connect(http, candidates, mac)
        profile = await client.profile()
        account = await client.main_info()
        progress("login", 1, 1)
        inventory = Inventory(
            kind=ServiceKind.STALKER,
            source_url=redact_url(target),
            base_urls=[redact_url(client.api_url)],
            server_info={"profile": _public(profile, mac), "account": _public(account, mac)},
        )
        builder = EntryBuilder(inventory.add_credentials, mac)
        genres, channels, film_groups, series_groups = await gather_all(
            [
                client.categories("itv"),
                client.all_channels(),
                client.categories("vod"),
                client.categories("series"),
            ]
        )
        inventory.entries.extend(builder.live(channels, genres))
        progress("live", len(channels), len(channels))
        films = await _read_videos(client, "vod", builder.films, film_groups, progress)
        inventory.entries.extend(films)
        series = await _read_videos(client, "series", builder.series, series_groups, progress)
        inventory.entries.extend(series)
        if options.episodes:
            seasons = await _read_seasons(client, series, progress)
            for entry, items in zip(series, seasons, strict=True):
                inventory.entries.extend(builder.episodes(entry, items))
        inventory.warnings.extend(builder.warnings())
        return inventory


async def _read_videos(
    client: StalkerClient,
    kind: str,
    build: Callable[[list[JsonObject], JsonObject], list[Entry]],
    categories: list[JsonObject],
    progress: Progress,
) -> list[Entry]:
    """Every film (``vod``) or series of every category, pages of all categories in parallel."""
    stage = "films" if kind == "vod" else "series"

    def report(done: int, total: int | None) -> None:
        progress(stage, done, total)

    listed = _listed(categories)
    queries: list[dict[str, str | int]] = [
        {"type": kind, "action": "get_ordered_list", "category": str(category["id"])}
        for category in listed
    ]
    entries: list[Entry] = []
    for category, items in zip(listed, await client.listings(queries, report), strict=True):
        entries.extend(build(items, category))
    progress(stage, len(entries), len(entries))
    return entries


async def _read_seasons(
    client: StalkerClient, series: list[Entry], progress: Progress
) -> list[list[JsonObject]]:
    """The seasons of every series, one paged listing each, all in parallel."""
    done = 0
    progress("episodes", 0, len(series))

    async def seasons_of(entry: Entry) -> list[JsonObject]:
        nonlocal done
        query: dict[str, str | int] = {
            "type": "series",
            "action": "get_ordered_list",
            "movie_id": entry.series_id or "",
            "season_id": 0,
            "episode_id": 0,
        }
        try:
            seasons = await client.all_pages(query)
        except SourceError as error:
            # Same class and URL, but the message says which series broke the read.
            context = f"could not read the seasons of series {entry.name!r} (id {entry.series_id})"
            error.args = (f"{context}: {error.args[0]}", *error.args[1:])
            raise
        done += 1
        progress("episodes", done, len(series))
        return seasons

    return await gather_all([seasons_of(entry) for entry in series])


def _listed(categories: list[JsonObject]) -> list[JsonObject]:
    # The "*" pseudo-category ("All") repeats every other one; reading it would double the work.
    return [group for group in categories if group.get("id") not in (None, "", "*")]


def _public(answer: JsonObject, mac: str) -> JsonObject:
    """A profile or account answer without anything that identifies the box."""
    return {
        key: value
        for key, value in answer.items()
        if not any(word == key.lower() or word in key.lower().split("_") for word in _SECRET_WORDS)
        and mac.lower() not in str(value).lower()
    }


class EntryBuilder:
    """Turns portal items into entries that point at the MAC's credentials.

    Exists to keep the per-item work in one place and to count the items it had to drop
    (missing or repeated ids) for the inventory's warnings.
    """

    def __init__(self, register: Callable[[Credentials], int], mac: str) -> None:
        self._register = register
        self._mac = mac
        self._credential = register(Credentials(mac=mac))
        # Forms the MAC takes inside stream URLs: as given, lower case, percent-encoded.
        self._mac_forms = (mac, mac.lower(), mac.replace(":", "%3A"), mac.replace(":", "%3a"))
        self._seen: set[str] = set()
        self._dropped: dict[str, int] = {}
        self._played: dict[str, tuple[str | None, int, str]] = {}

    def warnings(self) -> list[str]:
        """One line per kind of dropped item."""
        return [f"{count:,} {reason} dropped" for reason, count in self._dropped.items()]

    def _admit(self, key: str | None, what: str) -> bool:
        reason = f"{what} without an id" if key is None else f"repeated {what}"
        if key is not None and key not in self._seen:
            self._seen.add(key)
            return True
        self._dropped[reason] = self._dropped.get(reason, 0) + 1
        return False

    def live(self, channels: list[JsonObject], genres: list[JsonObject]) -> list[Entry]:
        """Live channels: ``live:{id}``, grouped by genre title."""
        titles = {str(genre.get("id")): _name(genre.get("title")) for genre in genres}
        entries = []
        for channel in channels:
            channel_id = _id(channel.get("id"))
            key = f"live:{channel_id}"
            if not self._admit(key if channel_id else None, "channels"):
                continue
            genre_id = _id(channel.get("tv_genre_id"))
            entry = Entry(
                kind=EntryKind.LIVE,
                key=key,
                name=_name(channel.get("name")),
                group=titles.get(str(genre_id)),
                tvg_id=_text(channel.get("xmltv_id")),
                tvg_logo=_text(channel.get("logo")),
                stream_id=channel_id,
                category_id=genre_id,
            )
            self._play(entry, channel)
            number = _text(channel.get("number"))
            if number:
                entry.extra["number"] = number
            entries.append(entry)
        return entries

    def films(self, items: list[JsonObject], category: JsonObject) -> list[Entry]:
        """Films of one VOD category: ``film:{id}``."""
        return self._videos(EntryKind.FILM, "film:", items, category, "films")

    def series(self, items: list[JsonObject], category: JsonObject) -> list[Entry]:
        """Series of one series category: ``series:{id}``."""
        return self._videos(EntryKind.SERIES, "series:", items, category, "series")

    def _videos(
        self, kind: EntryKind, prefix: str, items: list[JsonObject], category: JsonObject, what: str
    ) -> list[Entry]:
        group = _name(category.get("title"))
        category_id = _id(category.get("id"))
        entries = []
        for item in items:
            item_id = _id(item.get("id"))
            key = f"{prefix}{item_id}"
            if not self._admit(key if item_id else None, what):
                continue
            entry = Entry(
                kind=kind,
                key=key,
                name=_name(item.get("name")),
                group=group,
                tvg_logo=_text(item.get("screenshot_uri")),
                stream_id=item_id if kind is EntryKind.FILM else None,
                series_id=item_id if kind is EntryKind.SERIES else None,
                category_id=_id(item.get("category_id")) or category_id,
                added=_added(item.get("added")),
                year=_year(item.get("year")),
                rating=_float(item.get("rating_imdb")),
            )
            self._play(entry, item)
            if kind is EntryKind.SERIES:
                # A series' cmd opens its season list, not a stream: keep it as said, no URL.
                entry.url = entry.credential = None
            entries.append(entry)
        return entries

    def episodes(self, series: Entry, seasons: list[JsonObject]) -> list[Entry]:
        """Episodes of one series: ``episode:{series_id}:{season}:{episode}``."""
        entries = []
        for index, season_item in enumerate(seasons, start=1):
            season = _season_number(season_item, index)
            numbers = season_item.get("series")
            for number in numbers if isinstance(numbers, list) else ():
                episode = _int(number)
                key = f"episode:{series.series_id}:{season}:{episode}"
                if not self._admit(key if episode is not None else None, "episodes"):
                    continue
                entry = Entry(
                    kind=EntryKind.EPISODE,
                    key=key,
                    name=f"{series.name} S{season:02}E{episode:02}",
                    group=series.group,
                    series_id=series.series_id,
                    episode_id=f"{season}:{episode}",
                    season=season,
                    episode_num=episode,
                    category_id=series.category_id,
                )
                self._play(entry, season_item)
                entries.append(entry)
        return entries

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

    def _split_cmd(self, cmd: str) -> tuple[str | None, int, str]:
        """``(url, credential index, cmd as shown)`` for one raw ``cmd``."""
        text = cmd.strip()
        prefix = ""
        lowered = text.lower()
        for player in _PLAYER_PREFIXES:
            if lowered.startswith(player):
                prefix, text = text[: len(player)], text[len(player) :].strip()
                break
        url, found = split_credentials(text)
        for form in self._mac_forms:
            url = url.replace(form, MAC)
        credential = self._credential
        if found is not None and (found.username or found.password):
            # Portals fronting an Xtream panel embed its account in stream URLs; restoring
            # such a URL needs that account as well as the MAC.
            credential = self._register(Credentials(found.username, found.password, self._mac))
        # The raw cmd minus secrets: its player prefix says which player it expects.
        return url or None, credential, prefix + url


def _season_number(season: JsonObject, position: int) -> int:
    # Season ids are "SERIES_ID:SEASON"; names are "Season N"; failing both, the position.
    season_id = str(season.get("id") or "")
    number = _int(season_id.rpartition(":")[2]) if ":" in season_id else None
    if number is None:
        # isdecimal, not isdigit: "²" is a digit that int() refuses.
        digits = "".join(ch for ch in str(season.get("name") or "") if ch.isdecimal())
        number = int(digits) if digits else position
    return number


def _id(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value).strip() or None


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _name(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number - number == 0 else None


def _year(value: Any) -> int | None:
    text = str(value or "")[:4]
    return int(text) if len(text) == 4 and text.isdigit() and 1800 < int(text) < 2200 else None


def _added(value: Any) -> datetime | None:
    # Portals print server-local time without a zone; UTC is the only defensible reading.
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError:
        return None
