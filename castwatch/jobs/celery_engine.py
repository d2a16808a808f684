"""The distributed engine: publish jobs to Celery workers, watch the job table until they end.

:func:`run_jobs` has the signature of :func:`castwatch.jobs.engine.run_jobs`, so ``monitor
run-once --engine celery`` swaps one for the other. Messages only say "job 17 is waiting";
the job table says what happened. :class:`Publisher` sends a message for every job that is
claimable and has none on its way: new jobs at once, a failed job once its backoff is over, a
job whose worker was lost once its lease has expired (whatever became of that worker's
message), and a queued job whose queue is empty (a message the broker lost). A message too
many costs one claim that finds nothing.

When no worker consumes castwatch's queues, :func:`run_jobs` starts ``options.workers`` local
ones (``castwatch worker --engine celery --concurrency 1``) for the pass and stops them after
it, so ``monitor run-once --engine celery --workers 2`` works from one command; when workers
are already running (on this machine or others) it uses those.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from kombu.exceptions import OperationalError as BrokerError
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from castwatch.catalog.credentials import redact_text
from castwatch.catalog.progress import Progress, no_progress
from castwatch.config import Settings
from castwatch.errors import ConfigError, StorageError
from castwatch.jobs.celery_app import (
    IMPORTS_ENV,
    JOB_CLASSES,
    TASK_NAME,
    CastwatchCelery,
    job_class,
    make_app,
    queue_name,
)
from castwatch.jobs.engine import EngineOptions
from castwatch.jobs.queue import _claimable, pending_count, utc_now
from castwatch.jobs.tables import JobRow
from castwatch.storage.db import Store

#: Room a task's soft limit leaves above its job's own limit (claim, store, a slow database),
#: and its hard limit above the soft one.
SOFT_MARGIN_S = 60.0
HARD_MARGIN_S = 30.0
_RETRY_POLICY = {"max_retries": 20, "interval_start": 0.5, "interval_step": 1.0, "interval_max": 5}


def broker_address(app: CastwatchCelery) -> str:
    """The broker URL with its password hidden."""
    return str(app.connection_for_write().as_uri())


class Publisher:
    """Sends one message per claimable job that has none on its way (see the module)."""

    def __init__(self, app: CastwatchCelery, options: EngineOptions) -> None:
        self.app = app
        self.options = options
        self.knobs = {
            "lease_s": options.lease_s,
            "heartbeat_s": options.heartbeat_s,
            "backoff_s": options.backoff_s,
        }
        self.sent_at: dict[int, float] = {}

    def _send(self, job_id: int, kind: str, timeout_s: float) -> bool:
        soft = timeout_s + self.options.lease_s + SOFT_MARGIN_S
        try:
            self.app.send_task(
                TASK_NAME,
                args=[job_id, self.knobs],
                queue=queue_name(self.app.castwatch_celery, job_class(kind)),
                soft_time_limit=soft,
                time_limit=soft + HARD_MARGIN_S,
                retry=True,
                retry_policy=_RETRY_POLICY,
            )
        except (BrokerError, OSError):
            return False  # the broker is away: the next sweep sends it
        self.sent_at[job_id] = time.monotonic()
        return True

    def sweep(self, store: Store, job_ids: Sequence[int] | None = None) -> int:
        """Send what is due for ``job_ids`` (every job when None); how many were sent."""
        now = utc_now()
        query = select(
            JobRow.id, JobRow.kind, JobRow.state, JobRow.timeout_s, JobRow.lease_until
        ).where(_claimable(now))
        if job_ids is not None:
            query = query.where(JobRow.id.in_(list(job_ids)))
        with store.session() as session:
            due = list(session.execute(query.order_by(JobRow.id)))
        if not due:
            return 0
        idle: dict[str, bool] | None = None
        sent = 0
        clock = time.monotonic()
        for job_id, kind, state, timeout_s, _lease in due:
            last = self.sent_at.get(job_id)
            if last is not None:
                if clock - last < self.options.lease_s:
                    continue
                if state == "queued":
                    # Its message is most likely still waiting in the queue: send another
                    # only when that queue is empty (the broker lost it).
                    if idle is None:
                        idle = self._idle_classes()
                    if not idle.get(job_class(kind), False):
                        continue
            sent += self._send(job_id, kind, float(timeout_s))
        return sent

    def _idle_classes(self) -> dict[str, bool]:
        counts = queue_counts(self.app)
        return {name: messages == 0 for name, (messages, _consumers) in counts.items()}


def queue_counts(app: CastwatchCelery) -> dict[str, tuple[int, int]]:
    """Messages waiting and consumers, per job class (zeros when the broker is away)."""
    counts = dict.fromkeys(JOB_CLASSES, (0, 0))
    try:
        with app.connection_for_write() as connection:
            channel = connection.channel()
            for name in JOB_CLASSES:
                queue = next(
                    q
                    for q in app.conf.task_queues
                    if q.name == queue_name(app.castwatch_celery, name)
                )
                queue.bind(channel).declare()
                _name, messages, consumers = channel.queue_declare(queue.name, passive=True)
                counts[name] = (int(messages), int(consumers))
            channel.close()
    except (BrokerError, OSError, StopIteration):
        pass
    return counts


def check_broker(app: CastwatchCelery) -> None:
    """Raise ConfigError naming the broker when it cannot be reached."""
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=2, interval_start=0.5, interval_step=0.5)
    except (BrokerError, OSError) as exc:
        raise ConfigError(
            f"cannot reach the Celery broker at {broker_address(app)}: {exc}; start it "
            "(RabbitMQ: rabbitmq-server -detached) or point CASTWATCH_BROKER_URL (or [celery] "
            "broker_url in jobs.toml) at yours"
        ) from None


def worker_environment(
    settings: Settings, app: CastwatchCelery, imports: Sequence[str]
) -> dict[str, str]:
    """The environment of a worker process working on ``settings``'s database."""
    env = dict(os.environ)
    env.update(
        CASTWATCH_HOME=str(settings.home),
        CASTWATCH_DB=settings.db_url,
        CASTWATCH_BROKER_URL=app.castwatch_celery.broker_url,
        CASTWATCH_QUEUE_PREFIX=app.castwatch_celery.queue_prefix,
    )
    if imports:
        env[IMPORTS_ENV] = ",".join(imports)
    return env


