"""What an inventory holds, read back for people and scripts: services, one service in
detail, the records of a snapshot, and the diff of two snapshots.

These are the read services behind ``castwatch services``, ``show``, ``export`` and
``diff``: each opens its own transaction, decrypts credentials only when asked to reveal
them, and returns plain typed results, so that a surface never touches a row or a session.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from castwatch.catalog.credentials import Credentials, restore_credentials
from castwatch.catalog.store_queries import (
    SnapshotDiff,
    breakdown,
    diff_snapshots,
    find_service,
    find_snapshot,
    iter_entries,
    iter_listed,
    snapshots_of,
)
from castwatch.catalog.tables import CredentialRow, EntryRow, ServiceRow, SnapshotRow
from castwatch.storage.db import Store

#: The fields of one exported record, in the order CSV columns are written.
EXPORT_FIELDS = (
    "key", "kind", "name", "group", "url", "tvg_id", "tvg_name", "tvg_logo", "stream_id",
    "series_id", "episode_id", "season", "episode_num", "category_id", "container", "added",
    "year", "rating", "tmdb_id", "duration", "extra",
)  # fmt: skip

ExportOrder = Literal["listing", "key"]


@dataclass(frozen=True, slots=True)
class ServiceListing:
    """One tracked service and the counts of its latest snapshot."""

    name: str
    kind: str
    snapshots: int
    latest: datetime | None
    entries: int
    counts: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "snapshots": self.snapshots,
            "latest": self.latest,
            "entries": self.entries,
            "counts": self.counts,
        }


def list_services(store: Store) -> list[ServiceListing]:
    """Every service castwatch tracks, by name, with its latest counts."""
    listings: list[ServiceListing] = []
    with store.session() as session:
        for service in session.scalars(select(ServiceRow).order_by(ServiceRow.name)):
            history = snapshots_of(session, service)
            latest = history[-1] if history else None
            listings.append(
                ServiceListing(
                    name=service.name,
                    kind=service.kind,
                    snapshots=len(history),
                    latest=latest.taken_at if latest else None,
                    entries=sum(latest.counts.values()) if latest else 0,
                    counts=dict(latest.counts) if latest else {},
                )
            )
    return listings


@dataclass(slots=True)
class ServiceDetail:
    """A service in detail: its latest snapshot's breakdown, accounts and history.

    ``to_dict`` is the ``castwatch show --json`` document.
    """

    name: str
    kind: str
    base_urls: list[str]
    snapshot: int
    server_info: Any
    counts: dict[str, int]
    groups: list[dict[str, Any]] = field(default_factory=list)
    endpoints: list[dict[str, Any]] = field(default_factory=list)
    #: ``{"id", "account"}``, plus the secrets in clear when they were asked for.
    accounts: list[dict[str, Any]] = field(default_factory=list)
    snapshots: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "base_urls": self.base_urls,
            "snapshot": self.snapshot,
            "server_info": self.server_info,
            "counts": self.counts,
            "groups": self.groups,
            "endpoints": self.endpoints,
            "accounts": self.accounts,
            "snapshots": self.snapshots,
        }


def show_service(store: Store, name: str, *, reveal_credentials: bool = False) -> ServiceDetail:
    """Counts by kind and category, endpoints, accounts and snapshot history of a service
    (by name, unique prefix or id); credentials are decrypted only to be revealed."""
    with store.session() as session:
        row = find_service(session, name)
        history = snapshots_of(session, row)
        latest = find_snapshot(session, row, None)
        parts = breakdown(session, latest)
        return ServiceDetail(
            name=row.name,
            kind=row.kind,
            base_urls=list(row.base_urls),
            snapshot=latest.id,
            server_info=latest.server_info,
            counts=parts.by_kind,
            groups=[{"kind": k, "group": g, "entries": n} for k, g, n in parts.by_group],
            endpoints=[
                {
                    "scheme": e.scheme,
                    "host": e.host,
                    "port": e.port,
                    "path_pattern": e.path_pattern,
                    "entries": e.entries,
                }
                for e in parts.endpoints
            ],
            accounts=_accounts(store, session, row.id, reveal_credentials),
            snapshots=[_snapshot_dict(s) for s in history],
        )


@contextmanager
def entry_records(
    store: Store,
    service: str,
    snapshot_id: int | None = None,
    *,
    order: ExportOrder = "listing",
    reveal_credentials: bool = False,
) -> Iterator[Iterator[dict[str, Any]]]:
    """The records of a snapshot (default: the latest), streamed, one dict per entry with
    the keys of :data:`EXPORT_FIELDS`.

    A context manager: an unknown service or snapshot raises on entering, before the caller
    opens anything to write to; the records stream from one transaction while the block runs.
    """
    with store.session() as session:
        row = find_service(session, service)
        snap = find_snapshot(session, row, snapshot_id)
        secrets = _credential_map(store, session, row.id) if reveal_credentials else {}
        entries = iter_entries(session, snap) if order == "key" else iter_listed(session, snap)
        yield (_record(entry, secrets) for entry in entries)


def diff_service(store: Store, service: str, a: int | None, b: int | None) -> SnapshotDiff:
    """:func:`castwatch.catalog.store_queries.diff_snapshots` of a service found by name."""
    with store.session() as session:
        return diff_snapshots(session, find_service(session, service), a, b)


def _record(entry: EntryRow, secrets: dict[int, Credentials]) -> dict[str, Any]:
    url = entry.url
    if url and secrets and entry.credential_id in secrets:
        url = restore_credentials(url, secrets[entry.credential_id])
    return {
        "key": entry.key,
        "kind": entry.kind,
        "name": entry.name,
        "group": entry.group_name,
        "url": url,
        "tvg_id": entry.tvg_id,
        "tvg_name": entry.tvg_name,
        "tvg_logo": entry.tvg_logo,
        "stream_id": entry.stream_id,
        "series_id": entry.series_id,
        "episode_id": entry.episode_id,
        "season": entry.season,
        "episode_num": entry.episode_num,
        "category_id": entry.category_id,
        "container": entry.container,
        "added": entry.added_at.isoformat() if entry.added_at else None,
        "year": entry.year,
        "rating": entry.rating,
        "tmdb_id": entry.tmdb_id,
        "duration": entry.duration,
        "extra": entry.extra or {},
    }


def _credential_map(store: Store, session: Session, service_id: int) -> dict[int, Credentials]:
    rows = session.scalars(select(CredentialRow).where(CredentialRow.service_id == service_id))
    return {row.id: store.vault.decrypt(row.ciphertext) for row in rows}


def _accounts(
    store: Store, session: Session, service_id: int, reveal: bool
) -> list[dict[str, Any]]:
    rows = session.scalars(select(CredentialRow).where(CredentialRow.service_id == service_id))
    accounts = []
    for row in rows:
        account: dict[str, Any] = {"id": row.id, "account": row.label}
        if reveal:
            plain = store.vault.decrypt(row.ciphertext)
            account.update(username=plain.username, password=plain.password, mac=plain.mac)
            if plain.secrets:
                account["secrets"] = dict(plain.secrets)
        accounts.append(account)
    return accounts


def _snapshot_dict(snapshot: SnapshotRow) -> dict[str, Any]:
    return {
        "id": snapshot.id,
        "taken_at": snapshot.taken_at,
        "kind": snapshot.kind,
        "source_url": snapshot.source_url,
        "entries": sum(snapshot.counts.values()),
        "counts": dict(snapshot.counts),
        "added": snapshot.added,
        "removed": snapshot.removed,
        "changed": snapshot.changed,
    }
