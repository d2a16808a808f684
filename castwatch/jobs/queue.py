"""The ``job`` table as a work queue: queue, claim, heartbeat, finish, retry.

Claiming is one ``UPDATE ... WHERE id = (SELECT ... LIMIT 1) AND <still claimable>`` that
writes a fresh claim token: one statement, so on SQLite it holds the write lock from start
to end (what ``BEGIN IMMEDIATE`` gives a longer transaction) and two workers never take the
same job; on PostgreSQL the repeated condition makes the loser of a race update no row.

A claim carries a lease that the worker renews while the job runs. A worker that dies
(SIGKILL, a lost machine) stops renewing; once the lease has expired the job is claimable
again, by anyone. Finishing is guarded by the token: a worker that lost its lease cannot
mark the job done or store its result, so a job run twice stores one result.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from castwatch.errors import NotFound
from castwatch.jobs.tables import JobRow
from castwatch.storage.db import Store

STATES = ("queued", "running", "done", "failed", "dead")
#: States of a job that is not finished yet.
PENDING = ("queued", "running", "failed")
#: Attempts before a job is ``dead``, when its kind or the caller sets none.
MAX_ATTEMPTS = 3
#: Hard time limit of one attempt, seconds.
TIMEOUT_S = 120.0


def utc_now() -> datetime:
    return datetime.now(UTC)


def _utc(moment: datetime | None) -> datetime | None:
    # SQLite hands datetimes back without their zone; castwatch writes UTC only.
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


@dataclass(slots=True, frozen=True)
class NewJob:
    """A job to queue."""

    kind: str
    target: str
    slot: str
    payload: dict[str, Any]
    max_attempts: int = MAX_ATTEMPTS
    timeout_s: float = TIMEOUT_S


@dataclass(slots=True, frozen=True)
class Claim:
    """A job a worker holds: only the holder of ``token`` may finish it."""

    job_id: int
    kind: str
    target: str
    payload: dict[str, Any]
    token: str
    attempts: int
    max_attempts: int
    timeout_s: float


@dataclass(slots=True, frozen=True)
class JobInfo:
    """One job as ``castwatch jobs`` shows it."""

    id: int
    kind: str
    target: str
    slot: str
    state: str
    attempts: int
    max_attempts: int
    worker: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None
    result: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        def moment(value: datetime | None) -> str | None:
            return value.isoformat() if value is not None else None

        return {
            "id": self.id,
            "kind": self.kind,
            "target": self.target,
            "slot": self.slot,
            "state": self.state,
            "attempts": self.attempts,
            "max_attempts": self.max_attempts,
            "worker": self.worker,
            "created_at": moment(self.created_at),
            "started_at": moment(self.started_at),
            "finished_at": moment(self.finished_at),
            "error": self.error,
            "result": self.result,
        }


def _info(row: JobRow) -> JobInfo:
    created = _utc(row.created_at)
    assert created is not None
    return JobInfo(
        row.id, row.kind, row.target, row.slot, row.state, row.attempts, row.max_attempts,
        row.worker, created, _utc(row.started_at), _utc(row.finished_at), row.error,
        row.result,
    )  # fmt: skip


def enqueue(store: Store, jobs: Iterable[NewJob]) -> list[int]:
    """Queue ``jobs``; the ids of all of them, new or already queued for the same slot.

    A job whose (kind, target, slot) is already in the table is left as it is, whatever its
    state: that slot's work is queued, running or done once.
    """
    wanted = list(jobs)
    if not wanted:
        return []
    now = utc_now()
    rows = [
        {
            "kind": job.kind, "target": job.target, "slot": job.slot, "state": "queued",
            "payload": job.payload, "attempts": 0, "max_attempts": max(1, job.max_attempts),
            "timeout_s": job.timeout_s, "not_before": now, "created_at": now,
        }
        for job in wanted
    ]  # fmt: skip
    with store.session() as session:
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        # Batches keep each statement under SQLite's bound-parameter limit.
        for start in range(0, len(rows), 500):
            statement = insert(JobRow).values(rows[start : start + 500])
            session.execute(
                statement.on_conflict_do_nothing(index_elements=["kind", "target", "slot"])
            )
        keys = {(job.kind, job.target, job.slot) for job in wanted}
        found = {
            (kind, target, slot): job_id
            for job_id, kind, target, slot in session.execute(
                select(JobRow.id, JobRow.kind, JobRow.target, JobRow.slot).where(
                    JobRow.slot.in_({job.slot for job in wanted})
                )
            )
            if (kind, target, slot) in keys
        }
    return [found[(job.kind, job.target, job.slot)] for job in wanted]


def _claimable(now: datetime) -> Any:
    return or_(
        and_(JobRow.state.in_(("queued", "failed")), JobRow.not_before <= now),
        and_(
            JobRow.state == "running",
            JobRow.lease_until < now,
            JobRow.attempts < JobRow.max_attempts,
        ),
    )


def claim(
    store: Store,
    worker: str,
    lease_s: float,
    kinds: Sequence[str] | None = None,
    job_ids: Sequence[int] | None = None,
) -> Claim | None:
    """Take the oldest claimable job (of ``kinds`` / among ``job_ids`` if given), or None."""
    bury_lost(store)
    now = utc_now()
    token = uuid.uuid4().hex
    condition = _claimable(now)
    if kinds is not None:
        condition = and_(condition, JobRow.kind.in_(list(kinds)))
    if job_ids is not None:
        condition = and_(condition, JobRow.id.in_(list(job_ids)))
    oldest = select(JobRow.id).where(condition).order_by(JobRow.id).limit(1).scalar_subquery()
    with store.session() as session:
        claimed = session.execute(
            update(JobRow)
            .where(JobRow.id == oldest, condition)
            .values(
                state="running",
                claim_token=token,
                worker=worker[:100],
                lease_until=now + timedelta(seconds=lease_s),
                started_at=now,
                attempts=JobRow.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return None
        row = session.scalars(select(JobRow).where(JobRow.claim_token == token)).one()
        return Claim(
            row.id, row.kind, row.target, dict(row.payload), token, row.attempts,
            row.max_attempts, row.timeout_s,
        )  # fmt: skip


def bury_lost(store: Store) -> int:
    """Mark ``dead`` every job whose worker was lost on its last attempt; how many."""
    now = utc_now()
    with store.session() as session:
        buried = session.execute(
            update(JobRow)
            .where(
                JobRow.state == "running",
                JobRow.lease_until < now,
                JobRow.attempts >= JobRow.max_attempts,
            )
            .values(
                state="dead",
                finished_at=now,
                claim_token=None,
                error=func.coalesce(JobRow.error, "")
                + "the worker running the last attempt was lost (its lease expired)",
            )
            .execution_options(synchronize_session=False)
        )
        return int(buried.rowcount)  # type: ignore[attr-defined]


def renew(store: Store, held: Claim, lease_s: float) -> bool:
    """Extend ``held``'s lease; False when the job is no longer ours."""
    with store.session() as session:
        renewed = session.execute(
            update(JobRow)
            .where(JobRow.id == held.job_id, JobRow.claim_token == held.token)
            .values(lease_until=utc_now() + timedelta(seconds=lease_s))
            .execution_options(synchronize_session=False)
        )
        return bool(renewed.rowcount == 1)  # type: ignore[attr-defined]


