"""The database schema, as SQLAlchemy 2 typed models. Alembic migrations mirror it.

Entries are stored as *versions* with a validity range of snapshot ids, not copied per
snapshot: a version is in snapshot S of its service when ``valid_from <= S`` and
(``valid_to`` is NULL or ``valid_to > S``). An unchanged entry costs nothing on re-ingest; a
changed one closes its old version and opens a new one. See docs/architecture.md.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
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

from castwatch.storage.base import Base

__all__ = ["Base"]


class ServiceRow(Base):
    """A pirate service as castwatch tracks it: one name, one protocol kind."""

    __tablename__ = "service"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    base_urls: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SnapshotRow(Base):
    """One complete read of a service. Written in one transaction with its entry versions."""

    __tablename__ = "snapshot"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    taken_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(20))
    source_url: Mapped[str] = mapped_column(Text)
    counts: Mapped[dict[str, int]] = mapped_column(JSON)
    server_info: Mapped[dict[str, Any]] = mapped_column(JSON)
    warnings: Mapped[list[str]] = mapped_column(JSON)
    added: Mapped[int] = mapped_column(Integer, default=0)
    removed: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    tool_version: Mapped[str] = mapped_column(String(40))
    #: Entry row ids in the order the service listed them (storage/queries.py), migration 0008.
    entry_order: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class CredentialRow(Base):
    """An account found in or used on a service, encrypted at rest (Fernet, key in home)."""

    __tablename__ = "credential"
    __table_args__ = (UniqueConstraint("service_id", "fingerprint"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    #: HMAC of the plaintext: finds the same account again without decrypting anything.
    fingerprint: Mapped[str] = mapped_column(String(64))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    label: Mapped[str] = mapped_column(String(100))


class EntryRow(Base):
    """One version of one entry, valid over a range of its service's snapshots."""

    __tablename__ = "entry"
    __table_args__ = (
        # Serves both "the current versions of a service" (the re-ingest hot path) and the
        # per-snapshot scans; one index keeps 200,000-row inserts cheap.
        Index("ix_entry_current", "service_id", "valid_to", "key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    valid_from: Mapped[int] = mapped_column(ForeignKey("snapshot.id"))
    valid_to: Mapped[int | None] = mapped_column(ForeignKey("snapshot.id"), nullable=True)
    key: Mapped[str] = mapped_column(Text)
    digest: Mapped[bytes] = mapped_column(LargeBinary(16))
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(Text)
    group_name: Mapped[str | None] = mapped_column(Text, nullable=True)
    url: Mapped[str | None] = mapped_column(Text, nullable=True)
    credential_id: Mapped[int | None] = mapped_column(ForeignKey("credential.id"), nullable=True)
    tvg_id: Mapped[str | None] = mapped_column(Text, nullable=True)
    tvg_name: Mapped[str | None] = mapped_column(Text, nullable=True)
    tvg_logo: Mapped[str | None] = mapped_column(Text, nullable=True)
    stream_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    series_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    episode_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    season: Mapped[int | None] = mapped_column(Integer, nullable=True)
    episode_num: Mapped[int | None] = mapped_column(Integer, nullable=True)
    category_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    container: Mapped[str | None] = mapped_column(String(16), nullable=True)
    added_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rating: Mapped[float | None] = mapped_column(Float, nullable=True)
    tmdb_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    duration: Mapped[float | None] = mapped_column(Float, nullable=True)
    extra: Mapped[dict[str, str] | None] = mapped_column(JSON, nullable=True)


class EndpointRow(Base):
    """Where a snapshot's entries are served from (a handful of rows per snapshot)."""

    __tablename__ = "endpoint"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshot.id"), index=True)
    scheme: Mapped[str] = mapped_column(String(16))
    host: Mapped[str] = mapped_column(String(255))
    port: Mapped[int | None] = mapped_column(Integer, nullable=True)
    path_pattern: Mapped[str] = mapped_column(Text)
    entries: Mapped[int] = mapped_column(Integer)


# --- Reference registries (issue 3): channels, rights holders, works, identifications ------
#
# The registry tables are replaced wholesale by each import (see storage/reference.py), so
# they hold plain values and JSON lists rather than normalised link tables. Free-form values
# are Text: a malformed upstream cell must not fail a whole import on PostgreSQL's lengths.
# The readers in castwatch/identify/ skip rows whose ids exceed the String lengths here.


class RegistryChannelRow(Base):
    """One iptv-org channel, as of the last registry import."""

    __tablename__ = "registry_channel"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    alt_names: Mapped[list[str]] = mapped_column(JSON)
    network: Mapped[str | None] = mapped_column(Text, nullable=True)
    owners: Mapped[list[str]] = mapped_column(JSON)
    country: Mapped[str | None] = mapped_column(Text, nullable=True)
    categories: Mapped[list[str]] = mapped_column(JSON)
    is_nsfw: Mapped[bool] = mapped_column(Boolean)
    launched: Mapped[str | None] = mapped_column(Text, nullable=True)
    closed: Mapped[str | None] = mapped_column(Text, nullable=True)
    replaced_by: Mapped[str | None] = mapped_column(Text, nullable=True)
    website: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: ``dmca`` or ``nsfw`` when iptv-org's blocklist names the channel.
    blocked: Mapped[str | None] = mapped_column(Text, nullable=True)


class RegistryFeedRow(Base):
    """One feed (regional or quality variant) of a registry channel."""

    __tablename__ = "registry_feed"

    channel_id: Mapped[str] = mapped_column(ForeignKey("registry_channel.id"), primary_key=True)
    feed_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    alt_names: Mapped[list[str]] = mapped_column(JSON)
    is_main: Mapped[bool] = mapped_column(Boolean)
    broadcast_area: Mapped[list[str]] = mapped_column(JSON)
    languages: Mapped[list[str]] = mapped_column(JSON)
    format: Mapped[str | None] = mapped_column(Text, nullable=True)


class RegistryCountryRow(Base):
    """A country of the iptv-org registry, with its usual languages."""

    __tablename__ = "registry_country"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    languages: Mapped[list[str]] = mapped_column(JSON)


class RegistryRegionRow(Base):
    """An iptv-org region (``MENA``, ``EUR``...) and its countries: feeds broadcast to them."""

    __tablename__ = "registry_region"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    countries: Mapped[list[str]] = mapped_column(JSON)


class RegistryImportRow(Base):
    """One import of reference data: what, from where, when, how much, and its digest."""

    __tablename__ = "registry_import"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    counts: Mapped[dict[str, int]] = mapped_column(JSON)
    digest: Mapped[str | None] = mapped_column(String(64), nullable=True)


class RightsHolderRow(Base):
    """A rights holder; what it claims is in ``holder_claim``."""

    __tablename__ = "rights_holder"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    aliases: Mapped[list[str]] = mapped_column(JSON)
    memberships: Mapped[list[str]] = mapped_column(JSON)
    website: Mapped[str | None] = mapped_column(Text, nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)


class HolderClaimRow(Base):
    """One claim of a holder: an iptv-org owner, network or channel, or a work."""

    __tablename__ = "holder_claim"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("rights_holder.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    value: Mapped[str] = mapped_column(Text)
    territories: Mapped[list[str]] = mapped_column(JSON)


class WorkRow(Base):
    """A film or series (from a castwatch works file or IMDb), upserted by id."""

    __tablename__ = "work"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    original_title: Mapped[str | None] = mapped_column(Text, nullable=True)
    kind: Mapped[str] = mapped_column(String(10))
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    external_ids: Mapped[dict[str, str]] = mapped_column(JSON)
    holder: Mapped[str | None] = mapped_column(String(200), nullable=True)


class IdentificationRow(Base):
    """What one entry version was identified as in one snapshot, by one engine."""

    __tablename__ = "identification"
    __table_args__ = (Index("ix_identification_target", "target_kind", "target_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshot.id"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id"))
    target_kind: Mapped[str] = mapped_column(String(10))
    target_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    feed_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    confidence: Mapped[float] = mapped_column(Float)
    why: Mapped[dict[str, Any]] = mapped_column(JSON)
    engine: Mapped[str] = mapped_column(String(40))


class ReferenceRow(Base):
    """A reference recording of a channel or work: what a stream is verified against.

    Live references keep only the last ``window_s`` seconds of fingerprints (a rolling buffer);
    VOD references keep the whole work.
    """

    __tablename__ = "reference"
    __table_args__ = (UniqueConstraint("subject_kind", "subject_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_kind: Mapped[str] = mapped_column(String(10))
    subject_id: Mapped[str] = mapped_column(String(200))
    live: Mapped[bool] = mapped_column(Boolean)
    window_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    source: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    duration_s: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReferencePrintRow(Base):
    """One fingerprinter's fingerprint of a reference (``Fingerprint.to_bytes()``)."""

    __tablename__ = "reference_print"
    __table_args__ = (UniqueConstraint("reference_id", "fingerprinter"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference_id: Mapped[int] = mapped_column(ForeignKey("reference.id"), index=True)
    fingerprinter: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class VerificationRow(Base):
    """One verification of a stream or file against the references, with its evidence."""

    __tablename__ = "verification"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[int | None] = mapped_column(
        ForeignKey("service.id"), nullable=True, index=True
    )
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshot.id"), nullable=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entry.id"), nullable=True)
    #: The file path or the redacted URL that was captured.
    source: Mapped[str] = mapped_column(Text)
    #: What identification said the entry is (``channel``/``work`` and id), if anything.
    claimed_kind: Mapped[str | None] = mapped_column(String(10), nullable=True)
    claimed_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    #: The best reference found, when one matched.
    matched_kind: Mapped[str | None] = mapped_column(String(10), nullable=True)
    matched_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    #: True when the match is the claimed subject (or, with no claim, when anything matched).
    confirmed: Mapped[bool] = mapped_column(Boolean)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    offset_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    matched_fraction: Mapped[float | None] = mapped_column(Float, nullable=True)
    candidates: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    capture_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    capture_path: Mapped[str | None] = mapped_column(Text, nullable=True)
    thumbnails: Mapped[list[str]] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    verified_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    tool_version: Mapped[str] = mapped_column(String(40))


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
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CaseSubjectRow(Base):
    """What a case is about: a service (``service_id`` set), later an operator or a domain."""

    __tablename__ = "case_subject"
    __table_args__ = (UniqueConstraint("case_id", "kind", "ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    ref: Mapped[str] = mapped_column(String(255))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"), nullable=True)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CaseEventRow(Base):
    """One typed event on a case's timeline."""

    __tablename__ = "case_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(30))
    detail: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class LedgerEntryRow(Base):
    """One item of evidence in the append-only, hash-chained ledger (every field hashed)."""

    __tablename__ = "evidence_ledger"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # NULL: filed before any case (a verification capture, a reference): every file
    # castwatch writes under evidence/ is in the ledger, case or not (migration 0007).
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
    captured_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
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
    signed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    key_fingerprint: Mapped[str] = mapped_column(String(64))
    signature: Mapped[bytes] = mapped_column(LargeBinary)


class LedgerTimestampRow(Base):
    """An RFC 3161 timestamp token a TSA issued over the chain head at ``seq``."""

    __tablename__ = "ledger_timestamp"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, index=True)
    head_hash: Mapped[str] = mapped_column(String(64))
    tsa_url: Mapped[str] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
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
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


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
    drafted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    queued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    actioned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
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
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    state: Mapped[str] = mapped_column(String(12))
    settled: Mapped[str] = mapped_column(String(12))
    last_checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class WatchCheckRow(Base):
    """One check of one target: DNS, the redirect chain, the last answer, the verdict."""

    __tablename__ = "watch_check"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("watch_target.id"), index=True)
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
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


# --- Attribution (issue 6, part B): observations, the graph, operators and relapse alerts ---
#
# Observations are the evidence; nodes and edges are upserted in the same transaction that
# stores them, so every edge can name the observations behind it. Operators are recomputed
# from the graph by ``castwatch/attribute/service.py`` and keep their ids across rebuilds
# (matched by the services they share), so an alert can say "joins operator 3".


class AttrNodeRow(Base):
    """A typed node of the attribution graph: a service, domain, IP, certificate, panel..."""

    __tablename__ = "attr_node"
    __table_args__ = (UniqueConstraint("kind", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    #: The normalised value (lower-case domain, compressed IP, ``AS13335``...).
    key: Mapped[str] = mapped_column(String(512))
    #: Facts about the node itself (``asn.org``, ``http.title``...): relation -> last value.
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON)
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AttrEdgeRow(Base):
    """A typed edge ``source -relation-> target``, seen by ``collector`` between two times."""

    __tablename__ = "attr_edge"
    __table_args__ = (UniqueConstraint("source_id", "target_id", "relation"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("attr_node.id"))
    target_id: Mapped[int] = mapped_column(ForeignKey("attr_node.id"), index=True)
    relation: Mapped[str] = mapped_column(String(40))
    collector: Mapped[str] = mapped_column(String(60))
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    observations: Mapped[int] = mapped_column(Integer)


class AttrObservationRow(Base):
    """One collector fact as stored; the same fact seen again only moves ``last_seen``."""

    __tablename__ = "attr_observation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: BLAKE2b of (subject kind, subject, relation, value kind, value, source).
    fact_key: Mapped[str] = mapped_column(String(32), unique=True)
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(Text)
    relation: Mapped[str] = mapped_column(String(40))
    value_kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    value: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(60))
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: The edge this fact supports; NULL for facts about one node (a page title, a country).
    edge_id: Mapped[int | None] = mapped_column(
        ForeignKey("attr_edge.id"), nullable=True, index=True
    )


class AttrOperatorRow(Base):
    """A cluster of services believed to be run by one operator."""

    __tablename__ = "attr_operator"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    #: False once a rebuild found none of its services together any more.
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AttrOperatorMemberRow(Base):
    """A service (``role`` service) or one of its domains (``role`` domain) of an operator."""

    __tablename__ = "attr_operator_member"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("attr_operator.id"), index=True)
    node_id: Mapped[int] = mapped_column(ForeignKey("attr_node.id"), unique=True)
    role: Mapped[str] = mapped_column(String(10))
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AttrOperatorLinkRow(Base):
    """Why two services of an operator belong together: the shared pivots and the score."""

    __tablename__ = "attr_operator_link"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("attr_operator.id"), index=True)
    service_a_id: Mapped[int] = mapped_column(ForeignKey("attr_node.id"))
    service_b_id: Mapped[int] = mapped_column(ForeignKey("attr_node.id"))
    score: Mapped[float] = mapped_column(Float)
    #: ``[{"kind", "key", "weight", "shared_by", "weak"}]``, strongest first.
    pivots: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class AttrAlertRow(Base):
    """A service or domain that joined a known operator; ``relapse`` when its case was acted on."""

    __tablename__ = "attr_alert"
    __table_args__ = (UniqueConstraint("operator_id", "node_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(20))
    operator_id: Mapped[int] = mapped_column(ForeignKey("attr_operator.id"), index=True)
    node_id: Mapped[int] = mapped_column(ForeignKey("attr_node.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"), nullable=True)
    case_status: Mapped[str | None] = mapped_column(String(12), nullable=True)
    pivots: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    message: Mapped[str] = mapped_column(Text)


# --- Jobs (issue 14): the work queue of the job engine -------------------------------------
#
# One row per unit of work, unique on (kind, target, slot): queueing a job twice for the same
# schedule slot finds the row already there, so a slot's work is done and stored once. See
# castwatch/jobs/queue.py for the claim protocol (a claim token and a lease).


class JobRow(Base):
    """One job: a stage-service function run on one target for one schedule slot."""

    __tablename__ = "job"
    __table_args__ = (UniqueConstraint("kind", "target", "slot"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(400))
    slot: Mapped[str] = mapped_column(String(40))
    #: ``queued``, ``running``, ``done``, ``failed`` (waiting for its retry) or ``dead``.
    state: Mapped[str] = mapped_column(String(10), index=True)
    #: The job's arguments, plain JSON.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer)
    max_attempts: Mapped[int] = mapped_column(Integer)
    timeout_s: Mapped[float] = mapped_column(Float)
    #: Who holds the job while it runs: only the holder of the token may finish it.
    worker: Mapped[str | None] = mapped_column(String(100), nullable=True)
    claim_token: Mapped[str | None] = mapped_column(String(32), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    not_before: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
