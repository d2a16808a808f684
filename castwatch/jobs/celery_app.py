"""The distributed engine's Celery app: the same jobs, run by Celery workers on a broker.

Start a worker with ``castwatch worker --engine celery`` (or ``celery -A
castwatch.jobs.celery_app worker``); the settings come from ``jobs.toml`` and the
environment (:mod:`castwatch.jobs.celery_settings`), the database from ``CASTWATCH_DB``.

The broker is a doorbell, the ``job`` table the truth. A message names one job id; the task
claims that job in the database (``queue.claim``) and runs it exactly as an embedded worker
does (a child process killed at the job's time limit, a lease renewed while it runs, the
result stored in the transaction that marks the job done). So a message delivered twice (a
redelivery after a lost connection, a late ack after a killed worker, a publisher sweeping
again) finds the job done or held and stores nothing: tasks are idempotent, which is what
makes late acks safe.

Configured for long media jobs: one queue per job class (``captures`` for reference
captures, ``ingests`` for re-reads of services, ``checks`` for probes and light checks),
prefetch 1, late acks with ``reject_on_worker_lost`` (a worker killed mid-job gives its
message back), soft and hard time limits on every task (each message carries limits just
above its job's own), ``max-tasks-per-child`` and ``max-memory-per-child``; with Redis as the
broker, a visibility timeout longer than the longest job.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable
from multiprocessing.process import AuthenticationString  # type: ignore[attr-defined]
from typing import Any, TypeVar

from celery import Celery
from celery.exceptions import SoftTimeLimitExceeded
from kombu.entity import Exchange, Queue
from sqlalchemy.exc import InterfaceError, OperationalError

from castwatch.config import Settings
from castwatch.errors import StorageError
from castwatch.jobs.celery_settings import CelerySettings, celery_settings
from castwatch.jobs.engine import EngineOptions, _Executor, _import_all, _settle, worker_name
from castwatch.jobs.queue import claim
from castwatch.storage.db import Store

TASK_NAME = "castwatch.run_job"
#: The job classes, each a queue of its own: a 10-minute capture never waits behind a
#: thousand probes, nor a probe behind a capture.
JOB_CLASSES = ("captures", "ingests", "checks")
KIND_CLASSES = {
    "ref-capture": "captures",
    "reference-refresh": "captures",
    "ingest": "ingests",
    "attribute": "ingests",
}
#: Modules a worker imports before running jobs (where kinds from outside register).
IMPORTS_ENV = "CASTWATCH_JOB_IMPORTS"
#: Backstop limits for a message that carries none (the engine always sets its own).
SOFT_TIME_LIMIT_S = 3600.0
HARD_TIME_LIMIT_S = 3660.0
#: Redis only: how long a taken message stays invisible; longer than any job.
VISIBILITY_TIMEOUT_S = 4 * 3600
T = TypeVar("T")
_PR_SET_PDEATHSIG = 1


class CastwatchCelery(Celery):  # type: ignore[misc]
    """The Celery app, with the castwatch settings its workers open the database with."""

    castwatch_settings: Settings
    castwatch_celery: CelerySettings


def job_class(kind: str) -> str:
    """The job class (and so the queue) of jobs of ``kind``."""
    return KIND_CLASSES.get(kind, "checks")


def queue_name(conf: CelerySettings, job_class_name: str) -> str:
    return f"{conf.queue_prefix}.{job_class_name}"


def _queue(name: str) -> Queue:
    # A durable queue on a direct exchange of its own name: messages survive a broker restart.
    return Queue(name, Exchange(name, type="direct"), routing_key=name)  # type: ignore[no-untyped-call]


def make_app(settings: Settings) -> CastwatchCelery:
    """A Celery app for ``settings`` (its ``jobs.toml`` and environment)."""
    conf = celery_settings(settings)
    app = CastwatchCelery("castwatch", broker=conf.broker_url, set_as_current=False)
    app.castwatch_settings = settings
    app.castwatch_celery = conf
    queues = [_queue(queue_name(conf, name)) for name in JOB_CLASSES]
    app.conf.update(
        task_queues=queues,
        task_default_queue=queue_name(conf, "checks"),
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_soft_time_limit=SOFT_TIME_LIMIT_S,
        task_time_limit=HARD_TIME_LIMIT_S,
        worker_max_tasks_per_child=conf.max_tasks_per_child,
        worker_max_memory_per_child=conf.max_memory_per_child_mb * 1024,  # KiB
        task_ignore_result=True,
        result_backend=None,
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT_S},
        # A lost broker connection does not stop a running job: it finishes and stores its
        # result in the database; the redelivered message then finds the job done.
        worker_cancel_long_running_tasks_on_connection_loss=False,
        worker_hijack_root_logger=False,
    )
    app.task(name=TASK_NAME, bind=True, acks_late=True, reject_on_worker_lost=True)(_run_job)
    return app


class _ProcessWorker:
    """What one worker child keeps between tasks: its store and its executor."""

    def __init__(self, settings: Settings, conf: CelerySettings) -> None:
        self.settings = settings
        self.conf = conf
        _allow_children()
        _die_with_parent()
        self.imports = tuple(
            module.strip() for module in os.environ.get(IMPORTS_ENV, "").split(",") if module
        )
        _import_all(self.imports)
        self.name = worker_name()
        self.store: Store | None = None
        self.executor = _Executor(settings, self.imports)

    def recycle_if_large(self) -> None:
        """Replace the executor once it holds more than ``max_memory_per_child_mb``: the
        memory limit Celery applies to its pool child, applied where the jobs run."""
        process = self.executor.process
        limit = self.conf.max_memory_per_child_mb
        if process is not None and process.pid is not None and resident_mb(process.pid) > limit:
            self.executor.close()

    def db(self, work: Callable[[Store], T]) -> T:
        """``work(store)``, backing off while the database cannot be reached (a restart, a
        network cut), up to ``db_outage_s``; then the error."""
        deadline = time.monotonic() + self.conf.db_outage_s
        delay = 0.25
        while True:
            try:
                if self.store is None:
                    self.store = Store.open(self.settings)
                return work(self.store)
            except (OperationalError, InterfaceError, StorageError):
                if time.monotonic() + delay > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 5.0)


def _allow_children() -> None:
    """Let this pool child start the executor process.

    Celery's pool (billiard) marks its children daemonic, which multiprocessing refuses
    children, and gives them an authentication key of its own type, which a spawned process
    cannot be handed. The executor is ours to reap (and ends by itself when its pipe closes,
    if this child is killed), so clear the mark and give the process a key of the standard
    type.
    """
    config: dict[str, Any] = vars(multiprocessing.current_process())["_config"]
    config["daemon"] = False
    config["authkey"] = AuthenticationString(bytes(config.get("authkey") or os.urandom(32)))


def _die_with_parent() -> None:
    """Have the kernel kill this pool child when its worker dies (Linux).

    A worker SIGKILLed mid-job must let its job go: an orphaned child would go on renewing
    the job's lease and no other worker could take the job over.
    """
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() == 1:  # the worker died before the line above
        os._exit(1)


def resident_mb(pid: int) -> float:
    """Resident memory of process ``pid`` in MiB (0 where /proc cannot tell)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0.0


