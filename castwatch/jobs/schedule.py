"""Schedules: standing monitors, live event windows, and :func:`fire_due`, which queues their slots.

A monitor's cadence cuts time into *slots* aligned on the epoch (``--every 1h``: one slot per
UTC hour); an event's slots start at its ``--from``. :func:`fire_due` queues the current slot
of every monitor and of every event in progress as jobs (``queue_pass``: one ``check-stream``
per chosen stream; an ``ingest`` per re-read slot). A job is unique on (kind, target, slot),
so two schedulers firing the same slot at once store one job each: the slot is done once.
Slots missed while no scheduler ran are not back-filled: a probe of an hour ago cannot be taken
now, and the current slot checks the same streams.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update

from castwatch.catalog.store_queries import find_service
from castwatch.errors import CastwatchError, ConfigError, NotFound
from castwatch.jobs.builtin import INGEST, seal_target
from castwatch.jobs.monitor import STREAM_CHOICES, queue_pass
from castwatch.jobs.queue import NewJob, enqueue
from castwatch.jobs.tables import MonitorEventRow, MonitorRow
from castwatch.storage.db import Store

log = logging.getLogger(__name__)

_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smhd])")
#: The shortest cadence: a probe takes seconds, and a slot must outlast its probes.
MIN_EVERY_S = 10.0
#: Re-reading a service costs a full catalogue fetch: not more often than this.
MIN_REINGEST_S = 60.0
#: An ``ingest`` job's time limit (a 6,000-channel, 200,000-entry catalogue).
INGEST_TIMEOUT_S = 1800.0


def parse_duration(text: str) -> float:
    """Seconds in ``30s``, ``5m``, ``1h``, ``24h``, ``1d``, ``1h30m``; ConfigError otherwise."""
    cleaned = text.strip().lower()
    parts = _DURATION.findall(cleaned)
    if not cleaned or "".join(f"{n}{u}" for n, u in parts) != cleaned:
        raise ConfigError(f"{text!r} is not a duration: write it like 30s, 5m, 1h, 24h or 1h30m")
    seconds = sum(float(number) * _UNITS[unit] for number, unit in parts)
    if not math.isfinite(seconds) or seconds <= 0:
        raise ConfigError(f"{text!r} is not a positive duration")
    return seconds


def parse_moment(text: str) -> datetime:
    """An ISO 8601 moment (``2026-12-06T20:45Z``, ``2026-12-06 20:45+01:00``); a moment
    without a zone is UTC. ConfigError otherwise."""
    cleaned = text.strip()
    if cleaned[-1:] in ("z", "Z"):
        cleaned = cleaned[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(cleaned)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise ConfigError(
            f"{text!r} is not a moment: write it in ISO 8601, like 2026-12-06T20:45Z"
        ) from None


def slot_name(start: datetime) -> str:
    """A slot's name in the ``job`` table: its start, UTC, to the second."""
    return f"{start.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"


def slot_start(now: datetime, every_s: float, origin: datetime | None = None) -> datetime:
    """The start of the slot of cadence ``every_s`` holding ``now`` (slots from ``origin``,
    else from the epoch)."""
    base = origin or datetime(1970, 1, 1, tzinfo=UTC)
    elapsed = (now - base).total_seconds()
    return base + timedelta(seconds=math.floor(elapsed / every_s) * every_s)


@dataclass(slots=True, frozen=True)
class MonitorInfo:
    """A monitor or an event as ``monitor list|show`` print it."""

    kind: str  # "monitor" or "event"
    name: str
    service: str
    every_s: float
    streams: str
    probe_seconds: float
    reingest_s: float | None
    starts_at: datetime | None
    ends_at: datetime | None
    created_at: datetime
    last_slot: str | None

    def to_dict(self) -> dict[str, Any]:
        def moment(value: datetime | None) -> str | None:
            return value.isoformat() if value is not None else None

        return {
            "kind": self.kind,
            "name": self.name,
            "service": self.service,
            "every_s": self.every_s,
            "streams": self.streams,
            "probe_seconds": self.probe_seconds,
            "reingest_s": self.reingest_s,
            "from": moment(self.starts_at),
            "to": moment(self.ends_at),
            "created_at": moment(self.created_at),
            "last_slot": self.last_slot,
        }


