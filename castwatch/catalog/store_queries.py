"""Read the catalog back: services, snapshots, the entries of a snapshot, and diffs.

Entry versions are shared between snapshots, so the order a service listed its entries in
belongs to each snapshot, not to the rows: ``snapshot.entry_order`` holds the entry row ids
in listing order, as zlib-compressed deltas (a re-read of an unchanged service lists the
same ids in the same order, and sequential ids compress to almost nothing).
"""

from __future__ import annotations

import zlib
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from castwatch.catalog.tables import EndpointRow, EntryRow, ServiceRow, SnapshotRow
from castwatch.errors import NotFound
from castwatch.storage.db import Store


def in_snapshot(snapshot: SnapshotRow) -> ColumnElement[bool]:
    """The versions of ``snapshot``'s service that were present in it (see tables.py)."""
    return (
        (EntryRow.service_id == snapshot.service_id)
        & (EntryRow.valid_from <= snapshot.id)
        & or_(EntryRow.valid_to.is_(None), EntryRow.valid_to > snapshot.id)
    )


def find_service(session: Session, name: str) -> ServiceRow:
    """A service by exact name, else by a unique case-insensitive prefix, else by id."""
    service = session.scalars(select(ServiceRow).where(ServiceRow.name == name)).one_or_none()
    if service is not None:
        return service
    matches = list(
        session.scalars(
            select(ServiceRow).where(func.lower(ServiceRow.name).startswith(name.lower()))
        )
    )
    if len(matches) == 1:
        return matches[0]
    if name.isdigit() and (by_id := session.get(ServiceRow, int(name))) is not None:
        return by_id
    if matches:
        names = ", ".join(sorted(m.name for m in matches))
        raise NotFound(f"{name!r} matches several services: {names}; give the full name")
    known = ", ".join(session.scalars(select(ServiceRow.name).order_by(ServiceRow.name))) or "none"
    raise NotFound(f"no service {name!r} (known: {known}); ingest one with `castwatch ingest`")


def snapshots_of(session: Session, service: ServiceRow) -> list[SnapshotRow]:
    """The service's snapshots, oldest first."""
    return list(
        session.scalars(
            select(SnapshotRow).where(SnapshotRow.service_id == service.id).order_by(SnapshotRow.id)
        )
    )


def find_snapshot(session: Session, service: ServiceRow, snapshot_id: int | None) -> SnapshotRow:
    """The given snapshot of ``service``, or its latest when ``snapshot_id`` is None."""
    history = snapshots_of(session, service)
    if not history:
        raise NotFound(f"service {service.name!r} has no snapshot yet")
    if snapshot_id is None:
        return history[-1]
    for snapshot in history:
        if snapshot.id == snapshot_id:
            return snapshot
    ids = ", ".join(str(s.id) for s in history)
    raise NotFound(f"service {service.name!r} has no snapshot {snapshot_id} (it has: {ids})")


@dataclass(frozen=True, slots=True)
class ServiceSurface:
    """Where a stored service shows itself: its base URLs, and of its latest snapshot the
    ``server_info`` it reported and its busiest stream hosts (``scheme://host[:port]/``)."""

    name: str
    base_urls: list[str]
    server_info: dict[str, Any] | None = None
    stream_hosts: list[str] = field(default_factory=list)


def service_surface(store: Store, name: str, max_hosts: int) -> ServiceSurface:
    """The surface of the stored service ``name`` (:class:`NotFound` when there is none)."""
    with store.session() as session:
        service = find_service(session, name)
        history = snapshots_of(session, service)
        if not history:
            return ServiceSurface(service.name, list(service.base_urls))
        latest = history[-1]
        endpoints = session.scalars(
            select(EndpointRow)
            .where(EndpointRow.snapshot_id == latest.id)
            .order_by(EndpointRow.entries.desc())
            .limit(max_hosts)
        )
        hosts = [f"{e.scheme}://{e.host}{f':{e.port}' if e.port else ''}/" for e in endpoints]
        info = latest.server_info.get("server_info")
        return ServiceSurface(
            service.name,
            list(service.base_urls),
            info if isinstance(info, dict) and info else None,
            hosts,
        )


