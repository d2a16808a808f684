"""Alerts in the database: raise each fact once, list them, and work the delivery outbox.

:func:`raise_alerts` runs inside the caller's transaction (a job's commit, so an alert is
stored exactly when the job's result is): an ``INSERT ... ON CONFLICT (key) DO NOTHING`` per
alert, so two workers raising one fact at once store it once and neither fails. Each new
alert gets one outbox row per configured channel.

Senders claim outbox rows by moving their ``next_attempt_at`` past a lease in one ``UPDATE``
guarded by the old value (:func:`claim_due`), so two senders never send one row at the same
time; a sender that dies leaves its rows to be claimed again when the lease ends. Delivery
is therefore at least once: the payload carries each alert's id for the receiver to
recognise a repeat.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from castwatch.alerts.model import Alert, AlertRecord, Delivery
from castwatch.alerts.tables import AlertOutboxRow, AlertRow
from castwatch.catalog.tables import EntryRow
from castwatch.storage.db import Store


def utc_now() -> datetime:
    return datetime.now(UTC)


def raise_alerts(
    session: Session, alerts: Iterable[Alert], channels: Sequence[str], now: datetime | None = None
) -> list[int]:
    """Store the alerts whose fact is new, with an outbox row per channel; their ids."""
    moment = now or utc_now()
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    raised: list[int] = []
    for alert in alerts:
        statement = (
            insert(AlertRow)
            .values(
                kind=alert.kind.value,
                key=alert.key[:500],
                message=alert.message,
                service=alert.service,
                case_name=alert.case,
                data=alert.data,
                raised_at=moment,
            )
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(AlertRow.id)
        )
        alert_id = session.execute(statement).scalar()
        if alert_id is None:
            continue  # the fact was raised before
        raised.append(alert_id)
        for channel in channels:
            session.add(
                AlertOutboxRow(
                    alert_id=alert_id,
                    channel=channel,
                    state="pending",
                    attempts=0,
                    next_attempt_at=moment,
                )
            )
    session.flush()
    return raised


def entry_labels(session: Session, entry_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """``{entry id: (key, name)}``: the stable key names a stream across snapshots."""
    wanted = sorted(set(entry_ids))
    found: dict[int, tuple[str, str]] = {}
    for start in range(0, len(wanted), 500):
        query = select(EntryRow.id, EntryRow.key, EntryRow.name).where(
            EntryRow.id.in_(wanted[start : start + 500])
        )
        found |= {entry_id: (key, name) for entry_id, key, name in session.execute(query)}
    return found


def previous_snapshot_id(store: Store, service: str, snapshot_id: int) -> int | None:
    """The snapshot of ``service`` stored just before ``snapshot_id``, if any."""
    from castwatch.catalog.store_queries import find_service, snapshots_of

    with store.session() as session:
        earlier = [s.id for s in snapshots_of(session, find_service(session, service))]
    return max((i for i in earlier if i < snapshot_id), default=None)


def _records(session: Session, rows: Sequence[AlertRow]) -> list[AlertRecord]:
    ids = [row.id for row in rows]
    deliveries: dict[int, list[Delivery]] = {}
    for start in range(0, len(ids), 500):
        query = (
            select(AlertOutboxRow)
            .where(AlertOutboxRow.alert_id.in_(ids[start : start + 500]))
            .order_by(AlertOutboxRow.id)
        )
        for out in session.scalars(query):
            deliveries.setdefault(out.alert_id, []).append(
                Delivery(out.channel, out.state, out.attempts, out.last_error, out.sent_at)
            )
    return [
        AlertRecord(
            row.id,
            row.raised_at,
            row.kind,
            row.key,
            row.message,
            row.service,
            row.case_name,
            dict(row.data),
            tuple(deliveries.get(row.id, ())),
        )
        for row in rows
    ]


def list_alerts(
    store: Store,
    *,
    kind: str | None = None,
    service: str | None = None,
    limit: int | None = None,
    ids: Sequence[int] | None = None,
) -> list[AlertRecord]:
    """Stored alerts, newest first, optionally of one kind or service, or only ``ids``."""
    query = select(AlertRow).order_by(AlertRow.id.desc())
    if kind is not None:
        query = query.where(AlertRow.kind == kind)
    if service is not None:
        query = query.where(AlertRow.service == service)
    if ids is not None:
        query = query.where(AlertRow.id.in_(list(ids)))
    if limit is not None:
        query = query.limit(limit)
    with store.session() as session:
        return _records(session, list(session.scalars(query)))


def pending_count(store: Store, channel: str | None = None) -> int:
    """Outbox rows not yet acknowledged (on one channel, or all)."""
    query = select(func.count(AlertOutboxRow.id)).where(AlertOutboxRow.state == "pending")
    if channel is not None:
        query = query.where(AlertOutboxRow.channel == channel)
    with store.session() as session:
        return int(session.scalar(query) or 0)


def claim_due(
    store: Store, channel: str, now: datetime, limit: int, lease_s: float
) -> list[tuple[int, int, AlertRecord]]:
    """Claim up to ``limit`` due rows of ``channel``: ``(outbox id, attempts, alert)``.

    A claimed row's next attempt moves to ``now + lease_s``: if the sender dies before it
    records the outcome, the row is due again then.
    """
    due = and_(
        AlertOutboxRow.state == "pending",
        AlertOutboxRow.channel == channel,
        AlertOutboxRow.next_attempt_at <= now,
    )
    with store.session() as session:
        candidates = list(
            session.scalars(
                select(AlertOutboxRow.id).where(due).order_by(AlertOutboxRow.id).limit(limit)
            )
        )
        if not candidates:
            return []
        claimed = dict(
            session.execute(
                update(AlertOutboxRow)
                .where(AlertOutboxRow.id.in_(candidates), due)
                .values(next_attempt_at=now + timedelta(seconds=lease_s))
                .returning(AlertOutboxRow.id, AlertOutboxRow.alert_id)
            ).all()
        )
        attempts = dict(
            session.execute(
                select(AlertOutboxRow.id, AlertOutboxRow.attempts).where(
                    AlertOutboxRow.id.in_(list(claimed))
                )
            ).all()
        )
        rows = session.scalars(select(AlertRow).where(AlertRow.id.in_(list(claimed.values()))))
        by_id = {record.id: record for record in _records(session, list(rows))}
    return sorted(
        (outbox_id, attempts[outbox_id], by_id[alert_id]) for outbox_id, alert_id in claimed.items()
    )


def record_outcome(
    store: Store, outbox_ids: Sequence[int], now: datetime, error: str | None, retry_at: datetime
) -> None:
    """Record one attempt on claimed rows: ``sent`` when ``error`` is None, else due again
    at ``retry_at`` with the error kept."""
    values: dict[str, Any] = {"attempts": AlertOutboxRow.attempts + 1}
    if error is None:
        values |= {"state": "sent", "sent_at": now, "last_error": None}
    else:
        values |= {"next_attempt_at": retry_at, "last_error": error[:2000]}
    with store.session() as session:
        session.execute(
            update(AlertOutboxRow)
            .where(AlertOutboxRow.id.in_(list(outbox_ids)), AlertOutboxRow.state == "pending")
            .values(**values)
        )
