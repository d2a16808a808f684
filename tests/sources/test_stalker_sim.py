"""The Stalker source against the simulator's ``mixed`` shapes, then verification through
``create_link``: every series labelled, every episode stored, links that really play."""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest

from castwatch.catalog import Credentials, EntryKind, Inventory
from castwatch.net.policy import FetchOptions
from castwatch.sim import SimConfig, SimServer, cached_catalog
from castwatch.sources.stalker import StalkerSource
from tests.conftest import CliRunner
from tests.sources.conftest import SMALL
from tests.sources.stalker_portal import MAC, ShapesPortal

Serve = Callable[[Any], AbstractContextManager[str]]

MIXED = dataclasses.replace(SMALL, shapes="mixed")


@pytest.fixture(scope="module")
def mixed_sim() -> Iterator[SimServer]:
    with SimServer(MIXED) as server:
        yield server


@pytest.fixture(scope="module")
def mixed_inventory(mixed_sim: SimServer) -> Inventory:
    options = FetchOptions(credentials=Credentials(mac=SMALL.mac), timeout=5, retries=1)
    return StalkerSource().fetch(str(mixed_sim.urls["stalker_url"]), options)


def test_every_series_is_labelled_and_every_episode_stored(mixed_inventory: Inventory) -> None:
    catalog = cached_catalog(
        seed=SMALL.seed, live=SMALL.live, films=SMALL.films, series=SMALL.series,
        episodes=SMALL.episodes,
    )  # fmt: skip
    counts = Counter(entry.kind for entry in mixed_inventory.entries)
    assert counts[EntryKind.LIVE] == len(catalog.live)
    assert counts[EntryKind.FILM] == len(catalog.films)
    assert counts[EntryKind.SERIES] == len(catalog.series)
    assert counts[EntryKind.EPISODE] == len(catalog.episodes)
    stored = {
        (int(e.series_id or 0), e.season, e.episode_num)
        for e in mixed_inventory.entries
        if e.kind is EntryKind.EPISODE
    }
    assert stored == {(e.series_id, e.season, e.episode_num) for e in catalog.episodes}
    assert mixed_inventory.warnings == []


def test_mixed_rows_keep_tmdb_added_and_absolute_logos(
    mixed_inventory: Inventory, mixed_sim: SimServer
) -> None:
    films = [e for e in mixed_inventory.entries if e.kind is EntryKind.FILM]
    assert any(e.tmdb_id for e in films)
    assert all(e.added is not None for e in films)
    logos = [e.tvg_logo for e in mixed_inventory.entries if e.tvg_logo]
    assert logos and all(logo.startswith("http") for logo in logos)
    assert any(logo.startswith(mixed_sim.base_url + "/stalker_portal/") for logo in logos)


def test_no_account_is_left_in_clear(mixed_inventory: Inventory) -> None:
    secrets = [SMALL.username, SMALL.password, SMALL.mac, SMALL.mac.lower()]
    shown = [e.url or "" for e in mixed_inventory.entries]
    shown += [e.extra.get("cmd", "") for e in mixed_inventory.entries]
    assert not [text for text in shown if any(secret in text for secret in secrets)]
    loaded = [e for e in mixed_inventory.entries if "/load/" in (e.url or "")]
    assert loaded
    account = mixed_inventory.credentials[loaded[0].credential or 0]
    assert account.username == SMALL.username and account.mac == SMALL.mac


def test_verification_plays_stalker_entries_through_create_link(cli: CliRunner) -> None:
    # Live time stands still: the reference and the probes cover the same minutes.
    config = SimConfig(
        seed=3, live=4, films=2, series=1, episodes=2, shapes="mixed", frozen_clock=time.time()
    )
    with SimServer(config) as sim:
        urls = sim.urls
        ingest = cli("ingest", urls["stalker_url"], "--mac", urls["mac"], "--name", "box", "--json")
        assert ingest.code == 0, ingest.stderr
        feed = sim.live_feed(1)
        captured: Any = cli(
            "ref", "capture", feed.channel_key, feed.reference_url, "--minutes", "0.2", "--json"
        ).json()
        assert captured["live"] is True
        carrying = {n for n in range(1, 5) if sim.live_feed(n).channel_key == feed.channel_key}
        result = cli("verify", "box", "--sample", "4", "--seconds", "6", "--kind", "live", "--json")
    assert result.code == 0, result.stderr
    outcome: Any = result.json()
    assert outcome["checked"] == 4
    assert all(r["error"] is None for r in outcome["results"]), outcome["results"]
    matched = {
        int(r["source"].rsplit("/", 1)[1].split(".")[0])
        for r in outcome["results"]
        if r["match"] == f"channel:{feed.channel_key}"
    }
    # Every cmd shape (stock, /load/, play_token, ffrt) was played through create_link.
    assert matched == carrying
    assert not [r for r in outcome["results"] if urls["username"] in r["source"]]


def test_a_refused_link_is_a_failed_check_of_that_entry(cli: CliRunner, serve: Serve) -> None:
    refusals = {"100": {"cmd": "", "error": "nothing_to_play"}, "101": b"<html>down</html>"}

    def links(query: dict[str, str]) -> Any:
        channel = next((k for k in refusals if k in query["cmd"]), None)
        return refusals[channel] if channel else {"cmd": "", "error": "limit"}

    with serve(ShapesPortal(links=links)) as base:
        ingest = cli(
            "ingest", base + "/stalker_portal/c/", "--mac", MAC, "--name", "odd", "--json",
            "--max-bad-rows", "1",
        )  # fmt: skip
        assert ingest.code == 0, ingest.stderr
        result = cli("verify", "odd", "--sample", "3", "--kind", "live", "--json")
    assert result.code == 0, result.stderr
    outcome: Any = result.json()
    errors = sorted(r["error"] for r in outcome["results"])
    assert len(errors) == 3
    assert any("no stream behind this entry" in e for e in errors)
    assert any("an HTML page" in e for e in errors)
    assert any("as many streams as it may" in e for e in errors)
    assert all("could not get a link to play" in e and MAC not in e for e in errors)
