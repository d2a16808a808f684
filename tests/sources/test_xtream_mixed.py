"""``castwatch sim --shapes mixed``: every shape in one panel, and an ingest that reads them all.

The mixed panel serves the canonical catalog in every documented shape, so the strongest
check is equality: an ingest of it stores exactly the entries an ingest of the canonical
panel stores, every episode under its series, every series with its group.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from castwatch.catalog import Credentials, Entry, EntryKind
from castwatch.net.policy import FetchOptions
from castwatch.sim import SimConfig, SimServer
from castwatch.sim.xtream_shapes import SERIES_INFO_SHAPES, series_info_shape
from castwatch.sources.xtream import XtreamSource
from tests.conftest import CliRunner

SIZE = SimConfig(seed=3, live=30, films=120, series=40, episodes=300)


@pytest.fixture(scope="module")
def mixed() -> Iterator[SimServer]:
    with SimServer(SIZE, shapes="mixed") as sim:
        yield sim


@pytest.fixture(scope="module")
def canonical() -> Iterator[SimServer]:
    with SimServer(SIZE) as sim:
        yield sim


def _read(sim: SimServer) -> list[Entry]:
    account = Credentials(sim.config.username, sim.config.password)
    options = FetchOptions(credentials=account, timeout=10, retries=1, backoff=0.01)
    inventory = XtreamSource().fetch(sim.urls["xtream_url"], options)
    assert inventory.warnings == []
    return inventory.entries


def _fields(entries: list[Entry]) -> list[tuple[Any, ...]]:
    return sorted(
        (e.key, e.name, e.group, urlsplit(e.url or "").path, e.series_id, e.season,
         e.episode_num, e.category_id, e.tvg_logo, e.tmdb_id, e.duration, e.container)
        for e in entries
    )  # fmt: skip


def test_the_mixed_panel_serves_every_shape(mixed: SimServer) -> None:
    seen: set[str] = set()
    raw: dict[str, Any] = {}
    with httpx.Client(base_url=mixed.base_url) as client:
        account = {"username": mixed.config.username, "password": mixed.config.password}
        for series_id in range(1, SIZE.series + 1):
            shape = series_info_shape(series_id)
            answer = client.get(
                "/player_api.php",
                params={**account, "action": "get_series_info", "series_id": series_id},
            ).json()
            if answer and answer.get("episodes", answer.get("seasons")):
                seen.add(shape)
                raw.setdefault(shape, answer)
    assert seen == set(SERIES_INFO_SHAPES)
    assert isinstance(raw["list-of-lists"]["episodes"][0], list)
    assert isinstance(raw["flat-list"]["episodes"][0], dict)
    assert "episodes" not in raw["seasons-episodes"]


def test_mixed_shapes_read_exactly_as_the_canonical_panel(
    mixed: SimServer, canonical: SimServer
) -> None:
    entries = _read(mixed)
    assert _fields(entries) == _fields(_read(canonical))
    series = {e.series_id: e for e in entries if e.kind is EntryKind.SERIES}
    episodes = [e for e in entries if e.kind is EntryKind.EPISODE]
    assert len(series) == SIZE.series and len(episodes) == SIZE.episodes
    assert all(s.group for s in series.values())  # every series labelled with its group
    for episode in episodes:
        parent = series[episode.series_id]
        assert episode.group == parent.group and episode.season and episode.episode_num
        assert episode.duration == 2700.0


def test_ingest_of_the_mixed_panel_stores_every_episode(cli: CliRunner, mixed: SimServer) -> None:
    urls = mixed.urls
    result = cli(
        "ingest", urls["xtream_url"], "--username", urls["username"],
        "--password", urls["password"], "--json",
    )  # fmt: skip
    assert result.code == 0, result.stderr
    data: Any = result.json()
    assert data["counts"] == {"live": 30, "film": 120, "series": 40, "episode": 300}
    assert data["warnings"] == 0


def test_shapes_must_be_known() -> None:
    with pytest.raises(ValueError, match="unknown shapes 'odd'; choose one of: canonical, mixed"):
        SimConfig(shapes="odd")


def test_sim_command_refuses_unknown_shapes(cli: CliRunner) -> None:
    result = cli("sim", "--shapes", "odd")
    assert result.code != 0
    assert "unknown shapes 'odd'" in result.stderr
