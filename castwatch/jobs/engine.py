"""The embedded engine: N worker processes on the configured database, no broker.

Each worker is a process that claims jobs from the ``job`` table (``queue.py``) and runs each
one in a child process of its own, the *executor*, which it kills when the job passes its
time limit (a capture that hangs, a decoder that never returns) and then replaces: the job
fails with a clear error and the worker lives on. While the executor works the worker renews
the job's lease; a worker that dies stops renewing, and another claims the job once the lease
has expired. The result is stored by the worker that still holds the claim, in the same
transaction that marks the job done (``JobKind.commit``), so a job run twice stores one.

Processes are started with ``spawn``: nothing of the parent (database connections, threads)
is inherited by a child.
"""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing
import os
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Event
from typing import Any

from sqlalchemy.exc import InterfaceError, OperationalError

from castwatch.catalog.progress import Progress, no_progress
from castwatch.config import Settings
from castwatch.errors import CastwatchError
from castwatch.jobs.kinds import JobContext, get_job_kind
from castwatch.jobs.queue import Claim, LeaseLost, claim, fail, finish, pending_count, renew
from castwatch.storage.db import Store

_SPAWN = multiprocessing.get_context("spawn")


@dataclass(slots=True, frozen=True)
class EngineOptions:
    """How the embedded engine runs.

    ``lease_s`` is how long a claim lasts without renewal (how soon a lost worker's job is
    taken over); ``heartbeat_s`` how often a worker renews it; ``backoff_s`` the first retry
    delay, doubled at each further attempt; ``imports`` modules to import in every process
    before running jobs (where job kinds from outside register, as the tests' do).
    """

    workers: int = 2
    lease_s: float = 30.0
    heartbeat_s: float = 5.0
    poll_s: float = 0.25
    backoff_s: float = 5.0
    imports: tuple[str, ...] = ()


def _import_all(modules: Sequence[str]) -> None:
    for module in modules:
        importlib.import_module(module)


def _executor_main(conn: Connection, settings: Settings, imports: tuple[str, ...]) -> None:
    """The executor child: run the jobs its worker sends, one at a time, until the pipe
    closes (the worker ended or died)."""
    _import_all(imports)
    store = Store.open(settings)
    context = JobContext(store)
    try:
        while True:
            try:
                kind_name, payload = conn.recv()
            except (EOFError, OSError):
                return
            try:
                reply: tuple[str, Any] = ("ok", get_job_kind(kind_name).run(context, payload))
            except CastwatchError as exc:
                reply = ("error", str(exc))
            except Exception as exc:  # a job's bug is that job's failure
                reply = ("error", f"{type(exc).__name__}: {exc}")
            try:
                conn.send(reply)
            except (BrokenPipeError, OSError):
                return  # the worker is gone: whoever holds the job now stores its result
            except Exception as exc:  # an outcome that cannot be pickled
                conn.send(("error", f"the job's outcome could not be sent back: {exc}"))
    finally:
        store.close()


class _Executor:
    """A worker's child process for running jobs, replaced whenever it is killed."""

    def __init__(self, settings: Settings, imports: tuple[str, ...]) -> None:
        self.settings = settings
        self.imports = imports
        self.process: BaseProcess | None = None
        self.conn: Connection | None = None

    def _start(self) -> tuple[BaseProcess, Connection]:
        if self.process is None or self.conn is None:
            ours, theirs = _SPAWN.Pipe()
            process = _SPAWN.Process(
                target=_executor_main, args=(theirs, self.settings, self.imports), daemon=True
            )
            process.start()
            theirs.close()
            self.process, self.conn = process, ours
        return self.process, self.conn

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.join()
            self.process.close()
        if self.conn is not None:
            self.conn.close()
        self.process = self.conn = None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()  # the child sees the pipe close and ends
        if self.process is not None:
            self.process.join(timeout=10)
            if self.process.exitcode is None:
                self.process.kill()
                self.process.join()
            self.process.close()
        self.process = self.conn = None

    def run(self, store: Store, held: Claim, options: EngineOptions) -> tuple[str, Any]:
        """Run ``held`` in the child: ``("ok", outcome)``, ``("error", message)``, or
        ``("lost", "")`` when the claim was taken from us."""
        process, conn = self._start()
        conn.send((held.kind, held.payload))
        deadline = time.monotonic() + held.timeout_s
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self.kill()
                return "error", (
                    f"{held.kind} {held.target} passed its time limit of {held.timeout_s:g} s "
                    "and was stopped"
                )
            if conn.poll(min(options.heartbeat_s, left)):
                try:
                    reply: tuple[str, Any] = conn.recv()
                except (EOFError, OSError):
                    break
                return reply
            if not process.is_alive():
                break
            if not _still_ours(store, held, options.lease_s):
                self.kill()
                return "lost", ""
        code = process.exitcode
        self.kill()
        return "error", f"the process running {held.kind} {held.target} died (exit code {code})"


