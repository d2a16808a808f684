"""The alert model and the rules that decide which facts are alerts. No I/O here.

An :class:`Alert` is one fact a person must act on. Its ``key`` names the fact itself (the
stream, the channel it carries, the target and the moment it lapsed), not the pass that saw
it: storing an alert whose key is already stored does nothing, so a fact seen again by the
next pass, a retried job or a second scheduler alerts once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class AlertKind(StrEnum):
    """What an alert is about (the ``kind`` shown by ``castwatch alerts``)."""

    #: A tracked rights holder's channel or work is carried by a service for the first time.
    CARRIED = "carried"
    #: A stream was confirmed to carry the channel its name claims.
    CONFIRMED = "confirmed"
    #: A stream's content is another channel than its name says.
    CONTRADICTED = "contradicted"
    #: A service's catalogue grew or shrank by more than the threshold in one re-read.
    CATALOG_CHANGE = "catalog-change"
    #: A noticed target still serves past the takedown deadline.
    OVERDUE = "overdue"
    #: A seized domain no longer leads to the legal offer.
    SEIZURE_LAPSED = "seizure-lapsed"
    #: A target back after its takedown, or a service or domain joining an acted-on operator.
    RELAPSE = "relapse"


@dataclass(slots=True, frozen=True)
class Alert:
    """One fact to tell a person about; ``key`` identifies the fact (stored once)."""

    kind: AlertKind
    key: str
    message: str
    service: str | None = None
    case: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True, frozen=True)
class Delivery:
    """The state of one alert's delivery on one channel (``email`` or ``webhook``)."""

    channel: str
    state: str
    attempts: int
    last_error: str | None
    sent_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "state": self.state,
            "attempts": self.attempts,
            "last_error": self.last_error,
            "sent_at": self.sent_at,
        }


@dataclass(slots=True, frozen=True)
class AlertRecord:
    """An alert as stored: when it was raised and how its deliveries stand."""

    id: int
    raised_at: datetime
    kind: str
    key: str
    message: str
    service: str | None
    case: str | None
    data: dict[str, Any]
    deliveries: tuple[Delivery, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "raised_at": self.raised_at,
            "kind": self.kind,
            "key": self.key,
            "message": self.message,
            "service": self.service,
            "case": self.case,
            "data": self.data,
            "deliveries": [d.as_dict() for d in self.deliveries],
        }


# --- the rules --------------------------------------------------------------------------------


def check_alert(
    service: str,
    entry_key: str,
    entry_name: str,
    verdict: str,
    claimed: str | None,
    matched: str | None,
    details: Mapping[str, Any] | None = None,
) -> Alert | None:
    """The alert one stream check raises: ``confirmed`` or ``contradicted``, else none.

    The key holds the stream (its entry key, stable across snapshots) and what it was found
    to carry, so the same stream confirmed again is not news, and a stream that switches to
    another channel is.
    """
    data = {"entry": entry_key, "name": entry_name, "claimed": claimed, "matched": matched}
    data |= dict(details or {})
    if verdict == "confirmed":
        return Alert(
            AlertKind.CONFIRMED,
            f"confirmed:{service}:{entry_key}:{claimed}",
            f"{service}: stream {entry_name!r} is confirmed to carry {claimed}",
            service=service,
            data=data,
        )
    if verdict == "contradicted":
        return Alert(
            AlertKind.CONTRADICTED,
            f"contradicted:{service}:{entry_key}:{matched}",
            f"{service}: stream {entry_name!r} claims {claimed} but carries {matched}",
            service=service,
            data=data,
        )
    return None


def catalog_alert(
    service: str, snapshot_id: int, before: int, after: int, threshold_percent: float
) -> Alert | None:
    """``catalog-change`` when a re-read moved the entry count by more than the threshold.

    ``before`` is the previous snapshot's entry count; a first snapshot (nothing before) or
    an empty one before raises nothing: there is no size to compare with.
    """
    if before <= 0 or threshold_percent < 0:
        return None
    change = (after - before) / before * 100.0
    if abs(change) <= threshold_percent:
        return None
    verb = "grew" if change > 0 else "shrank"
    return Alert(
        AlertKind.CATALOG_CHANGE,
        f"catalog:{service}:{snapshot_id}",
        f"{service}: catalogue {verb} by {abs(change):.1f}% ({before:,} to {after:,} entries) "
        f"in snapshot {snapshot_id}",
        service=service,
        data={"snapshot": snapshot_id, "before": before, "after": after,
              "percent": round(change, 2)},
    )  # fmt: skip


@dataclass(slots=True, frozen=True)
class Carried:
    """What one holder has carried by a snapshot: channel ids and work ids."""

    holder: str
    channels: frozenset[str] = frozenset()
    works: frozenset[str] = frozenset()


