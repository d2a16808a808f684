"""The job engine's tables: the work queue, standing monitors and live event windows.

Row classes only; :mod:`castwatch.jobs.schedule` reads and writes them. A monitor re-checks a
service's streams at a steady cadence (``castwatch monitor add``); an event is a window of
time (a match) in which chosen streams are checked at a tighter cadence
(``castwatch monitor event``). Every moment is a :class:`~castwatch.storage.base.UtcDateTime`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from castwatch.storage.base import Base, UtcDateTime

__all__ = ["JobRow", "MonitorEventRow", "MonitorRow"]


class MonitorRow(Base):
    """A service watched for good: its streams probed every ``every_s`` seconds."""

    __tablename__ = "monitor"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The service's name, as ``castwatch services`` lists it: one monitor per service.
    service: Mapped[str] = mapped_column(String(200), unique=True)
    every_s: Mapped[float] = mapped_column(Float)
    #: ``all``, ``identified``, ``claimed`` or a comma-separated list of entry ids or names.
    streams: Mapped[str] = mapped_column(Text)
    probe_seconds: Mapped[float] = mapped_column(Float)
    #: How often the service is re-read (``ingest`` job); None: never.
    reingest_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    #: The address re-read, encrypted with the data directory's key (it may hold an account).
    sealed_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    #: The last check slot a scheduler queued: saves re-reading the snapshot on every tick.
    last_slot: Mapped[str | None] = mapped_column(String(40), nullable=True)
    last_reingest_slot: Mapped[str | None] = mapped_column(String(40), nullable=True)


class MonitorEventRow(Base):
    """A live event window: chosen streams probed every ``every_s`` from ``starts_at`` to
    ``ends_at``."""

    __tablename__ = "monitor_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    service: Mapped[str] = mapped_column(String(200))
    streams: Mapped[str] = mapped_column(Text)
    every_s: Mapped[float] = mapped_column(Float)
    probe_seconds: Mapped[float] = mapped_column(Float)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_slot: Mapped[str | None] = mapped_column(String(40), nullable=True)


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
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    not_before: Mapped[datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
