"""Enforcement cases: what a case groups, the status workflow and the typed timeline.

A case follows one target (a pirate service, later its operators) from the first finding to
the takedown. Its status moves through a fixed workflow; every change, note, service, piece
of evidence and notice leaves a typed event on its timeline. Nothing here does I/O: storage
keeps cases, ``castwatch/enforce/cases.py`` applies the rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from castwatch.errors import IllegalTransition


class CaseStatus(StrEnum):
    """Where a case stands. ``relapsed``: the target came back after action or closure."""

    OPEN = "open"
    EVIDENCE = "evidence"
    NOTICED = "noticed"
    ACTIONED = "actioned"
    CLOSED = "closed"
    RELAPSED = "relapsed"


#: The legal moves. Going back from ``noticed`` to ``evidence`` is allowed because a notice
#: refused for want of proof sends the investigator back to collecting it.
TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.OPEN: frozenset({CaseStatus.EVIDENCE, CaseStatus.CLOSED}),
    CaseStatus.EVIDENCE: frozenset({CaseStatus.NOTICED, CaseStatus.CLOSED}),
    CaseStatus.NOTICED: frozenset({CaseStatus.ACTIONED, CaseStatus.EVIDENCE, CaseStatus.CLOSED}),
    CaseStatus.ACTIONED: frozenset({CaseStatus.CLOSED, CaseStatus.RELAPSED}),
    CaseStatus.CLOSED: frozenset({CaseStatus.RELAPSED}),
    CaseStatus.RELAPSED: frozenset({CaseStatus.EVIDENCE, CaseStatus.NOTICED, CaseStatus.CLOSED}),
}


def parse_status(value: str) -> CaseStatus:
    """The status named ``value``, or an error listing the statuses."""
    try:
        return CaseStatus(value.strip().lower())
    except ValueError:
        known = ", ".join(s.value for s in CaseStatus)
        raise IllegalTransition(f"unknown case status {value!r}; one of: {known}") from None


def check_transition(current: CaseStatus, target: CaseStatus) -> None:
    """Raise :class:`IllegalTransition` unless ``current -> target`` is in the workflow."""
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[current])) or "none"
        raise IllegalTransition(
            f"a case cannot go from {current.value!r} to {target.value!r}; "
            f"from {current.value!r} it can go to: {allowed}"
        )


def can_move(current: CaseStatus, target: CaseStatus) -> bool:
    return target in TRANSITIONS[current]


class EventKind(StrEnum):
    """The kinds of event on a case's timeline."""

    OPENED = "opened"
    STATUS = "status"
    NOTE = "note"
    ASSIGNED = "assigned"
    SERVICE_ADDED = "service-added"
    EVIDENCE_ADDED = "evidence-added"
    NOTICE_DRAFTED = "notice-drafted"
    NOTICE_SENT = "notice-sent"
    NOTICE_FAILED = "notice-failed"
    NOTICE_ACKNOWLEDGED = "notice-acknowledged"
    NOTICE_ACTIONED = "notice-actioned"
    # Tracking (castwatch/enforce/watch.py): re-checks of notice targets and seized domains.
    DOMAIN_SEIZED = "domain-seized"
    TARGET_DOWN = "target-down"
    TARGET_RELAPSED = "target-relapsed"
    SEIZURE_CONFIRMED = "seizure-confirmed"
    SEIZURE_LAPSED = "seizure-lapsed"


class SubjectKind(StrEnum):
    """What a case can group. Operators and domains arrive with the attribution stage."""

    SERVICE = "service"
    OPERATOR = "operator"
    DOMAIN = "domain"


@dataclass(slots=True, frozen=True)
class CaseEvent:
    """One event on a case's timeline; ``data`` holds the typed details (ids, statuses)."""

    at: datetime
    kind: EventKind
    detail: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True, frozen=True)
class CaseSubject:
    """A service (or, later, an operator or domain) the case is about."""

    kind: SubjectKind
    ref: str
    added_at: datetime


@dataclass(slots=True)
class Case:
    """A case as stored, with its subjects and timeline (oldest event first)."""

    id: int
    name: str
    status: CaseStatus
    assignee: str | None
    opened_at: datetime
    updated_at: datetime
    subjects: list[CaseSubject] = field(default_factory=list)
    events: list[CaseEvent] = field(default_factory=list)
    evidence_count: int = 0
    notice_count: int = 0

    @property
    def services(self) -> list[str]:
        return [s.ref for s in self.subjects if s.kind is SubjectKind.SERVICE]

    def as_dict(self, with_events: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "status": self.status.value,
            "assignee": self.assignee,
            "opened_at": self.opened_at,
            "updated_at": self.updated_at,
            "services": self.services,
            "subjects": [
                {"kind": s.kind.value, "ref": s.ref, "added_at": s.added_at} for s in self.subjects
            ],
            "evidence": self.evidence_count,
            "notices": self.notice_count,
        }
        if with_events:
            out["events"] = [
                {"at": e.at, "kind": e.kind.value, "detail": e.detail, "data": e.data}
                for e in self.events
            ]
        return out
