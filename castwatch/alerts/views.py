"""Every alert castwatch holds, in one list: monitoring's (``castwatch.alerts``) and
attribution's (a service or domain that joined a known operator, issue 6).

``castwatch alerts`` lists both, newest first; each item says its ``source``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from castwatch.alerts.model import AlertKind

if TYPE_CHECKING:
    from castwatch.storage.db import Store

#: Attribution's own kinds: ``join`` (a new brand of a known operator) and ``relapse``.
ATTRIBUTION_KINDS = ("join", "relapse")
KINDS = tuple(dict.fromkeys([*(kind.value for kind in AlertKind), *ATTRIBUTION_KINDS]))


@dataclass(frozen=True, slots=True)
class ListedAlert:
    """One alert as listed: its document (``--json``), and its table cells."""

    raised_at: datetime
    document: dict[str, Any]
    message: str
    delivery: str


def _pivots(pivots: list[dict[str, Any]], limit: int = 3) -> str:
    shown = ", ".join(f"{p['kind']} {p['key']} ({p['weight']:.2f})" for p in pivots[:limit])
    return shown + (f" +{len(pivots) - limit}" if len(pivots) > limit else "")


def _delivery_word(deliveries: list[dict[str, Any]]) -> str:
    return (
        ", ".join(
            f"{d['channel']} {d['state']}"
            + (f" ({d['attempts']} tries)" if d["state"] != "sent" else "")
            for d in deliveries
        )
        or "-"
    )


def list_everything(
    store: Store, *, kind: str | None = None, service: str | None = None, limit: int | None = None
) -> list[ListedAlert]:
    """Monitoring and attribution alerts, newest first, filtered alike."""
    from castwatch.alerts.store import list_alerts
    from castwatch.attribute.store import list_alerts as attribution_alerts

    listed = [
        ListedAlert(
            r.raised_at,
            r.as_dict() | {"source": "monitor"},
            r.message,
            _delivery_word([d.as_dict() for d in r.deliveries]),
        )
        for r in list_alerts(store, kind=kind, service=service, limit=limit)
    ]
    if kind is None or kind in ATTRIBUTION_KINDS:
        for alert in attribution_alerts(store):
            if kind is not None and alert.kind != kind:
                continue
            if service is not None and (alert.node_kind, alert.node) != ("service", service):
                continue
            case = f"; case {alert.case_name} ({alert.case_status})" if alert.case_name else ""
            message = (
                f"{alert.node_kind} {alert.node} joined operator {alert.operator_id}"
                f"{case}; pivots {_pivots(alert.pivots)}"
            )
            document = alert.as_dict() | {"source": "attribution"}
            listed.append(ListedAlert(alert.raised_at, document, message, "-"))
    listed.sort(key=lambda item: item.raised_at, reverse=True)
    return listed[:limit] if limit else listed
