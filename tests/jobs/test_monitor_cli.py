"""``castwatch monitor`` and ``castwatch jobs`` through the real entry point."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from castwatch.config import Settings
from castwatch.jobs.queue import NewJob, claim, enqueue, fail
from castwatch.storage.db import Store
from tests.conftest import CliRunner


def _service(cli: CliRunner, tmp_path: Path) -> None:
    playlist = tmp_path / "svc.m3u"
    playlist.write_text(
        "#EXTM3U\n"
        '#EXTINF:-1 tvg-id="One.fr" group-title="Sport",One HD\nhttp://127.0.0.1:9/live/1.ts\n'
        '#EXTINF:-1 tvg-id="Two.fr" group-title="Sport",Two HD\nhttp://127.0.0.1:9/live/2.ts\n'
    )
    assert cli("ingest", str(playlist), "--kind", "m3u", "--name", "svc").code == 0


def test_monitors_are_added_shown_listed_and_removed(cli: CliRunner, tmp_path: Path) -> None:
    _service(cli, tmp_path)
    added: Any = cli("monitor", "add", "svc", "--every", "30m", "--json").json()
    assert (added["service"], added["every_s"], added["streams"]) == ("svc", 1800.0, "all")
    event = cli(
        "monitor", "event", "final", "--streams", "all", "--from", "2026-12-06T20:45Z",
        "--to", "2026-12-06T22:45Z", "--json",
    )  # fmt: skip
    assert event.code == 0, event.stderr
    listed: Any = cli("monitor", "list", "--json").json()
    assert [(m["kind"], m["name"]) for m in listed] == [("monitor", "svc"), ("event", "final")]
    shown: Any = cli("monitor", "show", "final", "--json").json()
    assert shown["every_s"] == 300.0 and shown["last_pass"] is None
    assert cli("monitor", "add", "svc", "--every", "soon").code == 1
    assert cli("monitor", "add", "nosuch").code == 1
    assert cli("monitor", "remove", "final").code == 0
    assert cli("monitor", "remove", "final").code == 1
    assert cli("monitor", "run-once", "svc", "--engine", "carrier-pigeon").code == 1


def test_jobs_are_listed_by_state_and_a_dead_one_retried(cli: CliRunner) -> None:
    with Store.open(Settings.resolve()) as store:
        (job_id,) = enqueue(store, [NewJob("ingest", "svc", "s1", {}, max_attempts=1)])
        held = claim(store, "test-worker", 30.0)
        assert held is not None
        assert fail(store, held, "the panel refused the account", 0.0) == "dead"
    dead: Any = cli("jobs", "--state", "dead", "--json").json()
    assert [(j["id"], j["error"]) for j in dead] == [(job_id, "the panel refused the account")]
    assert cli("jobs", "--state", "done", "--json").json() == []
    assert cli("jobs", "--state", "sleeping").code == 1
    assert cli("jobs", "retry", str(job_id)).code == 0
    again: Any = cli("jobs", "--json").json()
    assert again[0]["state"] == "queued" and again[0]["attempts"] == 0
    assert cli("jobs", "retry", str(job_id)).code == 1  # queued: nothing to retry
    assert cli("jobs", "retry", "999").code == 1


def test_capture_all_refuses_a_bad_list(cli: CliRunner, tmp_path: Path) -> None:
    listing = tmp_path / "refs.json"
    listing.write_text('[{"channel_id": "One.fr"}]')
    result = cli("ref", "capture-all", str(listing), "--minutes", "0.1")
    assert result.code == 1 and "no http(s) url" in result.stderr
