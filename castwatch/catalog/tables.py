"""The catalog's tables: services, their snapshots, entry versions, accounts, endpoints.

Entries are stored as *versions* with a validity range of snapshot ids, not copied per
snapshot: a version is in snapshot S of its service when ``valid_from <= S`` and
(``valid_to`` is NULL or ``valid_to > S``). An unchanged entry costs nothing on re-ingest; a
changed one closes its old version and opens a new one. See docs/architecture.md.

Row classes only; :mod:`castwatch.catalog.store` reads and writes them. Every moment is a
:class:`~castwatch.storage.base.UtcDateTime`, read back aware.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
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

__all__ = ["CredentialRow", "EndpointRow", "EntryRow", "ServiceRow", "SnapshotRow"]


class ServiceRow(Base):
    """A pirate service as castwatch tracks it: one name, one protocol kind."""

    __tablename__ = "service"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    base_urls: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SnapshotRow(Base):
    """One complete read of a service. Written in one transaction with its entry versions."""

    __tablename__ = "snapshot"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    taken_at: Mapped[datetime] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(20))
    source_url: Mapped[str] = mapped_column(Text)
    counts: Mapped[dict[str, int]] = mapped_column(JSON)
    server_info: Mapped[dict[str, Any]] = mapped_column(JSON)
    warnings: Mapped[list[str]] = mapped_column(JSON)
    added: Mapped[int] = mapped_column(Integer, default=0)
    removed: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    tool_version: Mapped[str] = mapped_column(String(40))
    #: Entry row ids in the order the service listed them (``catalog/store.py``), or NULL.
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
    added_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
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
