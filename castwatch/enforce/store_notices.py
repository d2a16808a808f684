"""Notices in the database, and the stored facts a notice is drafted from.

Drafting reads what castwatch knows about a case's services (their latest snapshot's
identified entries, every snapshot's endpoints); storing notices, recording each delivery
attempt and marking acknowledgements each happen in one transaction with the case event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from castwatch.catalog.cases import CaseStatus, EventKind
from castwatch.catalog.notices import Notice, NoticeStatus
from castwatch.catalog.store_queries import in_snapshot
from castwatch.catalog.tables import EndpointRow, EntryRow, ServiceRow, SnapshotRow
from castwatch.enforce.store import advance, find_case, record_event
from castwatch.enforce.tables import CaseRow, NoticeRow
from castwatch.errors import EnforcementError, NotFound
from castwatch.identify.tables import IdentificationRow, RegistryChannelRow, WorkRow
from castwatch.storage.db import Store


@dataclass(slots=True, frozen=True)
class IdentifiedEntry:
    """An entry of a service's latest snapshot that identification named."""

    service: str
    snapshot_id: int
    url: str
    name: str
    target_kind: str
    target_id: str
    confidence: float


@dataclass(slots=True, frozen=True)
class EndpointSeen:
    """An endpoint of a service over all its snapshots (entries as of the latest)."""

    service: str
    scheme: str
    host: str
    port: int | None
    path_pattern: str
    entries: int
    first_seen: datetime
    last_seen: datetime


def identified_entries(
    store: Store, services: list[str], min_confidence: float
) -> list[IdentifiedEntry]:
    """Identified entries with a URL in each service's latest snapshot."""
    found: list[IdentifiedEntry] = []
    with store.session() as session:
        for name in services:
            service = session.scalars(select(ServiceRow).where(ServiceRow.name == name)).one()
            snapshot = session.scalars(
                select(SnapshotRow)
                .where(SnapshotRow.service_id == service.id)
                .order_by(SnapshotRow.id.desc())
                .limit(1)
            ).one_or_none()
            if snapshot is None:
                continue
            rows = session.execute(
                select(EntryRow.url, EntryRow.name, IdentificationRow.target_kind,
                       IdentificationRow.target_id, IdentificationRow.confidence)
                .join(IdentificationRow, IdentificationRow.entry_id == EntryRow.id)
                .where(in_snapshot(snapshot), IdentificationRow.snapshot_id == snapshot.id,
                       IdentificationRow.target_id.is_not(None), EntryRow.url.is_not(None),
                       IdentificationRow.confidence >= min_confidence)
                .order_by(EntryRow.id)
            )  # fmt: skip
            found.extend(
                IdentifiedEntry(name, snapshot.id, url, entry_name, kind, target, confidence)
                for url, entry_name, kind, target, confidence in rows
                if url is not None and target is not None
            )
    return found


def endpoints_seen(store: Store, services: list[str]) -> list[EndpointSeen]:
    with store.session() as session:
        rows = session.execute(
            select(ServiceRow.name, EndpointRow.scheme, EndpointRow.host, EndpointRow.port,
                   EndpointRow.path_pattern, func.min(SnapshotRow.taken_at),
                   func.max(SnapshotRow.taken_at), func.max(SnapshotRow.id))
            .join(SnapshotRow, SnapshotRow.id == EndpointRow.snapshot_id)
            .join(ServiceRow, ServiceRow.id == SnapshotRow.service_id)
            .where(ServiceRow.name.in_(services))
            .group_by(ServiceRow.name, EndpointRow.scheme, EndpointRow.host, EndpointRow.port,
                      EndpointRow.path_pattern)
            .order_by(EndpointRow.host, ServiceRow.name)
        ).all()  # fmt: skip
        seen = []
        for service, scheme, host, port, pattern, first, last, snapshot_id in rows:
            entries = session.scalar(
                select(func.max(EndpointRow.entries)).where(
                    EndpointRow.snapshot_id == snapshot_id, EndpointRow.host == host,
                    EndpointRow.path_pattern == pattern,
                )
            )  # fmt: skip
            seen.append(
                EndpointSeen(service, scheme, host, port, pattern, int(entries or 0),
                             first, last)
            )  # fmt: skip
        return seen


