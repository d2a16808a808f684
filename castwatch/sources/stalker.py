"""Read a Stalker / Ministra portal into an Inventory, logged in as one MAC address.

The wire protocol (handshake, token, envelopes, paging, ``create_link``) lives in
:mod:`castwatch.sources.clients.stalker`; rows become entries in
:mod:`castwatch.sources.stalker_entries`; this module decides what to ask for. Series come
from two places: the series listing (seasons under ``type=series``) and, on Ministra, the
VOD listing's ``is_series`` rows (seasons and episodes under ``type=vod``). A series whose
seasons cannot be read costs its episodes only, counted in the error budget. No link is
made at ingest: playable URLs are asked for when an entry is verified.
"""

from __future__ import annotations

from collections.abc import Callable

import orjson

from castwatch.catalog import Entry, EntryKind, Inventory, ServiceKind, redact_url
from castwatch.errors import HttpStatusError, ProtocolError, SourceError
from castwatch.net.client import HttpClient, run_sync
from castwatch.net.policy import FetchOptions
from castwatch.net.tasks import gather_all
from castwatch.sources.base import Progress, Source, no_progress, register_source
from castwatch.sources.budget import BadRows
from castwatch.sources.clients.stalker import (
    JsonObject,
    StalkerClient,
    api_candidates,
    normalize_mac,
    session_cookies,
    session_headers,
)
from castwatch.sources.stalker_entries import EntryBuilder, flag

__all__ = ["EntryBuilder", "StalkerSource"]

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
        budget = BadRows(options.max_bad_rows, secrets=(mac,))
        builder = EntryBuilder(inventory.add_credentials, mac, client.api_url, budget)
        genres, channels, film_groups, series_groups = await gather_all(
            [
                client.categories("itv"),
                client.all_channels(),
                client.categories("vod"),
                client.categories("series"),
            ]
        )
        inventory.entries.extend(builder.live(channels, genres))
        budget.check("channels", len(channels), redact_url(client.api_url))
        progress("live", len(channels), len(channels))
        films = await _read_videos(client, "vod", builder.films, film_groups, progress)
        inventory.entries.extend(films)
        series = await _read_videos(client, "series", builder.series, series_groups, progress)
        inventory.entries.extend(series)
        for what, read in (("films", films), ("series", series)):
            budget.check(what, len(read) + budget.skipped(what), redact_url(client.api_url))
        if options.episodes:
            # Series of the VOD listing (is_series) list their seasons and episodes under
            # type=vod; those of the series listing under type=series, one number per episode.
            vod_series = [e for e in films if e.kind is EntryKind.SERIES and _is_vod_series(e)]
            listed = await _read_seasons(client, series, progress, budget)
            for entry, items in zip(series, listed, strict=True):
                inventory.entries.extend(builder.episodes(entry, items))
            nested = await _read_vod_seasons(client, vod_series, progress, budget)
            for entry, seasons in zip(vod_series, nested, strict=True):
                inventory.entries.extend(builder.vod_episodes(entry, seasons))
            budget.check("series answers", len(series) + len(vod_series), redact_url(target))
        for list_name, reason, example in client.skipped:
            budget.skip(list_name, reason, example)
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


def _is_vod_series(entry: Entry) -> bool:
    # Multi-part films (an embedded ``series`` list) came with their parts: nothing to read.
    return entry.extra.get("listed_in") == "vod" and "parts" not in entry.extra


def _series_failed(budget: BadRows, entry: Entry, error: SourceError) -> None:
    # One series whose seasons cannot be read costs that series' episodes, not the ingest.
    reason = f"seasons unreadable ({type(error).__name__})"
    budget.skip("series answers", reason, f"{entry.name} (id {entry.series_id}): {error.args[0]}")


async def _read_seasons(
    client: StalkerClient, series: list[Entry], progress: Progress, budget: BadRows
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
        except (ProtocolError, HttpStatusError) as error:
            _series_failed(budget, entry, error)
            seasons = []
        done += 1
        progress("episodes", done, len(series))
        return seasons

    return await gather_all([seasons_of(entry) for entry in series])


async def _read_vod_seasons(
    client: StalkerClient, series: list[Entry], progress: Progress, budget: BadRows
) -> list[list[tuple[JsonObject, list[JsonObject]]]]:
    """Seasons, then each season's episodes, of every VOD-listed series (Ministra's flow)."""
    done = 0
    progress("vod episodes", 0, len(series))

    async def seasons_of(entry: Entry) -> list[tuple[JsonObject, list[JsonObject]]]:
        nonlocal done
        base: dict[str, str | int] = {
            "type": "vod",
            "action": "get_ordered_list",
            "movie_id": entry.series_id or "",
        }
        try:
            seasons = await client.all_pages({**base, "season_id": 0, "episode_id": 0})
            seasons = [s for s in seasons if flag(s.get("is_season", True))]
            episodes = await gather_all(
                [
                    client.all_pages({**base, "season_id": str(s.get("id")), "episode_id": 0})
                    for s in seasons
                ]
            )
        except (ProtocolError, HttpStatusError) as error:
            _series_failed(budget, entry, error)
            seasons, episodes = [], []
        done += 1
        progress("vod episodes", done, len(series))
        return list(zip(seasons, episodes, strict=True))

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