@dataclass(frozen=True, slots=True)
class SnapshotColumns:
    """Some columns of every entry version in one snapshot, as narrow named rows."""

    service: str
    snapshot_id: int
    #: One row per entry, with the asked columns as attributes (``row.name``, ``row.kind``...).
    rows: list[Any]


def entry_columns(
    store: Store,
    service_name: str,
    snapshot_id: int | None,
    columns: Sequence[str],
    kinds: Sequence[str] | None = None,
) -> SnapshotColumns:
    """The named ``columns`` of a snapshot's entries (the latest when ``snapshot_id`` is None),
    only those of ``kinds`` when given.

    Narrow rows, not ORM objects: a 200,000-entry snapshot loads in a fraction of the time.
    """
    with store.session() as session:
        service = find_service(session, service_name)
        snapshot = find_snapshot(session, service, snapshot_id)
        query = select(*(getattr(EntryRow, name) for name in columns)).where(in_snapshot(snapshot))
        if kinds is not None:
            query = query.where(EntryRow.kind.in_(kinds))
        rows = list(session.execute(query))
    return SnapshotColumns(service.name, snapshot.id, rows)


def iter_entries(session: Session, snapshot: SnapshotRow) -> Iterator[EntryRow]:
    """Every entry of a snapshot, streamed in key order (memory stays flat)."""
    query = select(EntryRow).where(in_snapshot(snapshot)).order_by(EntryRow.kind, EntryRow.key)
    yield from session.scalars(query.execution_options(yield_per=2000))


#: Entry rows read per query when streaming a snapshot in listing order.
_ORDER_BATCH = 1000


def iter_listed(session: Session, snapshot: SnapshotRow) -> Iterator[EntryRow]:
    """Every entry of a snapshot in the order the service listed them.

    Snapshots stored before the order was recorded have none: they come in key order.
    """
    if snapshot.entry_order is None:
        yield from iter_entries(session, snapshot)
        return
    ids = decode_order(snapshot.entry_order)
    for start in range(0, len(ids), _ORDER_BATCH):
        batch = ids[start : start + _ORDER_BATCH].tolist()
        rows = {
            row.id: row for row in session.scalars(select(EntryRow).where(EntryRow.id.in_(batch)))
        }
        yield from (rows[row_id] for row_id in batch if row_id in rows)
        # The rows were read to be written out: let the identity map forget them.
        for row in rows.values():
            session.expunge(row)


def record_order(connection: Connection, snapshot: SnapshotRow, keys: Iterable[str]) -> bytes:
    """``snapshot.entry_order`` for entries listed with ``keys`` (in order, once each).

    Reads the ids of the snapshot's versions once, after they were written; keys the
    snapshot does not hold (skipped duplicates) are left out.
    """
    position = {key: index for index, key in enumerate(dict.fromkeys(keys))}
    ids = array("q", bytes(8 * len(position)))
    found = array("b", bytes(len(position)))
    query = select(EntryRow.id, EntryRow.key).where(in_snapshot(snapshot))
    for row_id, key in connection.execute(query):
        index = position.get(key)
        if index is not None:
            ids[index] = row_id
            found[index] = 1
    return encode_order(row_id for row_id, ok in zip(ids, found, strict=True) if ok)


def encode_order(ids: Iterable[int]) -> bytes:
    """Row ids as zlib-compressed 64-bit deltas."""
    deltas = array("q")
    previous = 0
    for row_id in ids:
        deltas.append(row_id - previous)
        previous = row_id
    return zlib.compress(deltas.tobytes(), 6)


def decode_order(blob: bytes) -> array[int]:
    """The row ids :func:`encode_order` packed."""
    deltas = array("q")
    deltas.frombytes(zlib.decompress(blob))
    total = 0
    for index, delta in enumerate(deltas):
        total += delta
        deltas[index] = total
    return deltas


@dataclass(slots=True)
class SnapshotBreakdown:
    """Counts of a snapshot by kind and by (kind, group), and its endpoints."""

    by_kind: dict[str, int]
    by_group: list[tuple[str, str, int]]
    endpoints: list[EndpointRow]