def titles(store: Store, keys: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Display titles of channels and works by ``(kind, id)``; the id when unknown."""
    channel_ids = sorted(i for k, i in keys if k == "channel")
    work_ids = sorted(i for k, i in keys if k == "work")
    out = {key: key[1] for key in keys}
    with store.session() as session:
        for start in range(0, len(channel_ids), 500):
            chunk = channel_ids[start : start + 500]
            for cid, name in session.execute(
                select(RegistryChannelRow.id, RegistryChannelRow.name).where(
                    RegistryChannelRow.id.in_(chunk)
                )
            ):
                out["channel", cid] = name
        for start in range(0, len(work_ids), 500):
            chunk = work_ids[start : start + 500]
            for wid, title, year in session.execute(
                select(WorkRow.id, WorkRow.title, WorkRow.year).where(WorkRow.id.in_(chunk))
            ):
                out["work", wid] = f"{title} ({year})" if year else title
    return out


# --- notice rows ---------------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class NewNotice:
    kind: str
    recipient_host: str
    recipient_email: str | None
    subject: str
    text: str
    document: dict[str, Any]


def save_notices(store: Store, case_ref: str, notices: list[NewNotice]) -> list[Notice]:
    """Store drafted notices and their timeline events, all or none."""
    now = datetime.now(UTC)
    with store.session() as session:
        case = find_case(session, case_ref, lock=True)
        rows = []
        for new in notices:
            row = NoticeRow(
                case_id=case.id, kind=new.kind, status=NoticeStatus.DRAFTED.value,
                recipient_host=new.recipient_host, recipient_email=new.recipient_email,
                subject=new.subject, body_text=new.text, document=new.document,
                drafted_at=now, attempts=0,
            )  # fmt: skip
            session.add(row)
            session.flush()
            record_event(
                session, case, EventKind.NOTICE_DRAFTED, f"notice {row.id}: {new.subject}",
                {"notice": row.id, "kind": new.kind, "recipient": new.recipient_host}, now,
            )  # fmt: skip
            rows.append(row)
        return [_notice(row) for row in rows]


def _notice(row: NoticeRow) -> Notice:
    def when(value: datetime | None) -> datetime | None:
        return None if value is None else value

    return Notice(
        id=row.id, case_id=row.case_id, kind=row.kind, status=NoticeStatus(row.status),
        recipient_host=row.recipient_host, recipient_email=row.recipient_email,
        subject=row.subject, text=row.body_text, document=row.document,
        drafted_at=row.drafted_at, queued_at=when(row.queued_at),
        sent_at=when(row.sent_at), acknowledged_at=when(row.acknowledged_at),
        actioned_at=when(row.actioned_at), attempts=row.attempts, last_error=row.last_error,
        next_attempt_at=when(row.next_attempt_at), message_id=row.message_id,
    )  # fmt: skip


def _find(session: Session, notice_id: int, lock: bool = False) -> NoticeRow:
    query = select(NoticeRow).where(NoticeRow.id == notice_id)
    row = session.scalars(query.with_for_update() if lock else query).one_or_none()
    if row is None:
        raise NotFound(f"no notice {notice_id}; list them with `castwatch notice list`")
    return row


def load_notice(store: Store, notice_id: int) -> Notice:
    with store.session() as session:
        return _notice(_find(session, notice_id))


def list_notices(store: Store, case_ref: str | None = None) -> list[Notice]:
    with store.session() as session:
        query = select(NoticeRow).order_by(NoticeRow.id)
        if case_ref is not None:
            query = query.where(NoticeRow.case_id == find_case(session, case_ref).id)
        return [_notice(row) for row in session.scalars(query)]


def due_notices(store: Store, now: datetime) -> list[int]:
    """Queued notices whose next attempt is due (failed sends waiting for their retry)."""
    with store.session() as session:
        rows = session.scalars(
            select(NoticeRow).where(NoticeRow.status == NoticeStatus.QUEUED.value)
        ).all()
        return [r.id for r in rows if r.next_attempt_at is None or r.next_attempt_at <= now]


def queue_notice(store: Store, notice_id: int) -> Notice:
    """Mark a notice queued (before the first attempt), so a crash mid-send loses nothing."""
    with store.session() as session:
        row = _find(session, notice_id, lock=True)
        if row.status not in (NoticeStatus.DRAFTED.value, NoticeStatus.QUEUED.value):
            raise EnforcementError(f"notice {notice_id} is {row.status} already; not sent again")
        if row.status == NoticeStatus.DRAFTED.value:
            row.status, row.queued_at = NoticeStatus.QUEUED.value, datetime.now(UTC)
        return _notice(row)


def record_attempt(
    store: Store,
    notice_id: int,
    error: str | None,
    message_id: str | None = None,
    next_attempt_at: datetime | None = None,
) -> Notice:
    """Record one delivery attempt: sent (``error`` None) or failed and still queued."""
    now = datetime.now(UTC)
    with store.session() as session:
        row = _find(session, notice_id, lock=True)
        case = session.get(CaseRow, row.case_id)
        assert case is not None
        row.attempts += 1
        if error is None:
            row.status, row.sent_at, row.message_id = NoticeStatus.SENT.value, now, message_id
            row.last_error, row.next_attempt_at = None, None
            record_event(
                session, case, EventKind.NOTICE_SENT,
                f"notice {row.id} sent to {row.recipient_email}",
                {"notice": row.id, "message_id": message_id, "attempts": row.attempts}, now,
            )  # fmt: skip
            advance(session, case, CaseStatus.NOTICED, f"notice {row.id} sent")
        else:
            row.last_error, row.next_attempt_at = error, next_attempt_at
            record_event(
                session, case, EventKind.NOTICE_FAILED, f"notice {row.id}: {error}",
                {"notice": row.id, "attempt": row.attempts, "error": error}, now,
            )  # fmt: skip
        return _notice(row)


_MARKS = {
    NoticeStatus.ACKNOWLEDGED: (EventKind.NOTICE_ACKNOWLEDGED, "acknowledged_at"),
    NoticeStatus.ACTIONED: (EventKind.NOTICE_ACTIONED, "actioned_at"),
}


def mark_notice(store: Store, notice_id: int, status: NoticeStatus) -> Notice:
    """Record that the recipient acknowledged or acted on a sent notice."""
    if status not in _MARKS:
        raise EnforcementError(f"a notice can be marked acknowledged or actioned, not {status}")
    event, column = _MARKS[status]
    now = datetime.now(UTC)
    with store.session() as session:
        row = _find(session, notice_id, lock=True)
        if row.sent_at is None:
            raise EnforcementError(
                f"notice {notice_id} was never sent (status {row.status}); send it first"
            )
        case = session.get(CaseRow, row.case_id)
        assert case is not None
        setattr(row, column, now)
        if status is NoticeStatus.ACTIONED or row.status != NoticeStatus.ACTIONED.value:
            row.status = status.value
        if status is NoticeStatus.ACTIONED:
            document = dict(row.document)
            if isinstance(document.get("lumen"), dict):
                document["lumen"] = document["lumen"] | {"action_taken": "Yes"}
            row.document = document
            advance(session, case, CaseStatus.ACTIONED, f"notice {row.id} actioned")
        record_event(session, case, event, f"notice {row.id} {status.value}",
                     {"notice": row.id}, now)  # fmt: skip
        return _notice(row)
