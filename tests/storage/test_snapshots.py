"""Snapshots on SQLite and PostgreSQL: versioned storage, diffs, atomicity, encryption."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from castwatch.catalog import Entry, EntryKind
from castwatch.catalog.store import save_inventory
from castwatch.catalog.store_queries import (
    breakdown,
    diff_snapshots,
    find_service,
    find_snapshot,
    iter_entries,
)
from castwatch.catalog.tables import CredentialRow, EntryRow, SnapshotRow
from castwatch.errors import NotFound
from castwatch.storage.db import Store
from tests.storage.helpers import make_inventory


def _entry_rows(store: Store) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(EntryRow)) or 0


def test_first_snapshot_stores_every_entry(store: Store) -> None:
    summary = save_inventory(store, make_inventory(50), "panel")
    assert summary.added == 50 and summary.removed == 0 and summary.changed == 0
    assert summary.counts == {"live": 25, "film": 25, "series": 0, "episode": 0}
    with store.session() as session:
        snap = find_snapshot(session, find_service(session, "panel"), None)
        names = [e.name for e in iter_entries(session, snap)]
        parts = breakdown(session, snap)
    assert len(names) == 50
    assert parts.by_kind == {"live": 25, "film": 25}
    assert {(e.host, e.port, e.path_pattern, e.entries) for e in parts.endpoints} == {
        ("panel.test", 8080, "/film/{username}/{password}/{id}.ts", 25),
        ("panel.test", 8080, "/live/{username}/{password}/{id}.ts", 25),
    }


def test_unchanged_reingest_writes_no_entry_rows(store: Store) -> None:
    save_inventory(store, make_inventory(50), "panel")
    before = _entry_rows(store)
    summary = save_inventory(store, make_inventory(50), "panel")
    assert (summary.added, summary.removed, summary.changed) == (0, 0, 0)
    assert _entry_rows(store) == before == 50


def test_changes_create_versions_and_old_snapshots_stay_readable(store: Store) -> None:
    first = save_inventory(store, make_inventory(50), "panel")
    # Entries 0..9 dropped, 50..59 new, and the first 5 remaining renamed.
    second = save_inventory(store, make_inventory(50, renamed=5, first=10), "panel")
    assert (second.added, second.removed, second.changed) == (10, 10, 5)
    assert _entry_rows(store) == 50 + 10 + 5
    with store.session() as session:
        service = find_service(session, "panel")
        old = {
            e.key: e.name for e in iter_entries(session, find_snapshot(session, service, first.id))
        }
        new = {
            e.key: e.name for e in iter_entries(session, find_snapshot(session, service, second.id))
        }
        result = diff_snapshots(session, service, None, None)
    assert len(old) == len(new) == 50
    assert old["live:10"] == "FR| CHANNEL 10"
    assert new["live:10"] == "FR| CHANNEL 10 (new name)"
    assert {i.key for i in result.added} == {
        f"{'live' if i % 2 == 0 else 'film'}:{i}" for i in range(50, 60)
    }
    assert {i.key for i in result.removed} == {
        f"{'live' if i % 2 == 0 else 'film'}:{i}" for i in range(10)
    }
    renames = {i.key: (i.old_name, i.name) for i in result.renamed}
    assert renames["live:10"] == ("FR| CHANNEL 10", "FR| CHANNEL 10 (new name)")
    assert len(result.renamed) == 5 and not result.changed


def test_an_entry_that_returns_gets_a_new_version(store: Store) -> None:
    save_inventory(store, make_inventory(10), "panel")
    save_inventory(store, make_inventory(5), "panel")
    third = save_inventory(store, make_inventory(10), "panel")
    assert (third.added, third.removed) == (5, 0)
    with store.session() as session:
        service = find_service(session, "panel")
        counts = [
            sum(1 for _ in iter_entries(session, snap))
            for snap in session.scalars(select(SnapshotRow).order_by(SnapshotRow.id))
        ]
        back = diff_snapshots(session, service, None, None)
    assert counts == [10, 5, 10]
    assert len(back.added) == 5


def test_failed_write_rolls_back_and_keeps_the_previous_snapshot(store: Store) -> None:
    save_inventory(store, make_inventory(20), "panel")
    broken = make_inventory(30)
    # A NULL name violates NOT NULL in the middle of the bulk insert.
    broken.entries.insert(25, Entry(EntryKind.LIVE, "live:broken", None))  # type: ignore[arg-type]
    with pytest.raises(Exception, match=r"(?i)null|constraint"):
        save_inventory(store, broken, "panel")
    with store.session() as session:
        service = find_service(session, "panel")
        snapshots = list(session.scalars(select(SnapshotRow)))
        entries = list(iter_entries(session, find_snapshot(session, service, None)))
    assert len(snapshots) == 1
    assert len(entries) == 20
    assert _entry_rows(store) == 20


def test_credentials_are_encrypted_at_rest(store: Store) -> None:
    save_inventory(store, make_inventory(5, password="hunter2-very-secret"), "panel")
    with store.session() as session:
        row = session.scalars(select(CredentialRow)).one()
        urls = [e.url or "" for e in session.scalars(select(EntryRow))]
    assert b"hunter2" not in row.ciphertext
    assert "hunter2" not in row.label
    assert all("hunter2" not in url and "{password}" in url for url in urls)
    assert store.vault.decrypt(row.ciphertext).password == "hunter2-very-secret"
    if store.engine.dialect.name == "sqlite":
        assert store.engine.url.database is not None
        with open(store.engine.url.database, "rb") as handle:
            assert b"hunter2" not in handle.read()


def test_same_account_is_stored_once(store: Store) -> None:
    save_inventory(store, make_inventory(5), "panel")
    save_inventory(store, make_inventory(5), "panel")
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(CredentialRow)) == 1


def test_lookups_name_what_is_missing(store: Store) -> None:
    save_inventory(store, make_inventory(5), "panel-one")
    save_inventory(store, make_inventory(5), "panel-two")
    with store.session() as session:
        assert find_service(session, "panel-o").name == "panel-one"
        with pytest.raises(NotFound, match="several services"):
            find_service(session, "panel")
        with pytest.raises(NotFound, match=r"no service 'nope'.*panel-one"):
            find_service(session, "nope")
        service = find_service(session, "panel-one")
        with pytest.raises(NotFound, match="no snapshot 999"):
            find_snapshot(session, service, 999)
        with pytest.raises(NotFound, match="a diff needs two"):
            diff_snapshots(session, service, None, None)
