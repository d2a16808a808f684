"""Schedules: monitors and events, their slots, and two schedulers firing them at once."""

from __future__ import annotations

import contextlib
import multiprocessing
from datetime import UTC, datetime, timedelta
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from castwatch.config import Settings
from castwatch.errors import ConfigError, NotFound
from castwatch.jobs.builtin import CHECK_STREAM, INGEST
from castwatch.jobs.queue import list_jobs
from castwatch.jobs.schedule import (
    add_event,
    add_monitor,
    fire_due,
    get_monitor,
    list_monitors,
    parse_duration,
    parse_moment,
    remove_monitor,
    slot_name,
    slot_start,
)
from castwatch.sources.ingest import ingest
from castwatch.storage.db import Store

_SPAWN = multiprocessing.get_context("spawn")
CHANNELS = 6


def _playlist(tmp_path: Path) -> Path:
    lines = ["#EXTM3U"]
    for n in range(1, CHANNELS + 1):
        lines += [
            f'#EXTINF:-1 tvg-id="Chan{n}.fr" group-title="Sport",Chan {n} HD',
            f"http://127.0.0.1:9/live/u/p/{n}.ts",
        ]
    path = tmp_path / "service.m3u"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture()
def watched(store: Store, tmp_path: Path) -> str:
    summary = ingest(store, str(_playlist(tmp_path)), "m3u", name="svc")
    return summary.service


def test_durations_and_moments_are_read_or_refused() -> None:
    assert parse_duration("1h") == 3600
    assert parse_duration("1h30m") == 5400
    assert parse_duration("24h") == parse_duration("1d")
    for bad in ("", "h", "1x", "-5m", "0s", "5 m m", "1h-"):
        with pytest.raises(ConfigError):
            parse_duration(bad)
    assert parse_moment("2026-12-06T20:45Z") == datetime(2026, 12, 6, 20, 45, tzinfo=UTC)
    assert parse_moment("2026-12-06 21:45+01:00") == datetime(2026, 12, 6, 20, 45, tzinfo=UTC)
    assert parse_moment("2026-12-06T20:45") == datetime(2026, 12, 6, 20, 45, tzinfo=UTC)
    with pytest.raises(ConfigError):
        parse_moment("next tuesday")


@given(st.lists(st.tuples(st.integers(1, 10_000), st.sampled_from("smhd")), min_size=1, max_size=4))
def test_a_written_duration_reads_back(parts: list[tuple[int, str]]) -> None:
    size = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    text = "".join(f"{number}{unit}" for number, unit in parts)
    assert parse_duration(text) == sum(number * size[unit] for number, unit in parts)


@given(st.text(max_size=30))
def test_any_text_is_a_duration_or_a_config_error(text: str) -> None:
    with contextlib.suppress(ConfigError):
        assert parse_duration(text) > 0


@given(st.datetimes(timezones=st.just(UTC)))
def test_a_moment_reads_back(moment: datetime) -> None:
    assert parse_moment(moment.isoformat()) == moment


@given(st.text(max_size=40))
def test_any_text_is_a_moment_or_a_config_error(text: str) -> None:
    with contextlib.suppress(ConfigError):
        assert parse_moment(text).tzinfo is not None


def test_slots_are_aligned_on_the_epoch_and_on_an_event_s_start() -> None:
    now = datetime(2026, 12, 6, 20, 47, 13, tzinfo=UTC)
    assert slot_name(slot_start(now, 3600)) == "2026-12-06T20:00:00Z"
    origin = datetime(2026, 12, 6, 20, 44, tzinfo=UTC)
    assert slot_name(slot_start(now, 300, origin)) == "2026-12-06T20:44:00Z"


