"""Cases and contacts in the database: open, find, change status, record timeline events.

Every change to a case is one transaction that also writes its timeline event, so the
timeline never disagrees with the case. The ledger and notices (``enforcement_ledger.py``,
``enforcement_notices.py``) call :func:`record_event` and :func:`advance` inside their own
transactions for the same reason.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from castwatch.catalog.cases import (
    Case,
    CaseEvent,
    CaseStatus,
    CaseSubject,
    EventKind,
    SubjectKind,
    can_move,
    check_transition,
)
from castwatch.catalog.notices import CONTACT_ROLES as CONTACT_ROLES  # re-exported
from castwatch.catalog.store_queries import find_service
from castwatch.enforce.tables import (
    CaseEventRow,
    CaseRow,
    CaseSubjectRow,
    ContactRow,
    LedgerEntryRow,
    NoticeRow,
)
from castwatch.errors import NotFound, StorageError
from castwatch.storage.db import Store


def find_case(session: Session, ref: str, lock: bool = False) -> CaseRow:
    """A case by exact name, else by id; ``lock`` holds its row until the transaction ends."""
    query = select(CaseRow).where(CaseRow.name == ref)
    if lock:
        query = query.with_for_update()
    row = session.scalars(query).one_or_none()
    if row is None and ref.isdigit():
        by_id = select(CaseRow).where(CaseRow.id == int(ref))
        row = session.scalars(by_id.with_for_update() if lock else by_id).one_or_none()
    if row is None:
        known = ", ".join(session.scalars(select(CaseRow.name).order_by(CaseRow.id)).all()[:20])
        raise NotFound(
            f"no case {ref!r} (known: {known or 'none'}); open one with `castwatch case open NAME`"
        )
    return row


def record_event(
    session: Session,
    case: CaseRow,
    kind: EventKind,
    detail: str,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Append an event to ``case``'s timeline and touch its ``updated_at``."""
    moment = at or datetime.now(UTC)
    session.add(
        CaseEventRow(case_id=case.id, at=moment, kind=kind.value, detail=detail, data=data or {})
    )
    case.updated_at = moment


def change_status(session: Session, case: CaseRow, target: CaseStatus, reason: str = "") -> None:
    """Move ``case`` to ``target`` if the workflow allows it, else raise IllegalTransition."""
    current = CaseStatus(case.status)
    check_transition(current, target)
    case.status = target.value
    detail = f"{current.value} -> {target.value}" + (f": {reason}" if reason else "")
    record_event(session, case, EventKind.STATUS, detail, {"from": current, "to": target})


def advance(session: Session, case: CaseRow, target: CaseStatus, reason: str) -> None:
    """Move ``case`` to ``target`` when that is a legal step; otherwise leave it where it is."""
    if CaseStatus(case.status) is not target and can_move(CaseStatus(case.status), target):
        change_status(session, case, target, reason)


def open_case(store: Store, name: str, services: list[str], assignee: str | None) -> Case:
    """Create a case in status ``open`` with its services; the name must be new."""
    name = name.strip()
    if not name or name.isdigit():
        raise StorageError(f"a case needs a name that is not a number (got {name!r})")
    now = datetime.now(UTC)
    try:
        with store.session() as session:
            case = CaseRow(
                name=name, status=CaseStatus.OPEN.value, assignee=assignee,
                opened_at=now, updated_at=now,
            )  # fmt: skip
            session.add(case)
            session.flush()
            record_event(session, case, EventKind.OPENED, f"case {name!r} opened", at=now)
            if assignee:
                record_event(session, case, EventKind.ASSIGNED, assignee, {"assignee": assignee})
            for service in services:
                _add_service(session, case, service)
            case_id = case.id
    except IntegrityError:
        raise StorageError(
            f"a case named {name!r} exists already; see it with `castwatch case show`"
        ) from None
    return load_case(store, str(case_id))


