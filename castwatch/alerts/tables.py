"""The alert tables: ``alert`` (each fact once) and ``alert_outbox`` (each delivery of it).

Row classes only; :mod:`castwatch.alerts.store` reads and writes them. ``alert.key`` is unique:
the fact an alert states is stored once however often it is seen. ``alert_outbox`` holds one
row per alert and delivery channel, ``pending`` until the channel acknowledged it (``sent``);
a failed attempt only moves its ``next_attempt_at`` later, so nothing raised is ever lost.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from castwatch.storage.base import Base, UtcDateTime

__all__ = ["AlertOutboxRow", "AlertRow"]


class AlertRow(Base):
    """One alert: a fact a person must act on, stored once (``key``)."""

    __tablename__ = "alert"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: ``carried``, ``confirmed``, ``contradicted``, ``catalog-change``, ``overdue``,
    #: ``seizure-lapsed`` or ``relapse`` (``alerts.model.AlertKind``).
    kind: Mapped[str] = mapped_column(String(20), index=True)
    #: The fact itself (``confirmed:SERVICE:live:12:CHANNEL``): unique, so it alerts once.
    key: Mapped[str] = mapped_column(String(500), unique=True)
    message: Mapped[str] = mapped_column(Text)
    service: Mapped[str | None] = mapped_column(String(200), nullable=True)
    case_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AlertOutboxRow(Base):
    """One delivery of one alert on one channel, re-tried until acknowledged."""

    __tablename__ = "alert_outbox"
    __table_args__ = (
        UniqueConstraint("alert_id", "channel"),
        Index("ix_alert_outbox_due", "state", "channel", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id", ondelete="CASCADE"))
    #: ``email`` or ``webhook``; the address itself is read from the settings when sending.
    channel: Mapped[str] = mapped_column(String(20))
    #: ``pending`` until the channel acknowledged the alert, then ``sent``.
    state: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer)
    #: When the next attempt may be made; a sender claims rows by moving it forward.
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