def breakdown(session: Session, snapshot: SnapshotRow, top_groups: int = 20) -> SnapshotBreakdown:
    """Counts by kind and category computed in the database, not in Python."""
    by_kind = {
        kind: count
        for kind, count in session.execute(
            select(EntryRow.kind, func.count()).where(in_snapshot(snapshot)).group_by(EntryRow.kind)
        )
    }
    count = func.count().label("n")
    by_group = [
        (kind, group or "(no group)", n)
        for kind, group, n in session.execute(
            select(EntryRow.kind, EntryRow.group_name, count)
            .where(in_snapshot(snapshot))
            .group_by(EntryRow.kind, EntryRow.group_name)
            .order_by(count.desc(), EntryRow.group_name)
            .limit(top_groups)
        )
    ]
    endpoints = list(
        session.scalars(
            select(EndpointRow)
            .where(EndpointRow.snapshot_id == snapshot.id)
            .order_by(EndpointRow.entries.desc())
        )
    )
    return SnapshotBreakdown(by_kind, by_group, endpoints)


@dataclass(slots=True, frozen=True)
class DiffItem:
    """One entry that differs between two snapshots."""

    key: str
    kind: str
    name: str
    group: str | None
    old_name: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"key": self.key, "kind": self.kind, "name": self.name}
        data["group"] = self.group
        if self.old_name is not None:
            data["old_name"] = self.old_name
        return data


@dataclass(slots=True)
class SnapshotDiff:
    """What changed from snapshot ``a`` to snapshot ``b`` of one service."""

    service: str
    a: int
    b: int
    a_taken: datetime
    b_taken: datetime
    added: list[DiffItem] = field(default_factory=list)
    removed: list[DiffItem] = field(default_factory=list)
    renamed: list[DiffItem] = field(default_factory=list)
    changed: list[DiffItem] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The ``castwatch diff --json`` document: counts, then every item of each list."""
        lists = {"added": self.added, "removed": self.removed, "renamed": self.renamed}
        lists["changed"] = self.changed
        return {
            "service": self.service,
            "a": self.a,
            "b": self.b,
            "a_taken_at": self.a_taken,
            "b_taken_at": self.b_taken,
            "counts": {name: len(items) for name, items in lists.items()},
            **{name: [item.as_dict() for item in items] for name, items in lists.items()},
        }


def diff_snapshots(
    session: Session, service: ServiceRow, a: int | None, b: int | None
) -> SnapshotDiff:
    """Added, removed, renamed and otherwise changed entries between two snapshots.

    Defaults: ``b`` is the latest snapshot and ``a`` the one before it. Entries match by key;
    a match whose name differs is a rename, one whose other fields differ is a change.
    """
    history = snapshots_of(session, service)
    if len(history) < 2 and (a is None or b is None):
        raise NotFound(
            f"service {service.name!r} has {len(history)} snapshot(s); a diff needs two "
            "(ingest it again later)"
        )
    snap_b = find_snapshot(session, service, b)
    if a is None:
        earlier = [s for s in history if s.id < snap_b.id]
        if not earlier:
            raise NotFound(
                f"snapshot {snap_b.id} is the first of {service.name!r}: nothing before it"
            )
        snap_a = earlier[-1]
    else:
        snap_a = find_snapshot(session, service, a)
    result = SnapshotDiff(service.name, snap_a.id, snap_b.id, snap_a.taken_at, snap_b.taken_at)
    old = _versions(session, snap_a)
    new = _versions(session, snap_b)
    for key, (kind, name, group, digest) in new.items():
        before = old.get(key)
        if before is None:
            result.added.append(DiffItem(key, kind, name, group))
        elif before[1] != name:
            result.renamed.append(DiffItem(key, kind, name, group, old_name=before[1]))
        elif before[3] != digest:
            result.changed.append(DiffItem(key, kind, name, group))
    result.removed = [
        DiffItem(key, kind, name, group)
        for key, (kind, name, group, _) in old.items()
        if key not in new
    ]
    for items in (result.added, result.removed, result.renamed, result.changed):
        items.sort(key=lambda item: (item.kind, item.name, item.key))
    return result


def _versions(
    session: Session, snapshot: SnapshotRow
) -> dict[str, tuple[str, str, str | None, bytes]]:
    query = select(EntryRow.key, EntryRow.kind, EntryRow.name, EntryRow.group_name, EntryRow.digest)
    return {
        key: (kind, name, group, digest)
        for key, kind, name, group, digest in session.execute(query.where(in_snapshot(snapshot)))
    }
