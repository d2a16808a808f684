"""The evidence ledger in the database: locked appends, signed heads, streamed reads.

Appending takes the ledger's one lock first: ``BEGIN IMMEDIATE`` on SQLite (the database's
write lock, taken before anything is read), ``SELECT ... FOR UPDATE`` on the ``ledger_head``
row on PostgreSQL. Only then is the head read, the new rows chained onto it, the head moved
and signed, all in the same transaction: two processes appending at once queue on the lock
and never both chain onto the same head (tests/enforce/test_concurrent.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from castwatch.catalog.cases import CaseStatus, EventKind
from castwatch.catalog.evidence import EvidenceFacts, LedgerEntry, head_message, seal
from castwatch.errors import StorageError
from castwatch.storage.db import Store
from castwatch.storage.enforcement import advance, find_case, record_event, utc
from castwatch.storage.tables import (
    CaseRow,
    LedgerEntryRow,
    LedgerHeadRow,
    LedgerSignatureRow,
    LedgerTimestampRow,
)

_HEAD_ID = 1
_COLUMNS = [f.name for f in fields(LedgerEntry)]
_CAPTURED, _RECORDED = _COLUMNS.index("captured_at"), _COLUMNS.index("recorded_at")
_READ_BATCH = 5000


class HeadSigner(Protocol):
    """Signs chain heads (``castwatch/enforce/signing.py`` provides the Ed25519 one)."""

    @property
    def fingerprint(self) -> str: ...

    def sign(self, message: bytes) -> bytes: ...


@dataclass(slots=True, frozen=True)
class HeadSignature:
    """A stored signature over the chain head at ``seq``."""

    id: int
    seq: int
    head_hash: str
    signed_at: datetime
    key_fingerprint: str
    signature: bytes


@dataclass(slots=True, frozen=True)
class HeadTimestamp:
    """A stored RFC 3161 token over the chain head at ``seq``."""

    id: int
    seq: int
    head_hash: str
    tsa_url: str
    requested_at: datetime
    token: bytes


def _lock_head(session: Session) -> LedgerHeadRow:
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        driver_connection = connection.connection.driver_connection
        if getattr(driver_connection, "in_transaction", False):
            # A write already began a deferred transaction: the lock would come too late.
            raise StorageError("internal: the ledger lock must be the transaction's first step")
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    head = session.scalars(
        select(LedgerHeadRow).where(LedgerHeadRow.id == _HEAD_ID).with_for_update()
    ).one_or_none()
    if head is None:
        raise StorageError(
            "the ledger head row is missing: the ledger was altered outside castwatch; "
            "run `castwatch evidence verify` and restore the database from a backup"
        )
    return head


def append_entries(
    store: Store,
    case_ref: str,
    facts: Sequence[EvidenceFacts],
    signer: HeadSigner,
) -> list[LedgerEntry]:
    """Chain ``facts`` onto the ledger for one case, sign the new head; one transaction."""
    if not facts:
        return []
    with store.session() as session:
        head = _lock_head(session)
        case = find_case(session, case_ref)
        entries = _chain(session, head, case, facts)
        now = datetime.now(UTC)
        message = head_message(head.seq, head.entry_hash, now, signer.fingerprint)
        session.add(
            LedgerSignatureRow(
                seq=head.seq, head_hash=head.entry_hash, signed_at=now,
                key_fingerprint=signer.fingerprint, signature=signer.sign(message),
            )
        )  # fmt: skip
        for entry in entries:
            record_event(
                session, case, EventKind.EVIDENCE_ADDED,
                f"#{entry.seq} {entry.kind} {entry.description or entry.stored_name}",
                {"seq": entry.seq, "sha256": entry.sha256, "kind": entry.kind}, now,
            )  # fmt: skip
        if case.status in (CaseStatus.OPEN.value, CaseStatus.RELAPSED.value):
            # Only a case waiting for evidence moves; filing a sent notice must not undo
            # "noticed".
            advance(session, case, CaseStatus.EVIDENCE, "evidence recorded")
    return entries


def _chain(
    session: Session, head: LedgerHeadRow, case: CaseRow, facts: Sequence[EvidenceFacts]
) -> list[LedgerEntry]:
    entries: list[LedgerEntry] = []
    recorded_at = datetime.now(UTC)
    for item in facts:
        if item.case_id != case.id:
            raise StorageError(f"evidence for case {item.case_id} appended to case {case.id}")
        entry = seal(item, head.seq + 1, head.entry_hash, recorded_at)
        session.add(LedgerEntryRow(**entry.as_dict()))
        head.seq, head.entry_hash = entry.seq, entry.entry_hash
        entries.append(entry)
    session.flush()
    return entries


def read_head(store: Store) -> tuple[int, str] | None:
    """``(seq, entry_hash)`` the head row names, or None when the row is gone."""
    with store.session() as session:
        head = session.get(LedgerHeadRow, _HEAD_ID)
        return None if head is None else (head.seq, head.entry_hash)


def iter_entries(store: Store, case_id: int | None = None) -> Iterator[LedgerEntry]:
    """Ledger rows in sequence order (of one case, or all), streamed in batches."""
    columns = [getattr(LedgerEntryRow, name) for name in _COLUMNS]
    query = select(*columns).order_by(LedgerEntryRow.seq)
    if case_id is not None:
        query = query.where(LedgerEntryRow.case_id == case_id)
    with store.engine.connect() as connection:
        result = connection.execution_options(yield_per=_READ_BATCH).execute(query)
        for row in result:
            # Hash the times as stored, in UTC: SQLite returns them naive, PostgreSQL zoned.
            values = list(row)
            values[_CAPTURED], values[_RECORDED] = utc(values[_CAPTURED]), utc(values[_RECORDED])
            yield LedgerEntry(*values)


def read_signatures(store: Store) -> list[HeadSignature]:
    with store.session() as session:
        rows = session.scalars(select(LedgerSignatureRow).order_by(LedgerSignatureRow.id)).all()
        return [
            HeadSignature(r.id, r.seq, r.head_hash, utc(r.signed_at), r.key_fingerprint,
                          bytes(r.signature))
            for r in rows
        ]  # fmt: skip


def add_timestamp(store: Store, seq: int, head_hash: str, tsa_url: str, token: bytes) -> None:
    with store.session() as session:
        session.add(
            LedgerTimestampRow(
                seq=seq, head_hash=head_hash, tsa_url=tsa_url,
                requested_at=datetime.now(UTC), token=token,
            )
        )  # fmt: skip


def read_timestamps(store: Store) -> list[HeadTimestamp]:
    with store.session() as session:
        rows = session.scalars(select(LedgerTimestampRow).order_by(LedgerTimestampRow.id)).all()
        return [
            HeadTimestamp(r.id, r.seq, r.head_hash, r.tsa_url, utc(r.requested_at),
                          bytes(r.token))
            for r in rows
        ]  # fmt: skip


def count_entries(store: Store) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM evidence_ledger")).scalar() or 0)
