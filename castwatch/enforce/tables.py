"""The enforcement stage's tables: cases, the evidence ledger, contacts, notices, tracking.

Row classes only; the ``castwatch.enforce.store*`` modules read and write them. Every moment
is a :class:`~castwatch.storage.base.UtcDateTime`, read back aware.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from castwatch.storage.base import Base, UtcDateTime

__all__ = [
    "CaseEventRow",
    "CaseRow",
    "CaseSubjectRow",
    "ContactRow",
    "LedgerEntryRow",
    "LedgerHeadRow",
    "LedgerSignatureRow",
    "LedgerTimestampRow",
    "NoticeRow",
    "WatchCheckRow",
    "WatchTargetRow",
]


# --- Enforcement (issue 5): cases, the evidence ledger, contacts, notices -------------------
#
# The ledger is append-only and hash-chained (see castwatch/catalog/evidence.py): rows are
# only ever inserted, under a lock taken by updating ``ledger_head`` first, so two writers
# never hand out the same sequence number. Later issues add notice re-checks (rows pointing at
# ``notice``), seized-domain watches (``case_subject`` of kind ``domain``) and dossiers.


class CaseRow(Base):
    """An enforcement case: its workflow status and assignee (subjects and events apart)."""

    __tablename__ = "case_file"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(12))
    assignee: Mapped[str | None] = mapped_column(String(200), nullable=True)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CaseSubjectRow(Base):
    """What a case is about: a service (``service_id`` set), later an operator or a domain."""

    __tablename__ = "case_subject"
    __table_args__ = (UniqueConstraint("case_id", "kind", "ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    ref: Mapped[str] = mapped_column(String(255))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"), nullable=True)
    added_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CaseEventRow(Base):
    """One typed event on a case's timeline."""

    __tablename__ = "case_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(30))
    detail: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class LedgerEntryRow(Base):
    """One item of evidence in the append-only, hash-chained ledger (every field hashed)."""

    __tablename__ = "evidence_ledger"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # NULL: filed before any case (a verification capture, a reference): every file
    # castwatch writes under evidence/ is in the ledger, case or not (since 0.1).
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_file.id"), index=True, nullable=True
    )
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    stored_name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    captured_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    host: Mapped[str] = mapped_column(String(255))
    tool_version: Mapped[str] = mapped_column(String(40))
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class LedgerHeadRow(Base):
    """The one row (id 1) naming the chain's last entry; writers lock it to append."""

    __tablename__ = "ledger_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    entry_hash: Mapped[str] = mapped_column(String(64))


class LedgerSignatureRow(Base):
    """An Ed25519 signature over the chain head at ``seq``, with the key's fingerprint."""

    __tablename__ = "ledger_signature"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, index=True)
    head_hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    key_fingerprint: Mapped[str] = mapped_column(String(64))
    signature: Mapped[bytes] = mapped_column(LargeBinary)


class LedgerTimestampRow(Base):
    """An RFC 3161 timestamp token a TSA issued over the chain head at ``seq``."""

    __tablename__ = "ledger_timestamp"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, index=True)
    head_hash: Mapped[str] = mapped_column(String(64))
    tsa_url: Mapped[str] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    token: Mapped[bytes] = mapped_column(LargeBinary)


class ContactRow(Base):
    """Who to notify about a host: its hosting provider, CDN, registrar or DMCA agent."""

    __tablename__ = "contact"
    __table_args__ = (UniqueConstraint("host", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    name: Mapped[str | None] = mapped_column(Text, nullable=True)
    email: Mapped[str | None] = mapped_column(Text, nullable=True)
    source: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class NoticeRow(Base):
    """A rendered notice of a case, with its delivery attempts and tracking times."""

    __tablename__ = "notice"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16))
    recipient_host: Mapped[str] = mapped_column(String(255))
    recipient_email: Mapped[str | None] = mapped_column(Text, nullable=True)
    subject: Mapped[str] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    drafted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    queued_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    actioned_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    message_id: Mapped[str | None] = mapped_column(Text, nullable=True)


# --- Tracking (issue 5, part B): re-checks of notice targets and seized domains -------------
#
# A target is what a sent notice asked to take down (a URL or a host) or a seized domain; its
# checks are only ever inserted. ``state`` is the last check's finding, ``settled`` the last
# conclusive one (an ``error`` check leaves it), which is what takedowns and relapses compare.


class WatchTargetRow(Base):
    """A URL or host of a sent notice, or a seized domain, re-checked by ``watch run``."""

    __tablename__ = "watch_target"
    __table_args__ = (Index("ix_watch_target_case", "case_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"))
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notice.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(10))
    #: The URL as the notice gave it (credential placeholders), or the host / domain.
    target: Mapped[str] = mapped_column(Text)
    #: What is requested, with placeholders; ``credential_id`` fills them at check time.
    probe_url: Mapped[str] = mapped_column(Text)
    credential_id: Mapped[int | None] = mapped_column(ForeignKey("credential.id"), nullable=True)
    recipient: Mapped[str | None] = mapped_column(Text, nullable=True)
    intermediary: Mapped[str | None] = mapped_column(String(20), nullable=True)
    added_at: Mapped[datetime] = mapped_column(UtcDateTime)
    state: Mapped[str] = mapped_column(String(12))
    settled: Mapped[str] = mapped_column(String(12))
    last_checked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class WatchCheckRow(Base):
    """One check of one target: DNS, the redirect chain, the last answer, the verdict."""

    __tablename__ = "watch_check"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("watch_target.id"), index=True)
    checked_at: Mapped[datetime] = mapped_column(UtcDateTime)
    state: Mapped[str] = mapped_column(String(12))
    http_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: Where the last answer came from, credentials replaced by placeholders.
    final_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: Each redirect hop as ``{"status": 302, "url": ...}`` (redacted), in order.
    redirects: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    addresses: Mapped[list[str]] = mapped_column(JSON)
    dns_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    elapsed_s: Mapped[float | None] = mapped_column(Float, nullable=True)
