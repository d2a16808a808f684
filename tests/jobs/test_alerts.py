"""Alerts: the rules, stored once, raised by real ingest jobs and real re-check passes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from castwatch.alerts.detect import for_check, for_watch_pass, raise_now
from castwatch.alerts.model import (
    Alert,
    AlertKind,
    Carried,
    NoticedTarget,
    carried_alerts,
    catalog_alert,
    check_alert,
    overdue_alerts,
)
from castwatch.alerts.settings import AlertSettings
from castwatch.alerts.store import list_alerts, raise_alerts
from castwatch.catalog.store import save_inventory
from castwatch.catalog.tables import EntryRow
from castwatch.config import Settings
from castwatch.enforce.settings import WatchSettings
from castwatch.enforce.watch import run_pass, seize_domain
from castwatch.jobs.builtin import INGEST, ingest_payload
from castwatch.jobs.engine import EngineOptions, run_jobs
from castwatch.jobs.queue import NewJob, enqueue, list_jobs
from castwatch.storage import reference
from castwatch.storage.db import Store
from tests.conftest import CliRunner
from tests.enforce.tracking_fixtures import SENT_AT, Site, noticed_case
from tests.enforce.tracking_fixtures import site as site
from tests.identify.test_snapshot import HOLDERS, WORKS, Registry
from tests.storage.helpers import make_inventory

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


# --- the rules ---


def test_a_check_alerts_on_confirmation_and_contradiction_only() -> None:
    confirmed = check_alert("svc", "live:1", "FR| TF1", "confirmed", "TF1.fr", "TF1.fr")
    assert confirmed is not None and confirmed.kind is AlertKind.CONFIRMED
    lie = check_alert("svc", "live:1", "FR| TF1", "contradicted", "TF1.fr", "M6.fr")
    assert lie is not None and lie.kind is AlertKind.CONTRADICTED
    assert "claims TF1.fr but carries M6.fr" in lie.message
    # The same stream carrying yet another channel is another fact.
    other = check_alert("svc", "live:1", "FR| TF1", "contradicted", "TF1.fr", "W9.fr")
    assert other is not None and other.key != lie.key
    for quiet in ("unverified", "unmatched", "dark", "error"):
        assert check_alert("svc", "live:1", "FR| TF1", quiet, "TF1.fr", None) is None


@given(
    before=st.integers(min_value=0, max_value=10**6),
    after=st.integers(min_value=0, max_value=10**6),
    threshold=st.floats(min_value=0, max_value=500, allow_nan=False),
)
def test_a_catalogue_change_alerts_exactly_past_the_threshold(
    before: int, after: int, threshold: float
) -> None:
    alert = catalog_alert("svc", 7, before, after, threshold)
    if before == 0:
        assert alert is None
        return
    moved = abs(after - before) / before * 100.0
    assert (alert is not None) == (moved > threshold)
    if alert is not None:
        assert alert.key == "catalog:svc:7"
        assert ("grew" in alert.message) == (after > before)


def test_only_tracked_holders_new_channels_and_works_are_carried_alerts() -> None:
    before = [Carried("Groupe CANAL+", frozenset({"CanalPlus.fr"}))]
    after = [
        Carried("Groupe CANAL+", frozenset({"CanalPlus.fr", "CanalPlusSport.fr"}),
                frozenset({"tt0002"})),
        Carried("beIN Media Group", frozenset({"beINSports1.qa"})),
    ]  # fmt: skip
    every = carried_alerts("svc", 2, before, after)
    assert sorted(a.key for a in every) == [
        "carried:svc:Groupe CANAL+:channel:CanalPlusSport.fr",
        "carried:svc:Groupe CANAL+:work:tt0002",
        "carried:svc:beIN Media Group:channel:beINSports1.qa",
    ]
    tracked = carried_alerts("svc", 2, before, after, tracked=["BEIN media group"])
    assert [a.data["target_id"] for a in tracked] == ["beINSports1.qa"]


def test_a_noticed_target_is_overdue_only_when_seen_up_past_the_deadline() -> None:
    def target(state: str, minutes: float, down: bool = False) -> NoticedTarget:
        return NoticedTarget(1, "op", "http://x/1.ts", "abuse@x", NOW, NOW if down else None,
                             state, NOW + timedelta(minutes=minutes))  # fmt: skip

    assert overdue_alerts([target("up", 29)], 30) == []
    (late,) = overdue_alerts([target("up", 31)], 30)
    assert late.kind is AlertKind.OVERDUE and "31 min" in late.message
    assert overdue_alerts([target("redirected", 45)], 30) != []
    assert overdue_alerts([target("gone", 45)], 30) == []
    assert overdue_alerts([target("up", 45, down=True)], 30) == []  # a relapse, not late


# --- stored once ---


def test_the_same_fact_is_stored_once_with_one_outbox_row_per_channel(store: Store) -> None:
    alert = Alert(AlertKind.CONFIRMED, "confirmed:svc:live:1:TF1.fr", "confirmed", "svc")
    with store.session() as session:
        first = raise_alerts(session, [alert, alert], ("email", "webhook"), NOW)
    with store.session() as session:
        again = raise_alerts(session, [alert], ("email", "webhook"), NOW)
    assert len(first) == 1 and again == []
    (record,) = list_alerts(store)
    assert record.kind == "confirmed" and record.raised_at == NOW
    assert [(d.channel, d.state) for d in record.deliveries] == [
        ("email", "pending"),
        ("webhook", "pending"),
    ]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_check_alert_names_the_stream_by_its_stable_key(store: Store) -> None:
    summary = save_inventory(store, make_inventory(4), "panel")
    entry_id = next(e.id for e in _entries(store, summary.id) if e.key == "live:2")
    settings = AlertSettings(webhook_url="http://127.0.0.1:9/hook")
    found = for_check(store, "panel", entry_id, "contradicted", "TF1.fr", "M6.fr",
                      {"score": 0.91}, settings)  # fmt: skip
    assert found.channels == ("webhook",)
    (alert,) = found.alerts
    assert alert.key == "contradicted:panel:live:2:M6.fr"
    assert alert.data["name"] == "FR| CHANNEL 2" and alert.data["score"] == 0.91
    assert for_check(store, "panel", entry_id, "dark", "TF1.fr", None).alerts == ()
    assert len(raise_now(store, found)) == 1 and raise_now(store, found) == []


def _entries(store: Store, snapshot_id: int) -> list[EntryRow]:
    with store.session() as session:
        return list(session.scalars(select(EntryRow).where(EntryRow.valid_from == snapshot_id)))


# --- raised by real ingest jobs ---


def _playlist(path: Path, rows: list[tuple[str, str, str]]) -> None:
    lines = ["#EXTM3U"]
    for stream_id, name, group in rows:
        lines.append(f'#EXTINF:-1 tvg-name="{name}" group-title="{group}",{name}')
        lines.append(f"http://panel.test:8080/live/u/p/{stream_id}.ts")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _ingest_job(settings: Settings, playlist: Path, slot: str) -> dict[str, object]:
    with Store.open(settings) as store:
        payload = ingest_payload(store, "panel", str(playlist), "m3u")
        (job_id,) = enqueue(store, [NewJob(INGEST, "panel", slot, payload)])
    run_jobs(settings, [job_id], EngineOptions(workers=1, poll_s=0.05))
    with Store.open(settings) as store:
        (job,) = list_jobs(store, job_ids=[job_id])
    assert job.state == "done", job.error
    assert job.result is not None
    return job.result


def test_an_ingest_job_alerts_on_new_holder_channels_and_a_grown_catalogue(
    settings: Settings, tmp_path: Path
) -> None:
    (settings.home).mkdir(parents=True, exist_ok=True)
    (settings.home / "alerts.toml").write_text("[alerts]\ncatalog_change_percent = 20\n")
    with Store.open(settings) as store:
        reference.replace_iptv_org(store, Registry(), "test")
        reference.replace_holders(store, HOLDERS, "test")
        reference.import_works(store, WORKS, "test")
    filler = [(str(100 + i), f"FR| DIVERS {i}", "FR | DIVERS") for i in range(8)]
    playlist = tmp_path / "panel.m3u"
    _playlist(playlist, [("1", "FR| CANAL+ SPORT HD", "FR | SPORTS"), *filler])
    first = _ingest_job(settings, playlist, "s1")
    assert first["alerts"] == 0  # the first read is the baseline

    more = [(str(200 + i), f"FR| AUTRE {i}", "FR | DIVERS") for i in range(2)]
    _playlist(playlist, [("1", "FR| CANAL+ SPORT HD", "FR | SPORTS"),
                         ("3", "|AR| BEIN SPORTS 1 HD", "AR | BEIN"), *filler, *more])  # fmt: skip
    second = _ingest_job(settings, playlist, "s2")
    with Store.open(settings) as store:
        raised = {a.kind: a for a in list_alerts(store)}
    assert second["alerts"] == 2 and set(raised) == {"carried", "catalog-change"}
    assert raised["carried"].data["target_id"] == "beINSports1.qa"
    assert raised["carried"].data["holder"] == "beIN Media Group"
    assert raised["catalog-change"].data == {
        "snapshot": second["snapshot"], "before": 9, "after": 12, "percent": 33.33,
    }  # fmt: skip

    # Read again unchanged: no new fact, no new alert (a retried job would find the same).
    third = _ingest_job(settings, playlist, "s3")
    assert third["alerts"] == 0
    with Store.open(settings) as store:
        assert len(list_alerts(store)) == 2


# --- raised by real re-check passes ---


def _watch(site: Site) -> WatchSettings:
    return WatchSettings(legal_offer_url=f"{site.base}/legal-offer/", timeout=3.0,
                         max_bytes=4096, concurrency=4)  # fmt: skip


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_rechecks_alert_on_overdue_targets_relapses_and_a_lapsed_seizure(
    store: Store, site: Site
) -> None:
    noticed_case(store, store.settings.home, site)
    settings = AlertSettings(takedown_deadline_minutes=30)
    up = run_pass(store, _watch(site), "op-falcon", at=SENT_AT + timedelta(minutes=20))
    assert raise_now(store, for_watch_pass(store, up, settings)) == []  # not late yet

    late = run_pass(store, _watch(site), "op-falcon", at=SENT_AT + timedelta(minutes=90))
    overdue = raise_now(store, for_watch_pass(store, late, settings))
    assert len(overdue) == 7  # six URLs and their host, all still up
    assert {a.kind for a in list_alerts(store)} == {"overdue"}
    again = run_pass(store, _watch(site), "op-falcon", at=SENT_AT + timedelta(minutes=120))
    assert raise_now(store, for_watch_pass(store, again, settings)) == []  # alerted once

    site.mode = "404"
    run_pass(store, _watch(site), "op-falcon", at=SENT_AT + timedelta(hours=3))
    site.mode = "up"
    back = run_pass(store, _watch(site), "op-falcon", at=SENT_AT + timedelta(hours=4))
    relapses = raise_now(store, for_watch_pass(store, back, settings))
    assert len(relapses) == 6  # the URLs: the host never went down
    assert {a.kind for a in list_alerts(store, ids=relapses)} == {"relapse"}

    target, _ = seize_domain(store, "op-falcon", f"127.0.0.1:{site.port}")
    site.mode = "redirect-legal"
    seized = run_pass(store, _watch(site), "op-falcon", at=SENT_AT + timedelta(hours=5))
    raise_now(store, for_watch_pass(store, seized, settings))
    site.mode = "up"
    lapsed = run_pass(store, _watch(site), "op-falcon", at=SENT_AT + timedelta(hours=6))
    new = raise_now(store, for_watch_pass(store, lapsed, settings))
    kinds = sorted(a.kind for a in list_alerts(store, ids=new))
    assert "seizure-lapsed" in kinds
    (lapse,) = list_alerts(store, kind="seizure-lapsed")
    assert lapse.data["target_id"] == target.id and lapse.case == "op-falcon"


# --- the command ---


def test_castwatch_alerts_lists_them_and_deliver_says_what_is_configured(
    cli: CliRunner, tmp_path: Path
) -> None:
    settings = Settings.resolve()
    with Store.open(settings) as store, store.session() as session:
        raise_alerts(
            session,
            [Alert(AlertKind.CONFIRMED, "confirmed:p:live:1:TF1.fr", "p: stream is TF1", "p"),
             Alert(AlertKind.OVERDUE, "overdue:4", "case op: still up", case="op")],
            ("webhook",), NOW,
        )  # fmt: skip
    listed = cli("alerts", "--json")
    assert listed.code == 0, listed.stderr
    document = listed.json()
    assert isinstance(document, list)
    assert [a["kind"] for a in document] == ["overdue", "confirmed"]
    assert document[0]["deliveries"][0]["state"] == "pending"
    only = cli("alerts", "--kind", "confirmed", "--json").json()
    assert isinstance(only, list) and [a["key"] for a in only] == ["confirmed:p:live:1:TF1.fr"]
    text = cli("alerts")
    assert text.code == 0 and "still up" in text.stdout
    bad = cli("alerts", "--kind", "nonsense")
    assert bad.code == 2
    deliver = cli("alerts", "deliver", "--json")
    assert deliver.code == 0 and deliver.json() == {
        "sent": {}, "errors": {}, "pending": 2, "channels": [],
    }  # fmt: skip