_WORKERS: dict[int, _ProcessWorker] = {}


def _process_worker(app: CastwatchCelery) -> _ProcessWorker:
    # Keyed by process: a pool child forked from a parent that had one starts its own.
    worker = _WORKERS.get(os.getpid())
    if worker is None:
        worker = _WORKERS[os.getpid()] = _ProcessWorker(
            app.castwatch_settings, app.castwatch_celery
        )
    return worker


def _run_job(task: Any, job_id: int, knobs: dict[str, float]) -> str:
    """The task: claim job ``job_id``, run it, store its outcome; what became of it."""
    worker = _process_worker(task.app)
    options = EngineOptions(
        workers=1,
        lease_s=float(knobs.get("lease_s", 30.0)),
        heartbeat_s=float(knobs.get("heartbeat_s", 5.0)),
        backoff_s=float(knobs.get("backoff_s", 5.0)),
        imports=worker.imports,
    )
    held = worker.db(lambda store: claim(store, worker.name, options.lease_s, job_ids=[job_id]))
    if held is None:
        return "not claimable"  # done, dead, held by another worker, or waiting to retry
    reply: tuple[str, Any]
    try:
        reply = worker.executor.run(worker.db(lambda store: store), held, options)
    except SoftTimeLimitExceeded:
        worker.executor.kill()
        reply = ("error", f"{held.kind} {held.target} passed the worker's soft time limit")
    state = worker.db(lambda store: _settle(store, held, reply, options))
    worker.recycle_if_large()
    return state


#: The app ``celery -A castwatch.jobs.celery_app worker`` finds: settings from the environment.
app = make_app(Settings.resolve())
