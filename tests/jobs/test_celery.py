"""The Celery engine on the real RabbitMQ with real worker processes: settings, a pass run from
one call, and messages delivered twice storing nothing twice."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from castwatch.config import Settings
from castwatch.errors import ConfigError
from castwatch.fingerprint.store import load_verifications
from castwatch.jobs.celery_app import job_class, make_app, queue_name
from castwatch.jobs.celery_engine import Publisher, queue_counts, run_jobs
from castwatch.jobs.celery_settings import DEFAULT_BROKER_URL, celery_settings
from castwatch.jobs.engine import EngineOptions
from castwatch.jobs.queue import NewJob, enqueue, list_jobs
from castwatch.storage.db import Store
from tests.conftest import CliRunner
from tests.jobs.celery_support import IMPORTS, Workers, wait_for


@pytest.fixture()
def options(fast: EngineOptions) -> EngineOptions:
    return replace(fast, imports=IMPORTS)


def _results(store: Store) -> list[str]:
    return sorted(result.source for result in load_verifications(store))


def test_settings_come_from_jobs_toml_and_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CASTWATCH_BROKER_URL", raising=False)
    monkeypatch.delenv("CASTWATCH_QUEUE_PREFIX", raising=False)
    settings = Settings.resolve(home=tmp_path / "home", db_url="sqlite:///x.db")
    assert celery_settings(settings).broker_url == DEFAULT_BROKER_URL
    settings.ensure_home()
    (settings.home / "jobs.toml").write_text(
        '[celery]\nbroker_url = "amqp://u:p@rabbit:5672//"\nqueue_prefix = "team-a"\n'
        "max_tasks_per_child = 50\nmax_memory_per_child_mb = 512\n"
    )
    read = celery_settings(settings)
    assert (read.broker_url, read.queue_prefix) == ("amqp://u:p@rabbit:5672//", "team-a")
    assert (read.max_tasks_per_child, read.max_memory_per_child_mb) == (50, 512)
    monkeypatch.setenv("CASTWATCH_BROKER_URL", "redis://127.0.0.1:6379/0")
    assert celery_settings(settings).broker_url == "redis://127.0.0.1:6379/0"
    app = make_app(settings)
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    assert app.conf.worker_max_tasks_per_child == 50
    assert app.conf.worker_max_memory_per_child == 512 * 1024
    assert app.conf.broker_transport_options["visibility_timeout"] > app.conf.task_time_limit
    assert sorted(q.name for q in app.conf.task_queues) == [
        "team-a.captures", "team-a.checks", "team-a.ingests",
    ]  # fmt: skip
    assert job_class("ref-capture") == "captures" and job_class("ingest") == "ingests"
    assert job_class("check-stream") == "checks"
    monkeypatch.setenv("CASTWATCH_BROKER_URL", "rabbit:5672")
    with pytest.raises(ConfigError, match="has no scheme"):
        celery_settings(settings)
    monkeypatch.delenv("CASTWATCH_BROKER_URL")
    monkeypatch.setenv("CASTWATCH_MAX_TASKS_PER_CHILD", "lots")
    with pytest.raises(ConfigError, match="max_tasks_per_child"):
        celery_settings(settings)


@given(st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=30))
def test_any_queue_prefix_is_taken_or_refused_clearly(prefix: str) -> None:
    import os

    settings = Settings(home=Path("/nonexistent-castwatch-home"), db_url="sqlite://")
    saved = os.environ.get("CASTWATCH_QUEUE_PREFIX")
    os.environ["CASTWATCH_QUEUE_PREFIX"] = prefix
    try:
        try:
            read = celery_settings(settings).queue_prefix
        except ConfigError as exc:
            assert "queue prefix" in str(exc)
        else:
            assert read == (prefix.strip() or "castwatch")
            assert all(char.isalnum() or char in "-_." for char in read)
    finally:
        if saved is None:
            os.environ.pop("CASTWATCH_QUEUE_PREFIX", None)
        else:
            os.environ["CASTWATCH_QUEUE_PREFIX"] = saved


def test_run_jobs_starts_its_own_workers_and_runs_every_job_once(
    broker: str, settings: Settings, options: EngineOptions
) -> None:
    with Store.open(settings) as store:
        jobs = [NewJob("test-echo", f"t{n}", "slot-1", {"source": f"t{n}"}) for n in range(8)]
        ids = enqueue(store, jobs)
        seen: list[tuple[int, int]] = []
        run_jobs(settings, ids, options, lambda _what, done, total: seen.append((done, total)))
        finished = list_jobs(store, job_ids=ids)
        assert [job.state for job in finished] == ["done"] * 8
        assert all(job.attempts == 1 for job in finished)
        assert _results(store) == sorted(f"t{n}" for n in range(8))
        assert seen[-1] == (8, 8)
    # The local workers were stopped: nobody consumes the queues any more.
    assert queue_counts(make_app(settings))["checks"][1] == 0


@pytest.mark.postgres
def test_messages_delivered_again_after_the_jobs_are_done_store_nothing(
    broker: str,
    pg_url: str,
    tmp_path: Path,
    options: EngineOptions,
    workers: Callable[[Settings], Workers],
) -> None:
    settings = Settings.resolve(home=tmp_path / "home", db_url=pg_url)
    group = workers(settings)
    group.start(2)
    with Store.open(settings) as store:
        ids = enqueue(
            store, [NewJob("test-echo", f"e{n}", "s", {"source": f"e{n}"}) for n in range(5)]
        )
        run_jobs(settings, ids, options)
        before = list_jobs(store, job_ids=ids)
        # Every message again, twice: what a redelivery or a second publisher sends.
        app = make_app(settings)
        publisher = Publisher(app, options)
        for job in before * 2:
            assert publisher._send(job.id, job.kind, 5.0)
        checks = queue_name(app.castwatch_celery, "checks")
        wait_for(lambda: queue_counts(app)["checks"][0] == 0, f"{checks} to drain")
        wait_for(lambda: "not claimable" in group.log(), "the workers to see the repeats")
        after = list_jobs(store, job_ids=ids)
        assert [(job.state, job.attempts) for job in after] == [("done", 1)] * 5
        assert _results(store) == sorted(f"e{n}" for n in range(5))


@pytest.mark.postgres
def test_two_celery_workers_with_schedulers_fire_each_slot_once_and_run_it_once(
    broker: str, pg_url: str, tmp_path: Path
) -> None:
    import subprocess
    import sys

    from castwatch.jobs.celery_engine import stop_local_workers, worker_environment
    from castwatch.jobs.schedule import add_monitor
    from castwatch.sources.ingest import ingest

    settings = Settings.resolve(home=tmp_path / "home", db_url=pg_url)
    channels = 4
    playlist = tmp_path / "svc.m3u"
    playlist.write_text(
        "#EXTM3U\n"
        + "".join(f"#EXTINF:-1,Chan {n}\nhttp://127.0.0.1:9/live/{n}.ts\n" for n in range(channels))
    )
    with Store.open(settings) as store:
        service = ingest(store, str(playlist), "m3u", name="svc").service
        add_monitor(store, service, every_s=3600, probe_seconds=1)
    env = worker_environment(settings, make_app(settings), IMPORTS)
    command = [sys.executable, "-m", "castwatch", "worker", "--engine", "celery"]
    nodes = [
        subprocess.Popen(
            [*command, "--concurrency", "1", "--tick", "0.5", "--name", f"sched{n}"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n in range(2)
    ]
    try:
        with Store.open(settings) as store:

            def finished() -> bool:
                jobs = list_jobs(store)
                return len(jobs) >= channels and all(j.state in ("done", "dead") for j in jobs)

            wait_for(finished, "both schedulers to fire the slot and the workers to run it")
            # A few more scheduler rounds on both: nothing more is queued for this slot.
            first = list_jobs(store)
            time.sleep(2.0)  # four more rounds of each scheduler (--tick 0.5)
            assert all(node.poll() is None for node in nodes)
            wait_for(lambda: len(load_verifications(store)) >= channels, "the results")
            jobs = list_jobs(store)
            assert jobs == first
            assert len(jobs) == channels
            assert len({job.slot for job in jobs}) == 1
            assert [(job.state, job.attempts) for job in jobs] == [("done", 1)] * channels
            assert {job.result["verdict"] for job in jobs if job.result} == {"dark"}
            assert len(load_verifications(store)) == channels
    finally:
        stop_local_workers(nodes, grace_s=10)


def test_worker_refuses_unknown_engines_and_queues(cli: CliRunner) -> None:
    bad_engine = cli("worker", "--engine", "threads")
    assert bad_engine.code == 1 and "unknown engine 'threads'" in bad_engine.stderr
    bad_queue = cli("worker", "--engine", "celery", "--queues", "checks,videos")
    assert bad_queue.code == 1 and "unknown job class videos" in bad_queue.stderr
    embedded_queue = cli("worker", "--queues", "checks")
    assert embedded_queue.code == 1 and "--engine celery only" in embedded_queue.stderr


def test_the_embedded_worker_fires_a_monitor_and_runs_its_jobs_until_sigterm(
    tmp_path: Path,
) -> None:
    import signal
    import subprocess
    import sys

    from castwatch.jobs.schedule import add_monitor
    from castwatch.sources.ingest import ingest

    settings = Settings.resolve(home=tmp_path / "home", db_url=f"sqlite:///{tmp_path}/c.db")
    playlist = tmp_path / "svc.m3u"
    playlist.write_text(
        "#EXTM3U\n" + "".join(f"#EXTINF:-1,Chan {n}\nhttp://127.0.0.1:9/{n}.ts\n" for n in range(3))
    )
    with Store.open(settings) as store:
        add_monitor(store, ingest(store, str(playlist), "m3u", name="svc").service, probe_seconds=1)
    env = {**os.environ, "CASTWATCH_HOME": str(settings.home), "CASTWATCH_DB": settings.db_url}
    node = subprocess.Popen(
        [sys.executable, "-m", "castwatch", "worker", "--concurrency", "2", "--tick", "0.5"],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        with Store.open(settings) as store:
            wait_for(
                lambda: [job.state for job in list_jobs(store)] == ["done"] * 3,
                "the monitor's slot to be fired and run",
            )
            assert len(load_verifications(store)) == 3
    finally:
        node.send_signal(signal.SIGTERM)
        _out, err = node.communicate(timeout=60)
    assert node.returncode == 0, err
