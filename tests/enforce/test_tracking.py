"""Re-checks against a real site on 127.0.0.1: up, gone, back; seizures; time to takedown."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from castwatch.catalog.cases import CaseStatus, EventKind
from castwatch.catalog.notices import NoticeStatus
from castwatch.catalog.tracking import CheckState, TargetKind
from castwatch.enforce.cases import show_case
from castwatch.enforce.settings import WatchSettings
from castwatch.enforce.store_notices import mark_notice
from castwatch.enforce.store_tracking import find_targets, list_targets, load_checks
from castwatch.enforce.tables import WatchCheckRow
from castwatch.enforce.tracking import takedown_report
from castwatch.enforce.watch import run_pass, seize_domain
from castwatch.errors import EnforcementError
from castwatch.storage.db import Store
from tests.enforce.tracking_fixtures import PASSWORD, SENT_AT, Site, noticed_case
from tests.enforce.tracking_fixtures import site as site


def _settings(site: Site, legal: bool = True) -> WatchSettings:
    offer = f"{site.base}/legal-offer/" if legal else None
    return WatchSettings(legal_offer_url=offer, timeout=3.0, max_bytes=4096, concurrency=4)


def _hours(n: float) -> timedelta:
    return timedelta(hours=n)


def _checks(store: Store) -> int:
    with store.session() as session:
        return int(session.scalar(select(func.count()).select_from(WatchCheckRow)) or 0)


def test_a_target_goes_down_then_comes_back_and_the_case_relapses(store: Store, site: Site) -> None:
    notice_id = noticed_case(store, store.settings.home, site)
    settings = _settings(site)

    first = run_pass(store, settings, "op-falcon", at=SENT_AT + _hours(1))
    assert first.added == 7 and first.checked == 7  # six URLs and their host
    assert {c.after for c in first.changes} == {CheckState.UP}
    assert {c.before for c in first.changes} == {CheckState.PENDING}
    # The account was put back into the URL for the request, and kept out of what is stored.
    assert "/movie/alice/s3cret-pass/0.ts" in site.paths
    url_target = next(t for t in list_targets(store) if t.kind is TargetKind.URL)
    (check,) = load_checks(store, url_target.id)
    assert check.http_status == 200 and check.addresses == ["127.0.0.1"]
    assert check.final_url is not None and "{username}" in check.final_url
    assert PASSWORD not in check.final_url

    # Nothing changed: a second pass stores its checks and reports nothing, writes no event.
    events_before = len(show_case(store, "op-falcon").events)
    again = run_pass(store, settings, "op-falcon", at=SENT_AT + _hours(2))
    assert again.added == 0 and again.changes == []
    assert _checks(store) == 14
    assert len(show_case(store, "op-falcon").events) == events_before

    site.mode = "404"
    gone = run_pass(store, settings, "op-falcon", at=SENT_AT + _hours(3))
    assert (
        sorted((c.kind, c.after) for c in gone.changes) == [(TargetKind.URL, CheckState.GONE)] * 6
    )
    assert {c.event for c in gone.changes} == {"target-down"}
    mark_notice(store, notice_id, NoticeStatus.ACTIONED)
    assert show_case(store, "op-falcon").status is CaseStatus.ACTIONED

    site.stop()  # nothing listens: the host is gone too
    refused = run_pass(store, settings, "op-falcon", at=SENT_AT + _hours(4))
    assert [(c.kind, c.after) for c in refused.changes] == [(TargetKind.HOST, CheckState.GONE)]
    assert show_case(store, "op-falcon").status is CaseStatus.ACTIONED

    report = takedown_report(store, "op-falcon")
    (recipient,) = report.by_recipient
    assert recipient.group == "abuse@host.example"
    assert (recipient.targets, recipient.down, recipient.relapsed) == (7, 7, 0)
    assert recipient.median_s == 3 * 3600 and recipient.max_s == 4 * 3600
    assert recipient.min_s == 3 * 3600
    assert [f.group for f in report.by_intermediary] == ["host"]

    site.start()
    site.mode = "up"
    back = run_pass(store, settings, "op-falcon", at=SENT_AT + _hours(5))
    assert len(back.changes) == 7 and {c.event for c in back.changes} == {"target-relapsed"}
    case = show_case(store, "op-falcon")
    assert case.status is CaseStatus.RELAPSED
    kinds = [e.kind for e in case.events]
    assert kinds.count(EventKind.TARGET_DOWN) == 7
    assert kinds.count(EventKind.TARGET_RELAPSED) == 7
    moves = [e.data for e in case.events if e.kind is EventKind.STATUS]
    assert moves[-1] == {"from": "actioned", "to": "relapsed"} and len(moves) == 4
    relapsed = takedown_report(store, "op-falcon").by_recipient[0]
    assert relapsed.relapsed == 7 and relapsed.median_s == 3 * 3600


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_410_counts_as_gone_and_checks_before_the_notice_do_not_count(
    store: Store, site: Site
) -> None:
    noticed_case(store, store.settings.home, site)
    site.mode = "410"
    early = run_pass(store, _settings(site), "op-falcon", at=SENT_AT - _hours(1))
    assert {c.after for c in early.changes if c.kind is TargetKind.URL} == {CheckState.GONE}
    report = takedown_report(store, "op-falcon")
    assert report.by_recipient[0].down == 0  # found gone before the notice went out
    run_pass(store, _settings(site), "op-falcon", at=SENT_AT + timedelta(minutes=30))
    figure = takedown_report(store, "op-falcon").by_intermediary[0]
    assert figure.down == 6 and figure.median_s == 1800


def test_a_seized_domain_must_lead_to_the_legal_offer(store: Store, site: Site) -> None:
    noticed_case(store, store.settings.home, site)
    target, created = seize_domain(store, "op-falcon", f"127.0.0.1:{site.port}")
    assert created and target.probe_url == f"{site.base}/"
    assert seize_domain(store, "op-falcon", f"http://127.0.0.1:{site.port}")[1] is False
    assert "127.0.0.1" in [s.ref for s in show_case(store, "op-falcon").subjects]

    site.mode = "redirect-legal"
    seized = run_pass(store, _settings(site), "op-falcon", at=SENT_AT + _hours(1))
    change = next(c for c in seized.changes if c.target_id == target.id)
    assert change.after is CheckState.SEIZED and change.event == "seizure-confirmed"
    (check,) = load_checks(store, target.id)
    assert check.redirects == [{"status": 302, "url": f"{site.base}/"}]
    assert check.final_url == f"{site.base}/legal-offer/fr" and check.http_status == 200

    site.mode = "up"
    lapsed = run_pass(store, _settings(site), "op-falcon", at=SENT_AT + _hours(2))
    change = next(c for c in lapsed.changes if c.target_id == target.id)
    assert change.after is CheckState.UP and change.event == "seizure-lapsed"
    kinds = [e.kind for e in show_case(store, "op-falcon").events]
    assert EventKind.DOMAIN_SEIZED in kinds and EventKind.SEIZURE_LAPSED in kinds

    # Without the legal-offer page configured, a seizure cannot be judged: inconclusive.
    unknown = run_pass(store, _settings(site, legal=False), "op-falcon",
                       at=SENT_AT + _hours(3))  # fmt: skip
    change = next(c for c in unknown.changes if c.target_id == target.id)
    assert change.after is CheckState.ERROR and "legal_offer_url" in (change.error or "")
    assert target.id in [t.id for t in find_targets(store, "127.0.0.1")]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_domain_that_no_longer_resolves_records_the_dns_answer(store: Store, site: Site) -> None:
    noticed_case(store, store.settings.home, site)
    target, _ = seize_domain(store, "op-falcon", "seized-site.invalid")
    run_pass(store, _settings(site), "op-falcon", at=SENT_AT + _hours(1))
    (check,) = load_checks(store, target.id)
    assert check.addresses == [] and check.dns_error and "seized-site.invalid" in check.dns_error
    # NXDOMAIN is "gone"; a resolver that cannot answer at all leaves it inconclusive.
    assert check.state in (CheckState.GONE, CheckState.ERROR)
    with pytest.raises(EnforcementError, match="only http and https"):
        seize_domain(store, "op-falcon", "ftp://seized.example/")