def start_local_workers(
    settings: Settings, app: CastwatchCelery, count: int, imports: Sequence[str] = ()
) -> list[subprocess.Popen[bytes]]:
    """Start ``count`` Celery worker processes (one job at a time each) on this machine.

    Each writes its log to ``HOME/logs/celery-worker-N.log``.
    """
    logs = settings.ensure_home() / "logs"
    logs.mkdir(exist_ok=True)
    env = worker_environment(settings, app, imports)
    stamp = f"{datetime.now():%Y%m%d%H%M%S}-{os.getpid()}"
    processes = []
    for number in range(max(1, count)):
        log = (logs / f"celery-worker-{number + 1}.log").open("ab")
        command = [
            sys.executable, "-m", "castwatch", "worker", "--engine", "celery",
            "--concurrency", "1", "--no-scheduler", "--name", f"local{number + 1}-{stamp}",
        ]  # fmt: skip
        processes.append(
            subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        )
        log.close()
    return processes


def stop_local_workers(processes: Sequence[subprocess.Popen[bytes]], grace_s: float = 30.0) -> None:
    """Warm shutdown (the job in hand finishes), then a kill past ``grace_s``."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _log_folder(settings: Settings) -> Path:
    return settings.home / "logs"


def run_jobs(
    settings: Settings,
    job_ids: Sequence[int],
    options: EngineOptions,
    progress: Progress = no_progress,
) -> None:
    """Run ``job_ids`` to the end (done or dead) on Celery workers.

    Starts ``options.workers`` local workers when no worker consumes the queue of one of the
    jobs' classes (and stops them afterwards); ``progress("jobs", finished, total)`` is told
    as jobs finish. A database that goes away is waited for up to ``db_outage_s``.
    """
    app = make_app(settings)
    check_broker(app)
    publisher = Publisher(app, options)
    total = len(job_ids)
    outage_s = app.castwatch_celery.db_outage_s
    local: list[subprocess.Popen[bytes]] = []
    try:
        with Store.open(settings) as store:
            with store.session() as session:
                kinds = set(session.scalars(select(JobRow.kind).where(JobRow.id.in_(job_ids))))
            counts = queue_counts(app)
            if any(counts[job_class(kind)][1] == 0 for kind in kinds):
                local = start_local_workers(settings, app, options.workers, options.imports)
            unreachable_since: float | None = None
            while True:
                try:
                    publisher.sweep(store, job_ids)
                    left = pending_count(store, job_ids)
                    unreachable_since = None
                except (SQLAlchemyError, StorageError):
                    # The database is away: the workers wait for it, and so does the pass.
                    unreachable_since = unreachable_since or time.monotonic()
                    if time.monotonic() - unreachable_since > outage_s:
                        raise
                    time.sleep(1.0)
                    continue
                progress("jobs", total - left, total)
                if left == 0:
                    break
                if local and all(process.poll() is not None for process in local):
                    raise ConfigError(
                        "every local Celery worker ended before the jobs did: see their logs "
                        f"in {_log_folder(settings)}"
                    )
                time.sleep(max(0.05, min(options.poll_s * 4, 1.0)))
    finally:
        stop_local_workers(local)


def scheduler_main(
    settings: Settings, options: EngineOptions, stop: Any, tick_s: float, publish: bool
) -> None:
    """The scheduler of ``castwatch worker``: every ``tick_s``, queue the jobs of every due
    slot (:func:`castwatch.jobs.schedule.fire_due`) and, with ``publish``, send Celery the
    messages of every claimable job; until ``stop`` is set.

    Two schedulers (two machines, a restart that overlaps) queue each slot once: the job
    table is unique on (kind, target, slot). A database or broker that is away is waited
    for, tick after tick.
    """
    fire_due = load_fire_due()
    publisher = Publisher(make_app(settings), options) if publish else None
    store: Store | None = None
    try:
        while not stop.is_set():
            try:
                if store is None:
                    store = Store.open(settings)
                fire_due(store, utc_now())
                if publisher is not None:
                    publisher.sweep(store)
            except (SQLAlchemyError, StorageError, BrokerError, OSError) as exc:
                sys.stderr.write(f"castwatch worker: scheduler waits: {redact_text(str(exc))}\n")
            stop.wait(tick_s)
    finally:
        if store is not None:
            store.close()


def load_fire_due() -> Callable[[Store, datetime], list[int]]:
    """The scheduler's step, or ConfigError when this castwatch has no schedules."""
    try:
        from castwatch.jobs.schedule import fire_due
    except ImportError as exc:
        raise ConfigError(
            f"this castwatch has no monitor schedules (castwatch.jobs.schedule: {exc}); run "
            "`castwatch worker --no-scheduler` to run queued jobs only"
        ) from None
    return fire_due
