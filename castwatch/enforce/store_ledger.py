"""The evidence ledger in the database: locked, checked appends, signed heads, streamed reads.

Appending takes the ledger's one lock first: ``BEGIN IMMEDIATE`` on SQLite (the database's
write lock, taken before anything is read), ``SELECT ... FOR UPDATE`` on the ``ledger_head``
row on PostgreSQL. Only then is the head read, the new rows chained onto it, the head moved
and signed, all in the same transaction: two processes appending at once queue on the lock
and never both chain onto the same head (tests/enforce/test_concurrent.py).

No append lands on a chain that already fails (:func:`tail_problems`): the last row must
hash to itself and follow the row before it, the head row must name it, the last signature
must sign exactly that head with this data directory's key, and the head witness kept beside
the key (``storage/ledger_key.py``) must still be in the chain. Signing on top of a chain
whose tail was cut would otherwise bless the cut (the rollback of issue 12).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Select, select, text
from sqlalchemy.orm import Session

from castwatch.catalog.cases import CaseStatus, EventKind
from castwatch.catalog.evidence import GENESIS, EvidenceFacts, LedgerEntry, head_message, seal
from castwatch.enforce.store import advance, find_case, record_event
from castwatch.enforce.tables import (
    CaseEventRow,
    CaseRow,
    LedgerEntryRow,
    LedgerHeadRow,
    LedgerSignatureRow,
    LedgerTimestampRow,
    NoticeRow,
)
from castwatch.errors import EvidenceError, StorageError
from castwatch.storage.db import Store
from castwatch.storage.ledger_key import HeadWitness, witness_message

_HEAD_ID = 1
_COLUMNS = [f.name for f in fields(LedgerEntry)]
_CAPTURED, _RECORDED = _COLUMNS.index("captured_at"), _COLUMNS.index("recorded_at")
_READ_BATCH = 5000


class HeadSigner(Protocol):
    """Signs chain heads and keeps their witness (``storage/ledger_key.LedgerKey``)."""

    @property
    def fingerprint(self) -> str: ...

    def sign(self, message: bytes) -> bytes: ...

    def verifies(self, signature: bytes, message: bytes) -> bool: ...

    def read_witness(self) -> HeadWitness | None: ...

    def write_witness(self, witness: HeadWitness) -> None: ...


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
    case_ref: str | None,
    facts: Sequence[EvidenceFacts],
    signer: HeadSigner,
) -> list[LedgerEntry]:
    """Chain ``facts`` onto the ledger (for one case, or none), sign the new head; one
    transaction. Refuses, writing nothing, when the chain's tail fails its checks."""
    if not facts:
        return []
    with store.session() as session:
        head = _lock_head(session)
        problems = tail_problems(session, head, signer)
        if problems:
            raise EvidenceError(
                "refusing to append to the evidence ledger: its tail fails verification ("
                + "; ".join(problems)
                + "); nothing was recorded. Run `castwatch evidence verify` and restore the "
                "database (and keys/) from a backup"
            )
        case = None if case_ref is None else find_case(session, case_ref)
        entries = _chain(session, head, case, facts)
        now = datetime.now(UTC)
        message = head_message(head.seq, head.entry_hash, now, signer.fingerprint)
        signature = signer.sign(message)
        session.add(
            LedgerSignatureRow(
                seq=head.seq, head_hash=head.entry_hash, signed_at=now,
                key_fingerprint=signer.fingerprint, signature=signature,
            )
        )  # fmt: skip
        witness = HeadWitness(head.seq, head.entry_hash, now, signer.fingerprint, signature)
        if case is not None:
            _record_events(session, case, entries, now)
    # After the commit, never before: a witness ahead of a rolled-back transaction would
    # accuse an honest ledger; one left behind by a crash here is only a weaker check.
    signer.write_witness(witness)
    return entries


def _record_events(
    session: Session, case: CaseRow, entries: list[LedgerEntry], now: datetime
) -> None:
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


