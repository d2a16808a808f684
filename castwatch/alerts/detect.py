"""Find the alerts in what the stages just did: a stream check, an ingest, a re-check pass.

Each ``for_*`` function reads what it needs and returns :class:`PendingAlerts`: the alerts and
the channels configured now, picklable, so a job finds them in its worker child (the slow
part) and stores them in the transaction that marks the job done (:meth:`PendingAlerts.
raise_in`, from ``JobKind.commit``): an alert is stored exactly when the job's result is, and a
job run twice raises it once. Outside a job, :func:`raise_now` stores them in a transaction
of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from castwatch.alerts.model import (
    Alert,
    Carried,
    NoticedTarget,
    TargetChange,
    carried_alerts,
    catalog_alert,
    check_alert,
    overdue_alerts,
    relapse_alert,
    watch_alerts,
)
from castwatch.alerts.settings import AlertSettings, load_alert_settings
from castwatch.alerts.store import entry_labels, previous_snapshot_id, raise_alerts
from castwatch.storage.db import Store

if TYPE_CHECKING:
    from castwatch.attribute.collect import AttributionSummary
    from castwatch.enforce.watch import PassReport


@dataclass(slots=True, frozen=True)
class PendingAlerts:
    """Alerts found and not stored yet, with the delivery channels to queue them on."""

    alerts: tuple[Alert, ...] = ()
    channels: tuple[str, ...] = ()

    def raise_in(self, session: Session, now: datetime | None = None) -> list[int]:
        """Store the new ones in ``session``'s transaction; their ids."""
        return raise_alerts(session, self.alerts, self.channels, now) if self.alerts else []


@dataclass(slots=True)
class _Found:
    settings: AlertSettings
    alerts: list[Alert] = field(default_factory=list)

    def pending(self) -> PendingAlerts:
        return PendingAlerts(tuple(self.alerts), self.settings.channels)


def _start(store: Store, settings: AlertSettings | None) -> _Found:
    return _Found(settings or load_alert_settings(store.settings.home))


def raise_now(store: Store, pending: PendingAlerts) -> list[int]:
    """Store ``pending`` in a transaction of its own; the new alerts' ids."""
    if not pending.alerts:
        return []
    with store.session() as session:
        return pending.raise_in(session)


def for_check(
    store: Store,
    service: str,
    entry_id: int,
    verdict: str,
    claimed: str | None,
    matched: str | None,
    details: dict[str, Any] | None = None,
    settings: AlertSettings | None = None,
) -> PendingAlerts:
    """``confirmed`` / ``contradicted`` for one ``check-stream`` result."""
    found = _start(store, settings)
    if verdict not in ("confirmed", "contradicted"):
        return found.pending()
    with store.session() as session:
        key, name = entry_labels(session, [entry_id]).get(entry_id, (f"entry:{entry_id}", ""))
    alert = check_alert(service, key, name or key, verdict, claimed, matched, details)
    if alert is not None:
        found.alerts.append(alert)
    return found.pending()


def _carried(store: Store, service: str, snapshot_id: int) -> tuple[int, list[Carried]]:
    from castwatch.identify.impact import rights_impact

    report = rights_impact(store, service, snapshot_id)
    return report.identified_entries, [
        Carried(h.holder, frozenset(h.channels), frozenset(h.works)) for h in report.holders
    ]


def for_ingest(
    store: Store,
    service: str,
    snapshot_id: int,
    entries: int,
    added: int,
    removed: int,
    settings: AlertSettings | None = None,
) -> PendingAlerts:
    """``catalog-change`` and ``carried`` for a snapshot just stored and identified.

    ``carried`` compares the rights impact of this snapshot with the previous one's; with no
    previous snapshot, or one never identified, there is nothing to compare with and nothing
    is raised (the first read of a service is the baseline, not news).
    """
    found = _start(store, settings)
    previous_snapshot = previous_snapshot_id(store, service, snapshot_id)
    if previous_snapshot is None:
        return found.pending()
    before = entries - added + removed
    change = catalog_alert(
        service, snapshot_id, before, entries, found.settings.catalog_change_percent
    )
    if change is not None:
        found.alerts.append(change)
    identified_before, carried_before = _carried(store, service, previous_snapshot)
    if identified_before:
        _, carried_now = _carried(store, service, snapshot_id)
        found.alerts += carried_alerts(
            service, snapshot_id, carried_before, carried_now, found.settings.holders
        )
    return found.pending()


def _noticed(store: Store) -> list[NoticedTarget]:
    from castwatch.enforce.store_tracking import list_targets
    from castwatch.enforce.tracking import takedown_report

    targets = {target.id: target for target in list_targets(store)}
    noticed = []
    for sample in takedown_report(store).samples:
        target = targets.get(sample.target_id)
        if target is None:
            continue
        noticed.append(
            NoticedTarget(
                target.id,
                target.case_name,
                target.target,
                sample.recipient,
                sample.sent_at,
                sample.down_at,
                target.state.value,
                target.last_checked_at,
            )
        )
    return noticed


def for_watch_pass(
    store: Store, report: PassReport, settings: AlertSettings | None = None
) -> PendingAlerts:
    """``seizure-lapsed``, ``relapse`` and ``overdue`` after a re-check pass."""
    found = _start(store, settings)
    found.alerts += watch_alerts(
        TargetChange(c.target_id, c.case_name, c.kind.value, c.target, c.event, c.after.value,
                     c.final_url, report.at)
        for c in report.changes
    )  # fmt: skip
    found.alerts += overdue_alerts(_noticed(store), found.settings.takedown_deadline_minutes)
    return found.pending()


def for_attribution(
    store: Store, summary: AttributionSummary, settings: AlertSettings | None = None
) -> PendingAlerts:
    """``relapse`` for each relapse an attribution run raised (a join of an acted-on
    operator)."""
    found = _start(store, settings)
    found.alerts += [
        relapse_alert(a.id, a.node, a.operator_id, a.case_name, a.message)
        for a in summary.alerts
        if a.kind == "relapse"
    ]
    return found.pending()
