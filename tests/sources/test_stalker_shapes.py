"""Ministra portals as real ones answer: every row shape, and the malformed variants.

The portal is :class:`tests.sources.stalker_portal.ShapesPortal`, served on 127.0.0.1; each
test states the entries a shape must give.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

import pytest

from castwatch.catalog import Credentials, Entry, EntryKind, Inventory
from castwatch.catalog.credentials import restore_credentials
from castwatch.errors import TooManyBadRows
from castwatch.net.policy import FetchOptions
from castwatch.sources.stalker import StalkerSource
from tests.sources.stalker_portal import MAC, TOKEN, USER, ShapesPortal

Serve = Callable[[Any], AbstractContextManager[str]]
TOLERANT = FetchOptions(credentials=Credentials(mac=MAC), retries=0, timeout=5, max_bad_rows=1.0)


def _read(serve: Serve, portal: ShapesPortal, options: FetchOptions = TOLERANT) -> Inventory:
    with serve(portal) as base:
        return StalkerSource().fetch(base + "/stalker_portal/c/", options)


def _by_key(inventory: Inventory) -> dict[str, Entry]:
    return {entry.key: entry for entry in inventory.entries}


@pytest.fixture(scope="module")
def portal_inventory(serve: Serve) -> tuple[Inventory, str]:
    with serve(ShapesPortal()) as base:
        return StalkerSource().fetch(base + "/stalker_portal/c/", TOLERANT), base


def test_is_series_rows_in_every_spelling_are_series(
    portal_inventory: tuple[Inventory, str],
) -> None:
    entries = _by_key(portal_inventory[0])
    for key in ("series:3", "series:4", "series:5", "series:6"):
        assert entries[key].kind is EntryKind.SERIES, key
        assert entries[key].url is None
    assert entries["film:1"].kind is EntryKind.FILM
    assert entries["film:2"].kind is EntryKind.FILM
    assert "film:3" not in entries and "film:6" not in entries


def test_vod_series_episodes_are_read_from_their_seasons(
    portal_inventory: tuple[Inventory, str],
) -> None:
    entries = _by_key(portal_inventory[0])
    pilot = entries["episode:3:1:1"]
    assert (pilot.season, pilot.episode_num, pilot.episode_id) == (1, 1, "31")
    assert pilot.extra["title"] == "Pilot"
    assert pilot.extra["cmd"].startswith("eyJ")  # the portal's ticket, as given
    assert pilot.added == datetime(2023, 1, 2, 3, 4, 5, tzinfo=UTC)
    # No series_number: the number in the name. No season_number: the id's "3:2".
    assert entries["episode:3:1:2"].episode_id == "32"
    assert entries["episode:3:2:1"].episode_id == "33"
    # A season id without a number ("s41"): the name's "Season 7"; "Episode 9" likewise.
    assert entries["episode:4:7:9"].extra["cmd"] == "/media/41.mpg"
    # The file row (is_episode false) is not an episode.
    episodes = {
        k for k, e in entries.items() if e.kind is EntryKind.EPISODE and e.series_id in ("3", "4")
    }
    assert episodes == {"episode:3:1:1", "episode:3:1:2", "episode:3:2:1", "episode:4:7:9"}


def test_embedded_series_numbers_are_episodes_of_season_one(
    portal_inventory: tuple[Inventory, str],
) -> None:
    entries = _by_key(portal_inventory[0])
    parts = [entries[f"episode:6:1:{n}"] for n in (1, 2, 3)]
    assert [p.extra["series"] for p in parts] == ["1", "2", "3"]
    assert all(p.extra["cmd"] == "/media/6.mpg" and p.url is None for p in parts)


def test_tmdb_added_and_relative_logos_are_kept(portal_inventory: tuple[Inventory, str]) -> None:
    inventory, base = portal_inventory
    entries = _by_key(inventory)
    assert entries["film:1"].tmdb_id == "603"
    assert entries["film:2"].tmdb_id is None  # "0" is no id
    assert entries["series:3"].tmdb_id == "1399"
    assert entries["film:1"].added == datetime(2024, 3, 1, 20, 15, tzinfo=UTC)
    assert entries["live:102"].added == datetime.fromtimestamp(1700000000, UTC)
    assert entries["film:1"].tvg_logo == base + "/stalker_portal/screenshots/1.jpg"
    assert entries["film:2"].tvg_logo == base + "/stalker_portal/2.jpg"
    assert entries["live:100"].tvg_logo == base + "/stalker_portal/misc/logos/320/100.png"
    assert entries["live:101"].tvg_logo == base + "/stalker_portal/101.png"
    assert entries["live:102"].tvg_logo == "http://img.example/102.png"


def test_load_paths_and_play_tokens_are_credentials(
    portal_inventory: tuple[Inventory, str],
) -> None:
    inventory = portal_inventory[0]
    entries = _by_key(inventory)
    loaded = entries["live:101"]
    assert loaded.url == "http://cdn.example:8000/load/{username}/{password}/101.mpegts"
    assert loaded.extra["cmd"] == "ffmpeg " + loaded.url
    account = inventory.credentials[loaded.credential or 0]
    assert (account.username, account.password, account.mac) == (USER, TOKEN, MAC)
    assert restore_credentials(loaded.url, account).endswith(f"/load/{USER}/{TOKEN}/101.mpegts")
    token = entries["live:102"]
    assert token.url == (
        "http://cdn.example/play/live.php?mac={mac}&stream=102&extension=ts&play_token={play_token}"
    )
    played = restore_credentials(token.url, inventory.credentials[token.credential or 0])
    assert played.endswith(f"mac={MAC}&stream=102&extension=ts&play_token={TOKEN}")
    shown = [e.url or "" for e in inventory.entries] + [
        e.extra.get("cmd", "") for e in inventory.entries
    ]
    assert not [text for text in shown if USER in text or TOKEN in text or MAC in text]


def test_stock_cmds_stay_as_the_portal_gave_them(portal_inventory: tuple[Inventory, str]) -> None:
    entries = _by_key(portal_inventory[0])
    assert entries["live:100"].extra["cmd"] == "ffmpeg http://localhost/ch/100_"
    assert entries["film:1"].extra["cmd"] == "/media/1.mpg"
    assert entries["film:2"].extra["cmd"] == "eyJ0eXBlIjoibW92aWUiIn0="
    # Not URLs: they are played through create_link, never as they stand.
    assert entries["film:1"].url is None and entries["film:2"].url is None


def test_unreadable_rows_and_series_are_counted_and_named(
    portal_inventory: tuple[Inventory, str],
) -> None:
    inventory = portal_inventory[0]
    warnings = "\n".join(inventory.warnings)
    assert "films: 1 row(s) skipped, no id" in warnings
    assert "series answers: 1 row(s) skipped, seasons unreadable (ProtocolError)" in warnings
    assert "Flag bool (id 5)" in warnings
    assert (
        "get_ordered_list rows: 1 row(s) skipped, a row that is not an object; e.g. 17" in warnings
    )
    # What could be read was: series 5 is there, without episodes.
    assert "series:5" in _by_key(inventory)


def test_past_the_error_budget_the_read_fails_naming_the_list(serve: Serve) -> None:
    strict = dataclasses.replace(TOLERANT, max_bad_rows=0.01)
    with pytest.raises(TooManyBadRows, match="rows of the films list") as caught:
        _read(serve, ShapesPortal(), strict)
    assert "no id" in str(caught.value)
    portal = ShapesPortal(films=[f for f in ShapesPortal().films if "id" in f])
    with pytest.raises(TooManyBadRows, match="series answers list"):
        _read(serve, portal, strict)


def test_no_episodes_option_reads_no_seasons(serve: Serve) -> None:
    portal = ShapesPortal()
    inventory = _read(serve, portal, dataclasses.replace(TOLERANT, episodes=False))
    kinds = {e.key: e.kind for e in inventory.entries}
    assert kinds["series:3"] is EntryKind.SERIES
    # Embedded parts come with the film row itself; nothing else is asked for.
    assert [k for k, v in kinds.items() if v is EntryKind.EPISODE] == [
        "episode:6:1:1", "episode:6:1:2", "episode:6:1:3",
    ]  # fmt: skip