def _add_service(session: Session, case: CaseRow, service_name: str) -> None:
    service = find_service(session, service_name)
    present = session.scalars(
        select(CaseSubjectRow).where(
            CaseSubjectRow.case_id == case.id,
            CaseSubjectRow.kind == SubjectKind.SERVICE.value,
            CaseSubjectRow.ref == service.name,
        )
    ).one_or_none()
    if present is not None:
        return
    now = datetime.now(UTC)
    session.add(
        CaseSubjectRow(
            case_id=case.id, kind=SubjectKind.SERVICE.value, ref=service.name,
            service_id=service.id, added_at=now,
        )
    )  # fmt: skip
    record_event(
        session, case, EventKind.SERVICE_ADDED, service.name, {"service_id": service.id}, now
    )


def update_case(
    store: Store,
    ref: str,
    services: list[str] | None = None,
    note: str | None = None,
    status: CaseStatus | None = None,
    assignee: str | None = None,
) -> Case:
    """Add services, a note, a status change and/or an assignee, all in one transaction."""
    with store.session() as session:
        case = find_case(session, ref, lock=True)
        for service in services or []:
            _add_service(session, case, service)
        if note:
            record_event(session, case, EventKind.NOTE, note)
        if assignee:
            case.assignee = assignee
            record_event(session, case, EventKind.ASSIGNED, assignee, {"assignee": assignee})
        if status is not None:
            change_status(session, case, status, note or "")
        case_id = case.id
    return load_case(store, str(case_id))


def load_case(store: Store, ref: str, with_events: bool = True) -> Case:
    with store.session() as session:
        return _case(session, find_case(session, ref), with_events)


def list_cases(store: Store) -> list[Case]:
    with store.session() as session:
        rows = session.scalars(select(CaseRow).order_by(CaseRow.id)).all()
        return [_case(session, row, with_events=False) for row in rows]


def _case(session: Session, row: CaseRow, with_events: bool) -> Case:
    subjects = session.scalars(
        select(CaseSubjectRow).where(CaseSubjectRow.case_id == row.id).order_by(CaseSubjectRow.id)
    ).all()
    case = Case(
        id=row.id,
        name=row.name,
        status=CaseStatus(row.status),
        assignee=row.assignee,
        opened_at=row.opened_at,
        updated_at=row.updated_at,
        subjects=[CaseSubject(SubjectKind(s.kind), s.ref, s.added_at) for s in subjects],
        evidence_count=_count(session, LedgerEntryRow.case_id == row.id),
        notice_count=_count(session, NoticeRow.case_id == row.id),
    )
    if with_events:
        events = session.scalars(
            select(CaseEventRow).where(CaseEventRow.case_id == row.id).order_by(CaseEventRow.id)
        ).all()
        case.events = [CaseEvent(e.at, EventKind(e.kind), e.detail, e.data) for e in events]
    return case


def _count(session: Session, condition: Any) -> int:
    table = condition.left.table
    return int(session.scalar(select(func.count()).select_from(table).where(condition)) or 0)


# --- contacts ------------------------------------------------------------------------------


def set_contact(
    store: Store, host: str, role: str, email: str | None, name: str | None, source: str
) -> None:
    """Record (or replace) who to notify about ``host`` in ``role``."""
    if role not in CONTACT_ROLES:
        raise StorageError(f"unknown contact role {role!r}; one of: {', '.join(CONTACT_ROLES)}")
    host = host.strip().lower().rstrip(".")
    with store.session() as session:
        row = session.scalars(
            select(ContactRow).where(ContactRow.host == host, ContactRow.role == role)
        ).one_or_none()
        if row is None:
            row = ContactRow(host=host, role=role)
            session.add(row)
        row.email, row.name, row.source = email, name, source
        row.updated_at = datetime.now(UTC)


def find_contact(session: Session, host: str, roles: tuple[str, ...]) -> ContactRow | None:
    """The contact of ``host`` or of its nearest parent domain, trying ``roles`` in order."""
    labels = host.lower().rstrip(".").split(".")
    # An IP literal has no parent domain: only its own contact applies.
    candidates = [host.lower()] if host.replace(".", "").isdigit() or ":" in host else [
        ".".join(labels[i:]) for i in range(len(labels) - 1)
    ]  # fmt: skip
    for role in roles:
        for candidate in candidates:
            row = session.scalars(
                select(ContactRow).where(ContactRow.host == candidate, ContactRow.role == role)
            ).one_or_none()
            if row is not None:
                return row
    return None