def check_tail(store: Store, signer: HeadSigner) -> None:
    """Raise :class:`EvidenceError` when the ledger's tail fails (without taking the lock).

    Called before a file is copied into the store, so a refused ``evidence add`` leaves no
    orphan behind; the append checks again under the lock.
    """
    with store.session() as session:
        head = session.get(LedgerHeadRow, _HEAD_ID)
        problems = (
            ["the ledger head row is missing"]
            if head is None
            else tail_problems(session, head, signer)
        )
    if problems:
        raise EvidenceError(
            "refusing to add evidence: the ledger's tail fails verification ("
            + "; ".join(problems)
            + "). Run `castwatch evidence verify` and restore the database from a backup"
        )


def tail_problems(session: Session, head: LedgerHeadRow, signer: HeadSigner) -> list[str]:
    """What is wrong with the chain's end, its last signed head and the witness; [] if none."""
    problems: list[str] = []
    last_two = _entries(session, _select_entries().order_by(LedgerEntryRow.seq.desc()).limit(2))
    if not last_two:
        if head.seq != 0:
            problems.append(f"the head row names entry {head.seq} but the ledger is empty")
    else:
        last = last_two[0]
        if (last.seq, last.entry_hash) != (head.seq, head.entry_hash):
            problems.append(
                f"the head row names entry {head.seq} but the chain ends at entry {last.seq}"
            )
        if last.expected_hash() != last.entry_hash:
            problems.append(f"entry {last.seq}: its fields do not match its hash")
        before = last_two[1] if len(last_two) > 1 else None
        expected_prev = GENESIS if last.seq == 1 else (
            before.entry_hash if before is not None and before.seq == last.seq - 1 else None
        )  # fmt: skip
        if last.prev_hash != expected_prev:
            problems.append(f"entry {last.seq} does not follow the entry before it")
    problems += _signature_problems(session, head, signer)
    problems += _witness_problems(session, head, signer)
    return problems


def _signature_problems(session: Session, head: LedgerHeadRow, signer: HeadSigner) -> list[str]:
    signature = session.scalars(
        select(LedgerSignatureRow)
        .order_by(LedgerSignatureRow.seq.desc(), LedgerSignatureRow.id.desc())
        .limit(1)
    ).one_or_none()
    if signature is None:
        return [] if head.seq == 0 else [f"no signature covers the head (entry {head.seq})"]
    problems = []
    if (signature.seq, signature.head_hash) != (head.seq, head.entry_hash):
        problems.append(
            f"the last signature covers entry {signature.seq}, not the head (entry {head.seq})"
        )
    if signature.key_fingerprint != signer.fingerprint:
        problems.append(
            f"the last head was signed with key {signature.key_fingerprint[:16]}..., not this "
            f"data directory's key {signer.fingerprint[:16]}...: the signing key was replaced"
        )
    else:
        message = head_message(
            signature.seq, signature.head_hash, signature.signed_at, signature.key_fingerprint
        )
        if not signer.verifies(bytes(signature.signature), message):
            problems.append(f"the signature of the last head (entry {signature.seq}) is forged")
    return problems


def _witness_problems(session: Session, head: LedgerHeadRow, signer: HeadSigner) -> list[str]:
    witness = signer.read_witness()
    if witness is None:
        return []  # a data directory from before the witness: it starts at the next append
    problems = []
    if witness.key_fingerprint != signer.fingerprint:
        problems.append(
            f"the head witness was signed with key {witness.key_fingerprint[:16]}..., not "
            f"{signer.fingerprint[:16]}...: the signing key was replaced"
        )
    elif not signer.verifies(witness.signature, witness_message(witness)):
        problems.append("the head witness's signature does not verify")
    if witness.seq > head.seq:
        problems.append(
            f"entry {witness.seq} (sha256:{witness.head_hash[:16]}...) was signed here, but the "
            f"chain now ends at entry {head.seq}: entries were removed from its end"
        )
    elif witness.seq > 0:
        held = session.scalar(
            select(LedgerEntryRow.entry_hash).where(LedgerEntryRow.seq == witness.seq)
        )
        if held != witness.head_hash:
            problems.append(
                f"entry {witness.seq} is no longer the entry signed here "
                f"(sha256:{witness.head_hash[:16]}...): the chain was rewritten"
            )
    return problems


