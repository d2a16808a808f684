"""The verification stage's tables: references, their stored prints, verification results.

Row classes only; :mod:`castwatch.fingerprint.store` is the one module that reads and writes
them. Every moment is a :class:`~castwatch.storage.base.UtcDateTime`, read back aware.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from castwatch.storage.base import Base, UtcDateTime

__all__ = ["ReferencePrintRow", "ReferenceRow", "VerificationRow"]


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
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ReferencePrintRow(Base):
    """One fingerprinter's fingerprint of a reference (``Fingerprint.to_bytes()``).

    ``fingerprinter`` and ``version`` name what made it (the registry name, e.g.
    ``video-dct``); ``kind`` is the medium it reads, the key the facade combines prints by
    (migration 0010).
    """

    __tablename__ = "reference_print"
    __table_args__ = (UniqueConstraint("reference_id", "fingerprinter"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference_id: Mapped[int] = mapped_column(ForeignKey("reference.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    fingerprinter: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class VerificationRow(Base):
    """One verification of a stream or file against the references, with its evidence.

    Its columns are the fields of :class:`castwatch.catalog.verification.VerificationResult`
    (same names), plus the row id and the castwatch version that stored it.
    """

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
    verified_at: Mapped[datetime] = mapped_column(UtcDateTime)
    tool_version: Mapped[str] = mapped_column(String(40))