def _still_ours(store: Store, held: Claim, lease_s: float) -> bool:
    """Renew ``held``'s lease; False when the job was taken from us.

    A database that cannot be reached right now does not stop the job: finishing is guarded
    by the claim token, so the result is stored if nobody took the job over meanwhile.
    """
    try:
        return renew(store, held, lease_s)
    except (OperationalError, InterfaceError):
        return True


def _settle(store: Store, held: Claim, reply: tuple[str, Any], options: EngineOptions) -> str:
    """Store what one attempt gave; the job's state after it."""
    status, value = reply
    if status == "lost":
        return "lost"
    if status == "ok":
        try:
            with store.session() as session:
                result = get_job_kind(held.kind).commit(session, held.payload, value)
                finish(session, held, result)
        except LeaseLost:
            return "lost"
        except CastwatchError as exc:
            return fail(store, held, f"storing the result failed: {exc}", options.backoff_s)
        return "done"
    return fail(store, held, str(value), options.backoff_s)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def worker_main(
    settings: Settings,
    options: EngineOptions,
    job_ids: tuple[int, ...] | None = None,
    stop: Event | None = None,
) -> None:
    """One worker: claim and run jobs until ``stop`` is set, or, with ``job_ids``, until
    none of those is left unfinished."""
    _import_all(options.imports)
    name = worker_name()
    executor = _Executor(settings, options.imports)
    store = Store.open(settings)
    try:
        while stop is None or not stop.is_set():
            held = claim(store, name, options.lease_s, job_ids=job_ids)
            if held is None:
                if job_ids is not None and pending_count(store, job_ids) == 0:
                    return
                if stop is not None:
                    stop.wait(options.poll_s)
                else:
                    time.sleep(options.poll_s)
                continue
            _settle(store, held, executor.run(store, held, options), options)
    finally:
        executor.close()
        store.close()


def start_workers(
    settings: Settings,
    options: EngineOptions,
    job_ids: Sequence[int] | None = None,
    stop: Event | None = None,
) -> list[BaseProcess]:
    """Start ``options.workers`` worker processes; the caller joins them."""
    ids = tuple(job_ids) if job_ids is not None else None
    processes: list[BaseProcess] = [
        _SPAWN.Process(target=worker_main, args=(settings, options, ids, stop), daemon=False)
        for _ in range(max(1, options.workers))
    ]
    for process in processes:
        process.start()
    return processes


def new_stop_event() -> Event:
    """An event that stops workers started with it (``castwatch worker`` on Ctrl-C)."""
    return _SPAWN.Event()


def run_jobs(
    settings: Settings,
    job_ids: Sequence[int],
    options: EngineOptions,
    progress: Progress = no_progress,
) -> None:
    """Run ``job_ids`` to the end (done or dead) on ``options.workers`` worker processes.

    A worker that dies is not replaced: the others take over its job once its lease expires.
    ``progress("jobs", finished, total)`` is told as jobs finish.
    """
    processes = start_workers(settings, options, job_ids)
    total = len(job_ids)
    try:
        with Store.open(settings) as store:
            running = [process.sentinel for process in processes]
            while running:
                progress("jobs", total - pending_count(store, job_ids), total)
                ended = wait(running, timeout=0.5)
                running = [sentinel for sentinel in running if sentinel not in ended]
            progress("jobs", total - pending_count(store, job_ids), total)
        for process in processes:
            process.join()
    finally:
        for process in processes:
            if process.exitcode is None:
                process.kill()
                process.join()
            with contextlib.suppress(ValueError):
                process.close()