def _chain(
    session: Session, head: LedgerHeadRow, case: CaseRow | None, facts: Sequence[EvidenceFacts]
) -> list[LedgerEntry]:
    entries: list[LedgerEntry] = []
    recorded_at = datetime.now(UTC)
    case_id = None if case is None else case.id
    for item in facts:
        if item.case_id != case_id:
            raise StorageError(f"evidence for case {item.case_id} appended to case {case_id}")
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


def _select_entries() -> Select[Any]:
    return select(*(getattr(LedgerEntryRow, name) for name in _COLUMNS))


def _entry(row: Sequence[Any]) -> LedgerEntry:
    # Hash the times as stored, in UTC: SQLite returns them naive, PostgreSQL zoned.
    values = list(row)
    values[_CAPTURED], values[_RECORDED] = values[_CAPTURED], values[_RECORDED]
    return LedgerEntry(*values)


def _entries(session: Session, query: Select[Any]) -> list[LedgerEntry]:
    return [_entry(row) for row in session.execute(query)]


def iter_entries(store: Store, case_id: int | None = None) -> Iterator[LedgerEntry]:
    """Ledger rows in sequence order (of one case, or all), streamed in batches."""
    query = _select_entries().order_by(LedgerEntryRow.seq)
    if case_id is not None:
        query = query.where(LedgerEntryRow.case_id == case_id)
    with store.engine.connect() as connection:
        result = connection.execution_options(yield_per=_READ_BATCH).execute(query)
        for row in result:
            yield _entry(row)


def read_signatures(store: Store) -> list[HeadSignature]:
    with store.session() as session:
        rows = session.scalars(select(LedgerSignatureRow).order_by(LedgerSignatureRow.id)).all()
        return [
            HeadSignature(r.id, r.seq, r.head_hash, r.signed_at, r.key_fingerprint,
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
            HeadTimestamp(r.id, r.seq, r.head_hash, r.tsa_url, r.requested_at,
                          bytes(r.token))
            for r in rows
        ]  # fmt: skip


def count_entries(store: Store) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM evidence_ledger")).scalar() or 0)


@dataclass(slots=True, frozen=True)
class NoticeCitation:
    """What one stored notice says about the ledger: its document's head and its text."""

    notice_id: int
    kind: str
    document_head: dict[str, Any] | None
    body_text: str


def iter_notice_citations(store: Store) -> Iterator[NoticeCitation]:
    """Every stored notice's ledger head (from its JSON document) and its text."""
    query = select(NoticeRow.id, NoticeRow.kind, NoticeRow.document, NoticeRow.body_text)
    with store.session() as session:
        for notice_id, kind, document, body in session.execute(query.order_by(NoticeRow.id)):
            head = document.get("ledger_head") if isinstance(document, dict) else None
            yield NoticeCitation(
                notice_id, kind, head if isinstance(head, dict) else None, body or ""
            )


def iter_evidence_events(store: Store) -> Iterator[tuple[int, int, dict[str, Any]]]:
    """``(case_id, event_id, data)`` of every ``evidence-added`` event: each names an item."""
    query = (
        select(CaseEventRow.case_id, CaseEventRow.id, CaseEventRow.data)
        .where(CaseEventRow.kind == EventKind.EVIDENCE_ADDED.value)
        .order_by(CaseEventRow.id)
    )
    with store.session() as session:
        for case_id, event_id, data in session.execute(query):
            yield case_id, event_id, data if isinstance(data, dict) else {}
