"""Faults on the distributed engine, for real: RabbitMQ and PostgreSQL on 127.0.0.1, real
``castwatch worker --engine celery`` processes, real signals and real dropped connections.

A worker SIGKILLed mid-job: the job runs again elsewhere and one result is stored. The
broker going away mid-pass (every connection dropped by a proxy, then let back in): the pass
completes. The database unreachable for 30 s: workers back off and resume. Hostile streams:
each check ends with a clear error inside its limits and the workers live on. A job failing
every attempt: ``dead`` with its last error.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from castwatch.config import Settings
from castwatch.fingerprint.store import load_verifications
from castwatch.jobs.celery_engine import run_jobs
from castwatch.jobs.engine import EngineOptions
from castwatch.jobs.queue import NewJob, enqueue, list_jobs
from castwatch.storage.db import Store
from tests.conftest import CliRunner
from tests.jobs.celery_support import IMPORTS, TcpProxy, Workers, started, wait_for

pytestmark = pytest.mark.postgres

#: Leases long enough that a loaded machine's late heartbeat is not taken for a lost worker.
OPTIONS = EngineOptions(
    workers=2, lease_s=3.0, heartbeat_s=0.3, poll_s=0.05, backoff_s=0.1, imports=IMPORTS
)
#: The database outage of the issue.
DB_OUTAGE_S = 30.0


@pytest.fixture()
def pg_settings(pg_url: str, tmp_path: Path) -> Settings:
    return Settings.resolve(home=tmp_path / "home", db_url=pg_url)


@pytest.fixture()
def opened(pg_settings: Settings) -> Iterator[Store]:
    with Store.open(pg_settings) as store:
        yield store


def _results(store: Store) -> list[str]:
    return sorted(result.source for result in load_verifications(store))


class _Pass(threading.Thread):
    """``run_jobs`` in the background, as ``monitor run-once`` runs it; re-raises its error."""

    def __init__(self, settings: Settings, ids: list[int], options: EngineOptions) -> None:
        super().__init__(daemon=True)
        self.args_ = (settings, ids, options)
        self.error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            run_jobs(*self.args_)
        except BaseException as exc:
            self.error = exc

    def finish(self, limit: float = 240.0) -> None:
        self.join(limit)
        assert not self.is_alive(), "the pass did not end"
        if self.error is not None:
            raise self.error


def _done(store: Store, ids: list[int]) -> int:
    return sum(job.state == "done" for job in list_jobs(store, job_ids=ids))


def _parent_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("PPid:"):
            return int(line.split()[1])
    raise AssertionError(f"no parent for {pid}")


def test_a_worker_sigkilled_mid_job_its_job_runs_again_elsewhere_and_one_result_is_stored(
    broker: str,
    pg_settings: Settings,
    opened: Store,
    tmp_path: Path,
    workers: Callable[[Settings], Workers],
) -> None:
    group = workers(pg_settings)
    nodes = group.start(2)
    payload = {"source": "held", "dir": str(tmp_path)}
    ids = enqueue(opened, [NewJob("test-hold", "held", "s", payload, max_attempts=4)])
    work = _Pass(pg_settings, ids, OPTIONS)
    try:
        wait_for(lambda: started(tmp_path), "the first attempt to start")
        (first,) = started(tmp_path)
        pool_child = int(first.read_text())  # the executor's parent
        node = _parent_of(pool_child)
        assert node in {process.pid for process in nodes}
        os.kill(node, signal.SIGKILL)  # the whole worker: its pool child dies with it
        wait_for(lambda: len(started(tmp_path)) >= 2, "the job to run again")
        second = next(path for path in started(tmp_path) if path != first)
        assert _parent_of(int(second.read_text())) != node
    finally:
        (tmp_path / "release").write_text("go")
    work.finish()
    (job,) = list_jobs(opened, job_ids=ids)
    assert job.state == "done"
    assert job.attempts >= 2
    # The first attempt's executor ran to the end too, and stored nothing.
    assert _results(opened) == ["held"]


def test_the_broker_going_away_mid_pass_the_pass_completes(
    broker: str,
    pg_settings: Settings,
    opened: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    workers: Callable[[Settings], Workers],
    proxy: Callable[[str], TcpProxy],
) -> None:
    rabbit = proxy(broker)
    monkeypatch.setenv("CASTWATCH_BROKER_URL", rabbit.url_for(broker))
    workers(pg_settings).start(2)
    naps = [
        NewJob("test-nap", f"n{n}", "s", {"source": f"n{n}", "dir": str(tmp_path), "seconds": 0.3})
        for n in range(16)
    ]
    ids = enqueue(opened, naps)
    work = _Pass(pg_settings, ids, OPTIONS)
    wait_for(lambda: _done(opened, ids) >= 3, "the pass to get going")
    rabbit.cut()  # every worker's and the publisher's connection drops
    time.sleep(3.0)  # how long the broker stays away
    assert _done(opened, ids) < len(ids)
    rabbit.restore()
    work.finish()
    assert [job.state for job in list_jobs(opened, job_ids=ids)] == ["done"] * len(ids)
    assert _results(opened) == sorted(f"n{n}" for n in range(16))


def test_the_database_unreachable_for_30_s_workers_back_off_and_resume(
    broker: str,
    pg_url: str,
    pg_settings: Settings,
    opened: Store,
    tmp_path: Path,
    workers: Callable[[Settings], Workers],
    proxy: Callable[[str], TcpProxy],
) -> None:
    database = proxy(pg_url)
    # The workers reach PostgreSQL through the proxy; the test watches it directly.
    behind = Settings.resolve(home=pg_settings.home, db_url=database.url_for(pg_url))
    group = workers(behind)
    nodes = group.start(2)
    naps = [
        NewJob(
            "test-nap", f"d{n}", "s", {"source": f"d{n}", "dir": str(tmp_path), "seconds": 0.3},
            max_attempts=5,
        )
        for n in range(12)
    ]  # fmt: skip
    ids = enqueue(opened, naps)
    work = _Pass(pg_settings, ids, OPTIONS)
    wait_for(lambda: _done(opened, ids) >= 2, "the pass to get going")
    database.cut()
    time.sleep(DB_OUTAGE_S)  # the outage
    stalled = _done(opened, ids)
    assert stalled < len(ids)
    assert all(node.poll() is None for node in nodes), "a worker died of the outage"
    database.restore()
    work.finish()
    assert [job.state for job in list_jobs(opened, job_ids=ids)] == ["done"] * len(ids)
    assert _results(opened) == sorted(f"d{n}" for n in range(12))
    assert all(node.poll() is None for node in nodes)


def test_a_job_failing_every_attempt_is_dead_with_its_last_error_and_a_hang_is_stopped(
    broker: str,
    pg_settings: Settings,
    opened: Store,
    tmp_path: Path,
    workers: Callable[[Settings], Workers],
    cli: CliRunner,
) -> None:
    nodes = workers(pg_settings).start(1)
    boom = NewJob("test-boom", "b", "s", {"source": "b"}, max_attempts=3)
    hang = NewJob(
        "test-hang", "h", "s", {"source": "h", "dir": str(tmp_path)}, max_attempts=2, timeout_s=1.0
    )
    after = NewJob("test-echo", "after", "s", {"source": "after"})
    ids = enqueue(opened, [boom, hang, after])
    _Pass(pg_settings, ids, replace(OPTIONS, workers=1)).finish()
    failed, hung, fine = list_jobs(opened, job_ids=ids)
    assert (failed.state, failed.attempts, failed.error) == ("dead", 3, "ValueError: boom on b")
    assert (hung.state, hung.attempts) == ("dead", 2)
    assert hung.error is not None and "time limit of 1 s" in hung.error
    assert fine.state == "done"
    assert [job.id for job in list_jobs(opened, state="dead")] == [failed.id, hung.id]
    shown = cli("--db", pg_settings.db_url, "jobs", "--state", "dead", "--json")
    assert shown.code == 0, shown.stderr
    dead: Any = shown.json()
    assert [(job["id"], job["error"]) for job in dead] == [
        (failed.id, "ValueError: boom on b"), (hung.id, hung.error),
    ]  # fmt: skip
    assert _results(opened) == ["after"]
    assert nodes[0].poll() is None  # the one worker lived through all of it


def test_hostile_streams_fail_clearly_inside_their_limits_and_the_workers_live_on(
    broker: str,
    pg_settings: Settings,
    opened: Store,
    tmp_path: Path,
    workers: Callable[[Settings], Workers],
) -> None:
    from castwatch.jobs.monitor import queue_pass
    from castwatch.sources.ingest import ingest
    from tests.sources.hls_media import HlsApp, serving

    hostile = {
        "/endless.ts": "",  # endless: stopped by the byte cap or the probe length
        "/endless/index.m3u8": "playlist is over",
        "/encrypted/index.m3u8": "AES-128",
        "/loop/a.m3u8": "loop",
        "/huge/index.m3u8": "30,000 segments",
        "/stale/index.m3u8": "",  # a live playlist that never moves: a timeout
    }
    nodes = workers(pg_settings).start(2)
    with serving(HlsApp()) as url:
        playlist = tmp_path / "hostile.m3u"
        playlist.write_text(
            "#EXTM3U\n"
            + "".join(f"#EXTINF:-1,Hostile {n}\n{url}{path}\n" for n, path in enumerate(hostile))
        )
        ingest(opened, str(playlist), "m3u", name="hostile")
        ids = queue_pass(opened, "hostile", "hostile-1", probe_seconds=3.0)
        assert len(ids) == len(hostile)
        _Pass(pg_settings, ids, OPTIONS).finish()
    jobs = list_jobs(opened, job_ids=ids)
    by_path = {}
    for job in jobs:
        result = job.result or {}
        assert job.state == "done", job.error
        assert result["verdict"] in ("dark", "error"), result
        assert result["error"], result
        by_path[job.target] = result["error"]
    errors = list(by_path.values())
    for expected in filter(None, hostile.values()):
        assert any(expected in error for error in errors), (expected, errors)
    assert all(node.poll() is None for node in nodes)
