"""The embedded engine with real worker processes: claims, time limits, retries, a killed worker."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

import tests.jobs.fake_kinds  # noqa: F401 - registers the test kinds in this process too
from castwatch.config import Settings
from castwatch.fingerprint.store import load_verifications
from castwatch.jobs.engine import EngineOptions, run_jobs
from castwatch.jobs.queue import NewJob, enqueue, list_jobs, retry
from castwatch.storage.db import Store


def _wait_for(condition: object, what: str, limit: float = 60.0) -> None:
    # A generous ceiling only so that a broken engine fails instead of hanging the suite.
    deadline = time.monotonic() + limit
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.02)


def _results(store: Store, source: str) -> int:
    return sum(result.source == source for result in load_verifications(store))


@pytest.fixture()
def opened(settings: Settings) -> Iterator[Store]:
    with Store.open(settings) as store:
        yield store


def test_every_job_runs_once_across_workers(
    settings: Settings, opened: Store, fast: EngineOptions
) -> None:
    jobs = [NewJob("test-echo", f"t{n}", "slot-1", {"source": f"t{n}"}) for n in range(12)]
    ids = enqueue(opened, jobs)
    run_jobs(settings, ids, replace(fast, workers=3))
    finished = list_jobs(opened, job_ids=ids)
    assert [job.state for job in finished] == ["done"] * 12
    assert all(job.attempts == 1 for job in finished)
    assert sorted(r.source for r in load_verifications(opened)) == sorted(
        f"t{n}" for n in range(12)
    )


def test_queueing_a_slot_twice_runs_it_once(
    settings: Settings, opened: Store, fast: EngineOptions
) -> None:
    job = NewJob("test-echo", "same", "2026-12-01T10", {"source": "same"})
    first = enqueue(opened, [job])
    run_jobs(settings, first, fast)
    again = enqueue(opened, [job])
    assert again == first
    run_jobs(settings, again, fast)
    assert _results(opened, "same") == 1
    assert len(list_jobs(opened)) == 1


def test_a_job_past_its_time_limit_is_stopped_and_the_worker_lives_on(
    settings: Settings, opened: Store, fast: EngineOptions, tmp_path: Path
) -> None:
    hang = NewJob(
        "test-hang", "hangs", "s", {"source": "hangs", "dir": str(tmp_path)},
        max_attempts=2, timeout_s=0.5,
    )  # fmt: skip
    after = NewJob("test-echo", "after", "s", {"source": "after"})
    ids = enqueue(opened, [hang, after])
    run_jobs(settings, ids, replace(fast, workers=1))
    hung, fine = list_jobs(opened, job_ids=ids)
    assert hung.state == "dead"
    assert hung.attempts == 2
    assert hung.error is not None and "time limit of 0.5 s" in hung.error
    # The same single worker went on to the next job.
    assert fine.state == "done"
    assert _results(opened, "hangs") == 0
    assert _results(opened, "after") == 1


def test_a_failing_job_is_retried_then_dead_with_its_error_and_can_be_retried(
    settings: Settings, opened: Store, fast: EngineOptions
) -> None:
    ids = enqueue(opened, [NewJob("test-boom", "b", "s", {"source": "b"}, max_attempts=3)])
    run_jobs(settings, ids, fast)
    (job,) = list_jobs(opened, state="dead")
    assert job.attempts == 3
    assert job.error == "ValueError: boom on b"
    again = retry(opened, job.id)
    assert again.state == "queued"
    assert again.attempts == 0
    assert list_jobs(opened, state="dead") == []


def test_retry_refuses_a_job_that_is_not_failed(opened: Store) -> None:
    from castwatch.errors import NotFound

    (job_id,) = enqueue(opened, [NewJob("test-echo", "q", "s", {"source": "q"})])
    with pytest.raises(NotFound, match="is queued, not failed or dead"):
        retry(opened, job_id)
    with pytest.raises(NotFound, match="no job 999"):
        retry(opened, 999)


def test_a_worker_killed_mid_job_is_replaced_and_one_result_is_stored(
    settings: Settings, opened: Store, fast: EngineOptions, tmp_path: Path
) -> None:
    payload = {"source": "held", "dir": str(tmp_path)}
    ids = enqueue(opened, [NewJob("test-hold", "held", "s", payload, max_attempts=3)])
    engine = threading.Thread(target=run_jobs, args=(settings, ids, fast))
    engine.start()
    try:
        _wait_for(lambda: list(tmp_path.glob("started-*")), "the first attempt to start")
        (first,) = tmp_path.glob("started-*")
        victim = int(first.read_text())
        os.kill(victim, signal.SIGKILL)
        # The other worker takes the job over once the dead worker's lease has expired.
        _wait_for(lambda: len(list(tmp_path.glob("started-*"))) == 2, "the job to run again")
        (second,) = set(tmp_path.glob("started-*")) - {first}
        assert int(second.read_text()) != victim
    finally:
        (tmp_path / "release").write_text("go")
        engine.join()
    (job,) = list_jobs(opened, job_ids=ids)
    assert job.state == "done"
    assert job.attempts == 2
    # Both attempts ran to the end (the first one's orphan was released too): one stored.
    assert _results(opened, "held") == 1