def _monitor_info(row: MonitorRow) -> MonitorInfo:
    return MonitorInfo(
        "monitor", row.service, row.service, row.every_s, row.streams, row.probe_seconds,
        row.reingest_s, None, None, row.created_at, row.last_slot,
    )  # fmt: skip


def _event_info(row: MonitorEventRow) -> MonitorInfo:
    return MonitorInfo(
        "event", row.name, row.service, row.every_s, row.streams, row.probe_seconds, None,
        row.starts_at, row.ends_at, row.created_at, row.last_slot,
    )  # fmt: skip


def _check_cadence(every_s: float, probe_seconds: float) -> None:
    if every_s < MIN_EVERY_S:
        raise ConfigError(f"--every must be at least {MIN_EVERY_S:g} s")
    if not 0 < probe_seconds < every_s:
        raise ConfigError("--probe-seconds must be positive and shorter than --every")


def _check_streams(streams: str) -> str:
    cleaned = streams.strip()
    if not cleaned:
        raise ConfigError(f"--streams is one of {', '.join(STREAM_CHOICES)} or a list of entries")
    return cleaned


def add_monitor(
    store: Store,
    service: str,
    *,
    every_s: float = 3600.0,
    streams: str = "all",
    probe_seconds: float = 10.0,
    reingest_s: float | None = None,
    url: str | None = None,
) -> MonitorInfo:
    """Watch ``service`` (added, or its settings replaced when it is watched already).

    ``reingest_s`` re-reads the service at ``url`` (which may hold the account: it is stored
    encrypted) on that cadence; without a URL there is nothing to re-read.
    """
    _check_cadence(every_s, probe_seconds)
    if reingest_s is not None and reingest_s < MIN_REINGEST_S:
        raise ConfigError(f"--reingest must be at least {MIN_REINGEST_S:g} s")
    if reingest_s is not None and url is None:
        raise ConfigError("--reingest needs --url: the address (with its account) to re-read")
    sealed = seal_target(store, url) if url is not None else None
    with store.session() as session:
        name = find_service(session, service).name
        row = session.scalars(select(MonitorRow).where(MonitorRow.service == name)).one_or_none()
        if row is None:
            row = MonitorRow(service=name, created_at=datetime.now(UTC))
            session.add(row)
        row.every_s, row.streams, row.probe_seconds = (
            every_s,
            _check_streams(streams),
            probe_seconds,
        )
        row.reingest_s, row.last_slot, row.last_reingest_slot = reingest_s, None, None
        row.sealed_url = sealed
        session.flush()
        return _monitor_info(row)


def add_event(
    store: Store,
    name: str,
    service: str | None,
    *,
    streams: str,
    starts_at: datetime,
    ends_at: datetime,
    every_s: float = 300.0,
    probe_seconds: float = 10.0,
) -> MonitorInfo:
    """A live event window named ``name`` on ``service``'s ``streams``; replaced if it exists.

    Without ``service``, the one watched service (``monitor add``) when there is exactly one.
    """
    _check_cadence(every_s, probe_seconds)
    if not name.strip():
        raise ConfigError("an event needs a name")
    if ends_at <= starts_at:
        raise ConfigError("--to must be after --from")
    with store.session() as session:
        if service is None:
            watched = list(session.scalars(select(MonitorRow.service)))
            if len(watched) != 1:
                raise ConfigError(
                    "give --service: the event's streams belong to one service, and "
                    f"{len(watched)} services are watched"
                )
            service = watched[0]
        service_name = find_service(session, service).name
        row = session.scalars(
            select(MonitorEventRow).where(MonitorEventRow.name == name)
        ).one_or_none()
        if row is None:
            row = MonitorEventRow(name=name, created_at=datetime.now(UTC))
            session.add(row)
        row.service, row.streams, row.every_s = service_name, _check_streams(streams), every_s
        row.probe_seconds, row.starts_at, row.ends_at = probe_seconds, starts_at, ends_at
        row.last_slot = None
        session.flush()
        return _event_info(row)


