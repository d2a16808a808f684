"""Reference registries in the database, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from castwatch.catalog.progress import Progress
from castwatch.catalog.registry import (
    ChannelRecord,
    Claim,
    ClaimKind,
    FeedRecord,
    Identification,
    RightsHolder,
    WorkKind,
    WorkRecord,
)
from castwatch.catalog.store import save_inventory
from castwatch.catalog.store_queries import find_service, find_snapshot, iter_entries
from castwatch.errors import NotFound, StorageError
from castwatch.identify.registries.holders import DEFAULT_HOLDERS, load_holders
from castwatch.identify.registries.iptv_org import load_iptv_org
from castwatch.storage import reference
from castwatch.storage.db import Store
from tests.identify.registries.test_iptv_org import SHARED_IPTV_ORG, needs_shared, write_tables
from tests.storage.helpers import make_inventory


@dataclass
class Registry:
    """A channel registry built in code, shaped like an iptv-org import."""

    channels: list[ChannelRecord]
    countries: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    regions: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    digest: str = "d1"

    def counts(self) -> dict[str, int]:
        return {"channels": len(self.channels)}


def test_small_registry_round_trip(store: Store, tmp_path: Path) -> None:
    data = load_iptv_org(write_tables(tmp_path))
    counts = reference.replace_iptv_org(store, data, "small")
    assert counts == data.counts()
    assert reference.load_channels(store) == data.channels
    assert reference.load_countries(store) == {
        "FR": ("France", ("fra",)),
        "QA": ("Qatar", ("ara",)),
    }
    assert reference.load_regions(store) == {
        code: region.countries for code, region in data.regions.items()
    }
    status = reference.registry_status(store)
    assert (status["channels"], status["feeds"], status["blocked"]) == (3, 3, 1)
    assert status["imports"]["iptv-org"]["source"] == "small"
    assert status["imports"]["iptv-org"]["digest"] == data.digest
    assert status["imports"]["works"] is None


def test_an_import_replaces_the_registry_wholesale(store: Store, tmp_path: Path) -> None:
    reference.replace_iptv_org(store, load_iptv_org(write_tables(tmp_path)), "first")
    replacement = Registry(
        [ChannelRecord("New.fr", "New", feeds=[FeedRecord("New.fr", "SD", "SD", is_main=True)])],
        {"FR": ("France", ())},
        digest="d2",
    )
    reference.replace_iptv_org(store, replacement, "second")
    assert reference.load_channels(store) == replacement.channels
    assert reference.load_countries(store) == {"FR": ("France", ())}
    assert reference.registry_status(store)["imports"]["iptv-org"]["source"] == "second"


def test_a_failed_import_keeps_the_previous_registry(store: Store, tmp_path: Path) -> None:
    data = load_iptv_org(write_tables(tmp_path))
    reference.replace_iptv_org(store, data, "good")
    broken = Registry([ChannelRecord("Twice.fr", "A"), ChannelRecord("Twice.fr", "B")])
    with pytest.raises(StorageError, match="could not store the channel registry"):
        reference.replace_iptv_org(store, broken, "bad")
    assert reference.load_channels(store) == data.channels
    assert reference.registry_status(store)["imports"]["iptv-org"]["source"] == "good"


@needs_shared
def test_the_shared_registry_round_trips(store: Store) -> None:
    data = load_iptv_org(SHARED_IPTV_ORG)
    reference.replace_iptv_org(store, data, str(SHARED_IPTV_ORG))
    assert reference.load_channels(store) == data.channels
    assert reference.load_countries(store) == data.countries


def test_holders_round_trip_and_replace(store: Store) -> None:
    holders = load_holders(DEFAULT_HOLDERS)
    counts = reference.replace_holders(store, holders, str(DEFAULT_HOLDERS), "abc")
    assert counts == {"holders": len(holders), "claims": sum(len(h.claims) for h in holders)}
    assert reference.load_holders(store) == sorted(holders, key=lambda holder: holder.name)
    smaller = [
        RightsHolder(
            "Solo",
            aliases=("S",),
            claims=[Claim(ClaimKind.CHANNEL, "A.fr", ("FR", "BE")), Claim(ClaimKind.WORK, "w1")],
            memberships=("ACE",),
            website="https://solo.example",
            notes="n",
        )
    ]
    reference.replace_holders(store, smaller, "solo.yaml")
    assert reference.load_holders(store) == smaller
    status = reference.registry_status(store)
    assert (status["holders"], status["claims"]) == (1, 2)
    assert status["imports"]["holders"]["source"] == "solo.yaml"


def test_duplicate_holders_are_refused_cleanly(store: Store) -> None:
    reference.replace_holders(store, [RightsHolder("Kept")], "first")
    with pytest.raises(StorageError, match="could not store the rights holders"):
        reference.replace_holders(store, [RightsHolder("Same"), RightsHolder("Same")], "x")
    assert [holder.name for holder in reference.load_holders(store)] == ["Kept"]


def _works(count: int, title: str = "Title", start: int = 0) -> Iterator[WorkRecord]:
    for i in range(start, start + count):
        yield WorkRecord(
            id=f"w{i:06d}",
            title=f"{title} {i}",
            kind=WorkKind.SERIES if i % 2 else WorkKind.FILM,
            year=1990 + i % 30,
            original_title=None if i % 3 else f"Original {i}",
            external_ids={"imdb": f"tt{i:07d}"} if i % 4 else {},
            holder="Netflix" if i % 5 == 0 else None,
        )


def test_works_are_upserted_in_streamed_batches(store: Store) -> None:
    seen: list[tuple[str, int, int | None]] = []
    progress: Progress = lambda stage, done, total: seen.append((stage, done, total))  # noqa: E731
    counts = reference.import_works(store, _works(12_000), "first.csv", progress)
    assert counts == {"read": 12_000, "new": 12_000, "updated": 0, "total": 12_000}
    assert seen[0] == ("works", 5000, None) and seen[-1] == ("works", 12_000, 12_000)
    # A second file overlaps the first by 2,000 works and repeats one id within a batch.
    second = [*_works(4_000, "Renamed", start=10_000), *_works(1, "Last", start=13_999)]
    counts = reference.import_works(store, second, "second.csv")
    assert counts == {"read": 4_001, "new": 2_000, "updated": 2_001, "total": 14_000}
    assert reference.count_works(store) == 14_000
    stored = list(reference.iter_works(store, batch=3_000))
    assert [work.id for work in stored] == [f"w{i:06d}" for i in range(14_000)]
    assert stored[0] == next(_works(1))
    assert stored[10_000].title == "Renamed 10000"
    assert stored[13_999].title == "Last 13999"
    assert reference.registry_status(store)["imports"]["works"]["counts"]["new"] == 2_000


def _snapshot_with_entries(store: Store) -> tuple[int, list[int]]:
    summary = save_inventory(store, make_inventory(6), "panel")
    with store.session() as session:
        snapshot = find_snapshot(session, find_service(session, "panel"), summary.id)
        return snapshot.id, [entry.id for entry in iter_entries(session, snapshot)]


def test_identifications_are_replaced_per_engine(store: Store) -> None:
    snapshot_id, entry_ids = _snapshot_with_entries(store)
    first = [
        (entry_ids[0], Identification("channel", "CanalPlus.fr", 0.93, {"tokens": ["canal"]})),
        (entry_ids[1], Identification("channel", None, 0.2, {}, None)),
        (entry_ids[1], Identification("channel", "CanalPlusSport.fr", 0.6, {}, "HD")),
    ]
    assert reference.save_identifications(store, snapshot_id, first, "channels-v1") == 3
    works = [(entry_ids[2], Identification("work", "tt0111161", 0.99, {"year": 1994}))]
    reference.save_identifications(store, snapshot_id, works, "titles-v1")
    assert reference.load_identifications(store, snapshot_id) == sorted(
        first + works, key=lambda row: row[0]
    )
    again = [(entry_ids[3], Identification("channel", "M6.fr", 0.8))]
    reference.save_identifications(store, snapshot_id, again, "channels-v1")
    assert reference.load_identifications(store, snapshot_id, "channels-v1") == again
    assert reference.load_identifications(store, snapshot_id, "titles-v1") == works
    assert reference.registry_status(store)["identifications"] == 2


def test_identifications_refer_to_real_rows(store: Store) -> None:
    snapshot_id, _ = _snapshot_with_entries(store)
    with pytest.raises(NotFound, match="no snapshot 999"):
        reference.save_identifications(store, 999, [], "e")
    with pytest.raises(StorageError, match="could not store the identifications"):
        reference.save_identifications(
            store, snapshot_id, [(10**6, Identification("channel", "X", 1.0))], "e"
        )
    assert reference.load_identifications(store, snapshot_id) == []