def test_monitors_and_events_are_added_listed_shown_and_removed(store: Store, watched: str) -> None:
    add_monitor(store, watched, every_s=3600, streams="all", probe_seconds=10)
    replaced = add_monitor(store, watched, every_s=1800, streams="1,2", probe_seconds=5)
    assert (replaced.every_s, replaced.streams) == (1800, "1,2")
    start = datetime(2026, 12, 6, 20, 45, tzinfo=UTC)
    event = add_event(
        store, "PSG-OM", None, streams="all", starts_at=start, ends_at=start + timedelta(hours=2)
    )
    assert event.service == watched
    assert [(i.kind, i.name) for i in list_monitors(store)] == [
        ("monitor", watched),
        ("event", "PSG-OM"),
    ]
    assert get_monitor(store, "PSG-OM").kind == "event"
    remove_monitor(store, "PSG-OM")
    remove_monitor(store, watched)
    assert list_monitors(store) == []
    with pytest.raises(NotFound):
        get_monitor(store, watched)
    with pytest.raises(ConfigError):
        add_monitor(store, watched, every_s=3600, reingest_s=86400)  # nothing to re-read
    with pytest.raises(ConfigError):
        add_event(store, "late", watched, streams="all", starts_at=start, ends_at=start)


def test_each_slot_is_fired_once_and_events_only_in_their_window(
    store: Store, watched: str, tmp_path: Path
) -> None:
    add_monitor(
        store, watched, every_s=3600, probe_seconds=10, reingest_s=86400,
        url=str(_playlist(tmp_path)),
    )  # fmt: skip
    start = datetime(2026, 12, 6, 20, 45, tzinfo=UTC)
    add_event(
        store, "PSG-OM", watched, streams="1,2", starts_at=start,
        ends_at=start + timedelta(hours=2), every_s=300,
    )  # fmt: skip
    before = start - timedelta(minutes=30)  # 20:15: the monitor's 20:00 slot, no event yet
    first = fire_due(store, before)
    assert len(first) == CHANNELS + 1  # every stream, and the day's re-read
    assert fire_due(store, before + timedelta(minutes=1)) == []  # the same slots: nothing new
    during = start + timedelta(minutes=7)  # 20:52: the event's 20:50 slot
    assert len(fire_due(store, during)) == 2
    jobs = list_jobs(store)
    assert sorted({job.slot for job in jobs if job.kind == CHECK_STREAM}) == [
        "2026-12-06T20:00:00Z",
        "2026-12-06T20:50:00Z",
    ]
    assert [job.target for job in jobs if job.kind == INGEST] == [watched]
    assert fire_due(store, start + timedelta(hours=3)) != []  # 23:45: the next hour's slot
    assert len({(job.kind, job.target, job.slot) for job in list_jobs(store)}) == len(
        list_jobs(store)
    )


def _fire(settings: Settings, moment: str, barrier: Barrier, results: object) -> None:
    with Store.open(settings) as store:
        barrier.wait()
        ids = fire_due(store, datetime.fromisoformat(moment))
    results.put(sorted(ids))  # type: ignore[attr-defined]


@pytest.mark.postgres
def test_two_schedulers_firing_at_once_store_one_job_per_slot(pg_url: str, tmp_path: Path) -> None:
    settings = Settings.resolve(home=tmp_path / "home", db_url=pg_url)
    with Store.open(settings) as store:
        service = ingest(store, str(_playlist(tmp_path)), "m3u", name="svc").service
        add_monitor(store, service, every_s=3600, probe_seconds=10)
    moment = datetime(2026, 12, 6, 20, 15, tzinfo=UTC).isoformat()
    barrier = _SPAWN.Barrier(2)
    results = _SPAWN.Queue()
    schedulers = [
        _SPAWN.Process(target=_fire, args=(settings, moment, barrier, results)) for _ in range(2)
    ]
    for process in schedulers:
        process.start()
    fired = [results.get(timeout=120) for _ in schedulers]
    for process in schedulers:
        process.join(timeout=60)
        assert process.exitcode == 0
    with Store.open(settings) as store:
        jobs = list_jobs(store)
    assert len(jobs) == CHANNELS
    assert {job.slot for job in jobs} == {"2026-12-06T20:00:00Z"}
    assert any(fired)
    # Each scheduler saw the slot's jobs (queued by it or by the other), the same ones.
    assert [ids for ids in fired if ids] == [sorted(job.id for job in jobs)] * len(
        [ids for ids in fired if ids]
    )