def carried_alerts(
    service: str,
    snapshot_id: int,
    before: Iterable[Carried],
    after: Iterable[Carried],
    tracked: Iterable[str] = (),
) -> list[Alert]:
    """``carried`` for each tracked holder's channel or work in ``after`` and not ``before``.

    ``tracked``: holder names (case-insensitive); empty means every holder.
    """
    wanted = {name.casefold() for name in tracked}
    held = {c.holder: c for c in before}
    found = []
    for now in after:
        if wanted and now.holder.casefold() not in wanted:
            continue
        was = held.get(now.holder, Carried(now.holder))
        for target_kind, new in (("channel", now.channels - was.channels),
                                 ("work", now.works - was.works)):  # fmt: skip
            for target in sorted(new):
                found.append(
                    Alert(
                        AlertKind.CARRIED,
                        f"carried:{service}:{now.holder}:{target_kind}:{target}",
                        f"{service}: {now.holder}'s {target_kind} {target} is newly carried "
                        f"(snapshot {snapshot_id})",
                        service=service,
                        data={
                            "holder": now.holder,
                            "target_kind": target_kind,
                            "target_id": target,
                            "snapshot": snapshot_id,
                        },
                    )
                )
    return found


@dataclass(slots=True, frozen=True)
class TargetChange:
    """A re-checked target's news, as a watch pass reports it."""

    target_id: int
    case: str
    kind: str
    target: str
    event: str | None
    after: str
    final_url: str | None
    at: datetime


def watch_alerts(changes: Iterable[TargetChange]) -> list[Alert]:
    """``seizure-lapsed`` and ``relapse`` from a re-check pass's case events."""
    found = []
    for change in changes:
        data = {"target_id": change.target_id, "target": change.target, "state": change.after,
                "final_url": change.final_url, "at": change.at.isoformat()}  # fmt: skip
        if change.event == "seizure-lapsed":
            found.append(
                Alert(
                    AlertKind.SEIZURE_LAPSED,
                    f"seizure-lapsed:{change.target_id}:{change.at.isoformat()}",
                    f"case {change.case}: seized domain {change.target} no longer leads to the "
                    f"legal offer ({change.after}"
                    + (f", -> {change.final_url})" if change.final_url else ")"),
                    case=change.case,
                    data=data,
                )
            )
        elif change.event == "target-relapsed":
            found.append(
                Alert(
                    AlertKind.RELAPSE,
                    f"relapse:target:{change.target_id}:{change.at.isoformat()}",
                    f"case {change.case}: {change.kind} {change.target} is back after its "
                    f"takedown ({change.after})",
                    case=change.case,
                    data=data,
                )
            )
    return found


@dataclass(slots=True, frozen=True)
class NoticedTarget:
    """A notice target with what overdue-ness needs: when the notice went out, its state."""

    target_id: int
    case: str
    target: str
    recipient: str
    sent_at: datetime
    down_at: datetime | None
    state: str
    last_checked_at: datetime | None


#: Target states that count as still serving.
SERVING = frozenset({"up", "redirected"})


def overdue_alerts(targets: Iterable[NoticedTarget], deadline_minutes: float) -> list[Alert]:
    """``overdue`` for each noticed target a check found still serving past the deadline.

    Only a check made after the deadline counts (the target was seen up then), and a target
    that went down once is not overdue (its comeback is a relapse).
    """
    found = []
    for target in targets:
        if target.down_at is not None or target.state not in SERVING:
            continue
        if target.last_checked_at is None:
            continue
        late = (target.last_checked_at - target.sent_at).total_seconds() / 60.0
        if late <= deadline_minutes:
            continue
        found.append(
            Alert(
                AlertKind.OVERDUE,
                f"overdue:{target.target_id}",
                f"case {target.case}: {target.target} still serves {late:.0f} min after the "
                f"notice to {target.recipient} (deadline {deadline_minutes:g} min)",
                case=target.case,
                data={
                    "target_id": target.target_id,
                    "target": target.target,
                    "recipient": target.recipient,
                    "sent_at": target.sent_at.isoformat(),
                    "checked_at": target.last_checked_at.isoformat(),
                    "minutes": round(late, 1),
                },
            )
        )
    return found


def relapse_alert(
    alert_id: int, node: str, operator_id: int, case: str | None, message: str
) -> Alert:
    """``relapse`` for an attribution alert of kind relapse (already stored once there)."""
    return Alert(
        AlertKind.RELAPSE,
        f"relapse:operator:{alert_id}",
        f"relapse: {message}",
        case=case,
        data={"attribution_alert": alert_id, "node": node, "operator": operator_id},
    )