class LeaseLost(Exception):
    """Raised inside a finishing transaction to roll it back: the job is no longer ours."""


def finish(session: Session, held: Claim, result: dict[str, Any]) -> None:
    """Mark ``held`` done with ``result`` in ``session``; LeaseLost when it is not ours."""
    done = session.execute(
        update(JobRow)
        .where(
            JobRow.id == held.job_id,
            JobRow.claim_token == held.token,
            JobRow.state == "running",
        )
        .values(
            state="done",
            result=result,
            error=None,
            finished_at=utc_now(),
            claim_token=None,
            lease_until=None,
        )
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise LeaseLost(held.job_id)


def fail(store: Store, held: Claim, error: str, backoff_s: float) -> str:
    """Record a failed attempt: ``failed`` (retried after a backoff) or ``dead``; the state."""
    now = utc_now()
    dead = held.attempts >= held.max_attempts
    delay = backoff_s * 2 ** max(0, held.attempts - 1)
    with store.session() as session:
        session.execute(
            update(JobRow)
            .where(JobRow.id == held.job_id, JobRow.claim_token == held.token)
            .values(
                state="dead" if dead else "failed",
                error=error[:4000],
                claim_token=None,
                lease_until=None,
                finished_at=now if dead else None,
                not_before=now + timedelta(seconds=delay),
            )
            .execution_options(synchronize_session=False)
        )
    return "dead" if dead else "failed"


def pending_count(store: Store, job_ids: Sequence[int] | None = None) -> int:
    """How many jobs (of ``job_ids``, if given) are not finished."""
    query = select(func.count()).select_from(JobRow).where(JobRow.state.in_(PENDING))
    if job_ids is not None:
        query = query.where(JobRow.id.in_(list(job_ids)))
    with store.session() as session:
        return int(session.scalar(query) or 0)


def list_jobs(
    store: Store, state: str | None = None, job_ids: Sequence[int] | None = None
) -> list[JobInfo]:
    """Jobs, oldest first (in ``state`` / among ``job_ids`` if given)."""
    query = select(JobRow).order_by(JobRow.id)
    if state is not None:
        if state not in STATES:
            from castwatch.errors import ConfigError

            raise ConfigError(f"unknown job state {state!r}: use one of {', '.join(STATES)}")
        query = query.where(JobRow.state == state)
    if job_ids is not None:
        query = query.where(JobRow.id.in_(list(job_ids)))
    with store.session() as session:
        return [_info(row) for row in session.scalars(query)]


def retry(store: Store, job_id: int) -> JobInfo:
    """Queue a ``failed`` or ``dead`` job again with fresh attempts; the job as it is now."""
    with store.session() as session:
        row = session.get(JobRow, job_id)
        if row is None:
            raise NotFound(f"no job {job_id}: `castwatch jobs` lists them")
        if row.state not in ("failed", "dead"):
            raise NotFound(
                f"job {job_id} is {row.state}, not failed or dead: only those are retried"
            )
        row.state = "queued"
        row.attempts = 0
        row.not_before = utc_now()
        row.finished_at = None
        session.flush()
        return _info(row)