def list_monitors(store: Store) -> list[MonitorInfo]:
    """Every monitor, then every event (by start)."""
    with store.session() as session:
        monitors = [
            _monitor_info(r)
            for r in session.scalars(select(MonitorRow).order_by(MonitorRow.service))
        ]
        events = session.scalars(
            select(MonitorEventRow).order_by(MonitorEventRow.starts_at, MonitorEventRow.name)
        )
        return monitors + [_event_info(row) for row in events]


def get_monitor(store: Store, name: str) -> MonitorInfo:
    """The monitor of service ``name``, else the event ``name``; NotFound otherwise."""
    for info in list_monitors(store):
        if info.name == name:
            return info
    with store.session() as session:
        try:
            service = find_service(session, name).name
        except NotFound:
            service = None
    for info in list_monitors(store):
        if info.kind == "monitor" and info.service == service:
            return info
    raise NotFound(f"no monitor or event {name!r}: `castwatch monitor list` shows them")


def remove_monitor(store: Store, name: str) -> MonitorInfo:
    """Stop the monitor or event ``name`` (its jobs and results stay); what was removed."""
    info = get_monitor(store, name)
    with store.session() as session:
        if info.kind == "monitor":
            session.execute(delete(MonitorRow).where(MonitorRow.service == info.service))
        else:
            session.execute(delete(MonitorEventRow).where(MonitorEventRow.name == info.name))
    return info


def _queue_checks(
    store: Store, service: str, slot: str, streams: str, probe: float
) -> list[int] | None:
    try:
        return queue_pass(store, service, slot, streams=streams, probe_seconds=probe)
    except CastwatchError as exc:
        # A service without a snapshot yet, or streams it no longer has: the next tick retries.
        log.warning("slot %s of %s not queued: %s", slot, service, exc)
        return None


def fire_due(store: Store, now: datetime) -> list[int]:
    """Queue the current slot of every monitor and every event in progress at ``now``.

    The ids of the jobs queued for the slots this call fired (found already queued when
    another scheduler fired them first). A slot already fired by this store is skipped
    without re-reading the service; the (kind, target, slot) key makes a race harmless.
    """
    ids: list[int] = []
    with store.session() as session:
        monitors = [
            (row.id, row.service, row.every_s, row.streams, row.probe_seconds, row.last_slot,
             row.reingest_s, row.sealed_url, row.last_reingest_slot)
            for row in session.scalars(select(MonitorRow).order_by(MonitorRow.id))
        ]  # fmt: skip
        events = [
            (row.id, row.service, row.every_s, row.streams, row.probe_seconds, row.last_slot,
             row.starts_at)
            for row in session.scalars(
                select(MonitorEventRow)
                .where(MonitorEventRow.starts_at <= now, MonitorEventRow.ends_at > now)
                .order_by(MonitorEventRow.id)
            )
        ]  # fmt: skip
    for row_id, service, every_s, streams, probe, last, reingest_s, sealed, last_re in monitors:
        if reingest_s is not None and sealed is not None:
            slot = slot_name(slot_start(now, reingest_s))
            if slot != last_re:
                payload = {"service": service, "kind": "auto", "sealed_target": sealed}
                job = NewJob(INGEST, service, slot, payload, timeout_s=INGEST_TIMEOUT_S)
                ids += enqueue(store, [job])
                _mark(store, MonitorRow, row_id, last_reingest_slot=slot)
        slot = slot_name(slot_start(now, every_s))
        if (
            slot != last
            and (queued := _queue_checks(store, service, slot, streams, probe)) is not None
        ):
            ids += queued
            _mark(store, MonitorRow, row_id, last_slot=slot)
    for row_id, service, every_s, streams, probe, last, starts_at in events:
        slot = slot_name(slot_start(now, every_s, origin=starts_at))
        if (
            slot != last
            and (queued := _queue_checks(store, service, slot, streams, probe)) is not None
        ):
            ids += queued
            _mark(store, MonitorEventRow, row_id, last_slot=slot)
    return ids


def _mark(
    store: Store, table: type[MonitorRow] | type[MonitorEventRow], row_id: int, **values: str
) -> None:
    with store.session() as session:
        session.execute(
            update(table).where(table.id == row_id).values(**values)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
