"""Write an inventory as a new snapshot, storing only what changed since the last one.

A snapshot is written in one transaction: the snapshot row, new entry versions, the closing
of versions that changed or vanished, credentials and endpoints. If anything fails (or the
process is killed) the transaction rolls back and the previous snapshot stays as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from castwatch import __version__
from castwatch.catalog import Entry, Inventory
from castwatch.catalog.endpoints import summarize_endpoints
from castwatch.catalog.progress import Progress, no_progress
from castwatch.catalog.store_queries import record_order
from castwatch.catalog.tables import CredentialRow, EndpointRow, EntryRow, ServiceRow, SnapshotRow
from castwatch.storage.bulk import bulk_inserter, model_table
from castwatch.storage.db import Store

_BATCH = 5000
#: Warning lines an ingest reports (``castwatch ingest`` prints them); the snapshot keeps 1,000.
WARNINGS_SHOWN = 20


@dataclass(slots=True, frozen=True)
class SnapshotSummary:
    """What one ingest stored."""

    id: int
    service: str
    kind: str
    taken_at: datetime
    source_url: str
    counts: dict[str, int]
    added: int
    removed: int
    changed: int
    warnings: list[str]

    @property
    def entries(self) -> int:
        return sum(self.counts.values())

    def to_dict(self, warnings_shown: int = WARNINGS_SHOWN) -> dict[str, Any]:
        """The ``castwatch ingest --json`` document: the first ``warnings_shown`` warnings."""
        return {
            "service": self.service,
            "snapshot": self.id,
            "kind": self.kind,
            "taken_at": self.taken_at,
            "source_url": self.source_url,
            "entries": self.entries,
            "counts": self.counts,
            "added": self.added,
            "removed": self.removed,
            "changed": self.changed,
            "warnings": len(self.warnings),
            "warning_lines": self.warnings[:warnings_shown],
        }


def save_inventory(
    store: Store, inventory: Inventory, service_name: str, progress: Progress = no_progress
) -> SnapshotSummary:
    """Store ``inventory`` as the newest snapshot of ``service_name`` (created if new)."""
    with store.session() as session:
        service = _lock_service(session, service_name, inventory)
        credential_ids = [
            _credential_id(session, store, service.id, credentials)
            for credentials in inventory.credentials
        ]
        snapshot = SnapshotRow(
            service_id=service.id,
            taken_at=datetime.now(UTC),
            kind=inventory.kind.value,
            source_url=inventory.source_url,
            counts=inventory.counts(),
            server_info=inventory.server_info,
            warnings=inventory.warnings[:1000],
            tool_version=__version__,
        )
        session.add(snapshot)
        session.flush()
        added, removed, changed = _write_versions(
            session, service.id, snapshot.id, inventory, credential_ids, progress
        )
        snapshot.added, snapshot.removed, snapshot.changed = added, removed, changed
        # The listing order is the snapshot's own (versions are shared): export writes it.
        snapshot.entry_order = record_order(
            session.connection(), snapshot, (entry.key for entry in inventory.entries)
        )
        session.add_all(
            EndpointRow(
                snapshot_id=snapshot.id,
                scheme=endpoint.scheme,
                host=endpoint.host,
                port=endpoint.port,
                path_pattern=endpoint.path_pattern,
                entries=endpoint.entries,
            )
            for endpoint in summarize_endpoints(inventory.entries)
        )
        session.flush()
        return SnapshotSummary(
            id=snapshot.id,
            service=service.name,
            kind=snapshot.kind,
            taken_at=snapshot.taken_at,
            source_url=snapshot.source_url,
            counts=dict(snapshot.counts),
            added=added,
            removed=removed,
            changed=changed,
            warnings=list(inventory.warnings),
        )


def _lock_service(session: Session, name: str, inventory: Inventory) -> ServiceRow:
    # FOR UPDATE serialises two ingests of one service on PostgreSQL, so snapshot ids and
    # version ranges stay ordered; SQLite serialises writers by itself.
    service = session.scalars(
        select(ServiceRow).where(ServiceRow.name == name).with_for_update()
    ).one_or_none()
    if service is None:
        service = ServiceRow(
            name=name,
            kind=inventory.kind.value,
            base_urls=list(inventory.base_urls),
            created_at=datetime.now(UTC),
        )
        session.add(service)
        session.flush()
    else:
        known = list(service.base_urls)
        service.base_urls = known + [url for url in inventory.base_urls if url not in known]
    return service


def _credential_id(session: Session, store: Store, service_id: int, credentials: Any) -> int:
    fingerprint = store.vault.fingerprint(credentials)
    existing = session.scalar(
        select(CredentialRow.id).where(
            CredentialRow.service_id == service_id, CredentialRow.fingerprint == fingerprint
        )
    )
    if existing is not None:
        return existing
    row = CredentialRow(
        service_id=service_id,
        fingerprint=fingerprint,
        ciphertext=store.vault.encrypt(credentials),
        label=credentials.redacted(),
    )
    session.add(row)
    session.flush()
    return row.id


def _write_versions(
    session: Session,
    service_id: int,
    snapshot_id: int,
    inventory: Inventory,
    credential_ids: list[int],
    progress: Progress,
) -> tuple[int, int, int]:
    connection = session.connection()
    current: dict[str, tuple[int, bytes]] = {
        key: (row_id, digest)
        for row_id, key, digest in connection.execute(
            select(EntryRow.id, EntryRow.key, EntryRow.digest).where(
                EntryRow.service_id == service_id, EntryRow.valid_to.is_(None)
            )
        )
    }
    new_rows: list[tuple[Any, ...]] = []
    closing: list[int] = []
    seen: set[str] = set()
    added = changed = 0
    for entry in inventory.entries:
        if entry.key in seen:
            inventory.warnings.append(f"duplicate key {entry.key!r} ignored: {entry.name!r}")
            continue
        seen.add(entry.key)
        credential_id = credential_ids[entry.credential] if entry.credential is not None else None
        # The inventory-local credential index means nothing across ingests; the stored id does.
        digest = entry.digest(str(credential_id))
        previous = current.get(entry.key)
        if previous is not None and previous[1] == digest:
            continue
        if previous is None:
            added += 1
        else:
            changed += 1
            closing.append(previous[0])
        new_rows.append(_row(entry, service_id, snapshot_id, digest, credential_id))
    vanished = [row_id for key, (row_id, _) in current.items() if key not in seen]
    closing.extend(vanished)
    total = len(new_rows) + len(closing)
    done = 0
    for start in range(0, len(closing), _BATCH):
        batch = closing[start : start + _BATCH]
        connection.execute(
            update(EntryRow).where(EntryRow.id.in_(batch)).values(valid_to=snapshot_id)
        )
        done += len(batch)
        progress("store", done, total)
    insert_rows = bulk_inserter(connection, model_table(EntryRow), _COLUMNS)
    for start in range(0, len(new_rows), _BATCH):
        batch_rows = new_rows[start : start + _BATCH]
        insert_rows(batch_rows)
        done += len(batch_rows)
        progress("store", done, total)
    return added, len(vanished), changed


_COLUMNS = (
    "service_id", "valid_from", "valid_to", "key", "digest", "kind", "name", "group_name",
    "url", "credential_id", "tvg_id", "tvg_name", "tvg_logo", "stream_id", "series_id",
    "episode_id", "season", "episode_num", "category_id", "container", "added_at", "year",
    "rating", "tmdb_id", "duration", "extra",
)  # fmt: skip


def _row(
    entry: Entry, service_id: int, snapshot_id: int, digest: bytes, credential_id: int | None
) -> tuple[Any, ...]:
    return (
        service_id, snapshot_id, None, entry.key, digest, entry.kind.value, entry.name,
        entry.group, entry.url, credential_id, entry.tvg_id, entry.tvg_name, entry.tvg_logo,
        entry.stream_id, entry.series_id, entry.episode_id, entry.season, entry.episode_num,
        entry.category_id, entry.container, entry.added, entry.year, entry.rating,
        entry.tmdb_id, entry.duration, entry.extra or None,
    )  # fmt: skip
