"""Watch targets and their checks in the database, and what each check means for its case.

Targets come from sent notices (their URLs and hosts) and from seizures; checks are only ever
inserted. Recording a pass is one transaction: the check rows, each target's new state, and
the case events and status changes its transitions cause (``catalog/tracking.py`` says which),
so a case's timeline never disagrees with the checks behind it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from castwatch.catalog.cases import CaseStatus, EventKind, SubjectKind
from castwatch.catalog.credentials import restore_credentials
from castwatch.catalog.notices import Notice
from castwatch.catalog.tables import CredentialRow, EntryRow
from castwatch.catalog.tracking import (
    DOWN_STATES,
    UP_STATES,
    Change,
    CheckState,
    ProbeResult,
    TakedownSample,
    TargetKind,
    TargetSpec,
    Transition,
    WatchCheck,
    WatchTarget,
    takedown_of,
    transition,
)
from castwatch.enforce.store import advance, find_case, record_event
from castwatch.enforce.store_notices import _notice
from castwatch.enforce.tables import (
    CaseRow,
    CaseSubjectRow,
    NoticeRow,
    WatchCheckRow,
    WatchTargetRow,
)
from castwatch.errors import NotFound
from castwatch.storage.db import Store

_EVENTS = {
    Transition.DOWN: EventKind.TARGET_DOWN,
    Transition.RELAPSED: EventKind.TARGET_RELAPSED,
    Transition.SEIZURE_CONFIRMED: EventKind.SEIZURE_CONFIRMED,
    Transition.SEIZURE_LAPSED: EventKind.SEIZURE_LAPSED,
}


@dataclass(slots=True, frozen=True)
class ProbePlan:
    """A target ready to probe: the URL with its account restored, and what to blank out."""

    target: WatchTarget
    url: str
    secrets: tuple[str, ...]


def _target(row: WatchTargetRow, case_name: str) -> WatchTarget:
    return WatchTarget(
        id=row.id, case_id=row.case_id, case_name=case_name, kind=TargetKind(row.kind),
        target=row.target, probe_url=row.probe_url, notice_id=row.notice_id,
        recipient=row.recipient, intermediary=row.intermediary, added_at=row.added_at,
        state=CheckState(row.state), settled=CheckState(row.settled),
        last_checked_at=None if row.last_checked_at is None else row.last_checked_at,
    )  # fmt: skip


def _case_ids(session: Session, case_ref: str | None) -> list[int] | None:
    return None if case_ref is None else [find_case(session, case_ref).id]


def untracked_notices(store: Store, case_ref: str | None = None) -> list[Notice]:
    """Sent notices (of one case, or all) that have no watch target yet."""
    with store.session() as session:
        tracked = select(WatchTargetRow.notice_id).where(WatchTargetRow.notice_id.is_not(None))
        query = select(NoticeRow).where(
            NoticeRow.sent_at.is_not(None), NoticeRow.id.not_in(tracked)
        )
        if (ids := _case_ids(session, case_ref)) is not None:
            query = query.where(NoticeRow.case_id.in_(ids))
        return [_notice(row) for row in session.scalars(query.order_by(NoticeRow.id))]


def add_targets(store: Store, specs: Sequence[TargetSpec], now: datetime | None = None) -> int:
    """Store notice targets; a URL target gets the account its entry was read with."""
    moment = now or datetime.now(UTC)
    with store.session() as session:
        accounts = _accounts(session, [s.probe_url for s in specs if s.kind is TargetKind.URL])
        for spec in specs:
            session.add(
                WatchTargetRow(
                    case_id=spec.case_id, notice_id=spec.notice_id, kind=spec.kind.value,
                    target=spec.target, probe_url=spec.probe_url,
                    credential_id=accounts.get(spec.probe_url), recipient=spec.recipient,
                    intermediary=spec.intermediary, added_at=moment,
                    state=CheckState.PENDING.value, settled=CheckState.PENDING.value,
                )
            )  # fmt: skip
    return len(specs)


def _accounts(session: Session, urls: list[str]) -> dict[str, int]:
    """The credential each URL (with placeholders) was stored with, by URL."""
    found: dict[str, int] = {}
    wanted = sorted({u for u in urls if "{" in u})
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for url, credential_id in session.execute(
            select(EntryRow.url, EntryRow.credential_id).where(
                EntryRow.url.in_(chunk), EntryRow.credential_id.is_not(None)
            )
        ):
            if url is not None and credential_id is not None:
                found.setdefault(url, credential_id)
    return found


def add_seized_domain(
    store: Store, case_ref: str, host: str, probe_url: str
) -> tuple[WatchTarget, bool]:
    """Record ``host`` as seized for the case (a ``domain`` subject and a watch target).

    Returns the target and whether it is new; recording the same domain again changes nothing.
    """
    now = datetime.now(UTC)
    with store.session() as session:
        case = find_case(session, case_ref, lock=True)
        existing = session.scalars(
            select(WatchTargetRow).where(
                WatchTargetRow.case_id == case.id,
                WatchTargetRow.kind == TargetKind.SEIZED.value,
                WatchTargetRow.target == host,
            )
        ).one_or_none()
        if existing is not None:
            return _target(existing, case.name), False
        subject = session.scalars(
            select(CaseSubjectRow).where(
                CaseSubjectRow.case_id == case.id,
                CaseSubjectRow.kind == SubjectKind.DOMAIN.value,
                CaseSubjectRow.ref == host,
            )
        ).one_or_none()
        if subject is None:
            session.add(CaseSubjectRow(case_id=case.id, kind=SubjectKind.DOMAIN.value, ref=host,
                                       added_at=now))  # fmt: skip
        row = WatchTargetRow(
            case_id=case.id, kind=TargetKind.SEIZED.value, target=host, probe_url=probe_url,
            added_at=now, state=CheckState.PENDING.value, settled=CheckState.PENDING.value,
        )  # fmt: skip
        session.add(row)
        session.flush()
        record_event(session, case, EventKind.DOMAIN_SEIZED, f"{host} seized; watched at "
                     f"{probe_url}", {"target": row.id, "domain": host}, now)  # fmt: skip
        return _target(row, case.name), True


def _targets_query(session: Session, case_ref: str | None) -> Select[WatchTargetRow, str]:
    """Targets with their case's name, in id order: of one case, or of all when None."""
    query = (
        select(WatchTargetRow, CaseRow.name)
        .join(CaseRow, CaseRow.id == WatchTargetRow.case_id)
        .order_by(WatchTargetRow.id)
    )
    if (ids := _case_ids(session, case_ref)) is not None:
        query = query.where(WatchTargetRow.case_id.in_(ids))
    return query


def probe_plans(store: Store, case_ref: str | None = None) -> list[ProbePlan]:
    """Every target to check (of one case, or all), accounts restored into their URLs."""
    with store.session() as session:
        rows = session.execute(_targets_query(session, case_ref)).all()
        needed = {row.credential_id for row, _ in rows if row.credential_id is not None}
        accounts = {
            c.id: store.vault.decrypt(c.ciphertext)
            for c in session.scalars(select(CredentialRow).where(CredentialRow.id.in_(needed)))
        }
    plans = []
    for row, case_name in rows:
        account = accounts.get(row.credential_id) if row.credential_id is not None else None
        secrets = tuple(s for s in (account.username, account.password) if s) if account else ()
        plans.append(
            ProbePlan(_target(row, case_name), restore_credentials(row.probe_url, account),
                      secrets)
        )  # fmt: skip
    return plans


def record_checks(
    store: Store, results: Sequence[tuple[int, ProbeResult, CheckState]], at: datetime
) -> list[Change]:
    """Store one pass's checks; move targets, write case events; the changes, in one go."""
    changes: list[Change] = []
    with store.session() as session:
        cases: dict[int, CaseRow] = {}
        for target_id, probe, state in results:
            row = session.get(WatchTargetRow, target_id, with_for_update=True)
            if row is None:
                continue  # forgotten since the pass began
            session.add(
                WatchCheckRow(
                    target_id=row.id, checked_at=at, state=state.value,
                    http_status=probe.http_status, final_url=probe.final_url,
                    redirects=[{"status": s, "url": u} for s, u in probe.redirects],
                    addresses=list(probe.addresses), dns_error=probe.dns_error,
                    error=probe.error, elapsed_s=round(probe.elapsed_s, 4),
                )
            )  # fmt: skip
            before, settled = CheckState(row.state), CheckState(row.settled)
            row.state, row.last_checked_at = state.value, at
            if state not in (CheckState.ERROR, CheckState.PENDING):
                row.settled = state.value
            if before is state:
                continue
            if row.case_id not in cases:
                case = session.get(CaseRow, row.case_id, with_for_update=True)
                assert case is not None
                cases[row.case_id] = case
            case = cases[row.case_id]
            news = transition(TargetKind(row.kind), settled, state)
            if news is not None:
                _record_news(session, case, row, news, state, probe, at)
            changes.append(
                Change(row.id, case.name, TargetKind(row.kind), row.target, before, state,
                       probe.http_status, probe.final_url, probe.error,
                       None if news is None else news.value, case.status)
            )  # fmt: skip
    return changes


def _record_news(
    session: Session,
    case: CaseRow,
    row: WatchTargetRow,
    news: Transition,
    state: CheckState,
    probe: ProbeResult,
    at: datetime,
) -> None:
    answer = f"HTTP {probe.http_status}" if probe.http_status else (probe.error or state.value)
    where = f" -> {probe.final_url}" if probe.final_url and probe.final_url != probe.url else ""
    notice = f" (notice {row.notice_id})" if row.notice_id else ""
    details = {
        Transition.DOWN: f"{row.kind} {row.target}{notice} is {state.value}: {answer}",
        Transition.RELAPSED: f"{row.kind} {row.target}{notice} is back after its takedown: "
        f"{answer}{where}",
        Transition.SEIZURE_CONFIRMED: f"seized domain {row.target} leads to the legal offer{where}",
        Transition.SEIZURE_LAPSED: f"seized domain {row.target} no longer leads to the legal "
        f"offer: {state.value}, {answer}{where}",
    }
    data = {"target": row.id, "notice": row.notice_id, "state": state.value,
            "http_status": probe.http_status, "final_url": probe.final_url}  # fmt: skip
    record_event(session, case, _EVENTS[news], details[news], data, at)
    if news is Transition.RELAPSED:
        # Through the workflow: only an actioned or closed case can relapse.
        advance(session, case, CaseStatus.RELAPSED, f"target {row.id} {row.target} is back")


def list_targets(store: Store, case_ref: str | None = None) -> list[WatchTarget]:
    with store.session() as session:
        query = _targets_query(session, case_ref)
        return [_target(row, name) for row, name in session.execute(query)]


def find_targets(store: Store, ref: str) -> list[WatchTarget]:
    """Targets named ``ref``: its id, its URL or host as stored, or its probe URL."""
    with store.session() as session:
        query = select(WatchTargetRow, CaseRow.name).join(
            CaseRow, CaseRow.id == WatchTargetRow.case_id
        )
        condition = or_(WatchTargetRow.target == ref, WatchTargetRow.probe_url == ref)
        if ref.isdigit():
            condition = or_(condition, WatchTargetRow.id == int(ref))
        rows = session.execute(query.where(condition).order_by(WatchTargetRow.id)).all()
        if not rows:
            raise NotFound(
                f"no watched target {ref!r}; give a target id, URL or domain as "
                "`castwatch watch list` shows them"
            )
        return [_target(row, name) for row, name in rows]


def load_checks(store: Store, target_id: int, limit: int | None = None) -> list[WatchCheck]:
    """A target's checks, oldest first (the last ``limit`` when given)."""
    with store.session() as session:
        query = select(WatchCheckRow).where(WatchCheckRow.target_id == target_id)
        if limit is not None:
            query = query.order_by(WatchCheckRow.id.desc()).limit(limit)
        rows = sorted(session.scalars(query), key=lambda r: r.id)
        return [
            WatchCheck(r.id, r.target_id, r.checked_at, CheckState(r.state), r.http_status,
                       r.final_url, list(r.redirects), list(r.addresses), r.dns_error, r.error,
                       r.elapsed_s)
            for r in rows
        ]  # fmt: skip


def takedown_samples(store: Store, case_ref: str | None = None) -> list[TakedownSample]:
    """Each notice target with its notice's sent time, first down check after it, relapses."""
    with store.session() as session:
        query = (
            select(WatchTargetRow.id, WatchTargetRow.recipient, WatchTargetRow.intermediary,
                   NoticeRow.sent_at)
            .join(NoticeRow, NoticeRow.id == WatchTargetRow.notice_id)
            .where(NoticeRow.sent_at.is_not(None))
            .order_by(WatchTargetRow.id)
        )  # fmt: skip
        if (ids := _case_ids(session, case_ref)) is not None:
            query = query.where(WatchTargetRow.case_id.in_(ids))
        targets = session.execute(query).all()
        history: dict[int, list[tuple[datetime, CheckState]]] = {t[0]: [] for t in targets}
        conclusive = [s.value for s in (*DOWN_STATES, *UP_STATES)]
        checks = select(WatchCheckRow.target_id, WatchCheckRow.checked_at, WatchCheckRow.state)
        for start in range(0, len(targets), 500):
            chunk = [t[0] for t in targets[start : start + 500]]
            for target_id, checked_at, state in session.execute(
                checks.where(WatchCheckRow.target_id.in_(chunk),
                             WatchCheckRow.state.in_(conclusive))
                .order_by(WatchCheckRow.id)
            ):  # fmt: skip
                history[target_id].append((checked_at, CheckState(state)))
    samples = []
    for target_id, recipient, intermediary, sent_at in targets:
        assert sent_at is not None  # selected for it
        down_at, relapses = takedown_of(sent_at, history[target_id])
        samples.append(
            TakedownSample(target_id, recipient or "unknown", intermediary or "unknown",
                           sent_at, down_at, relapses)
        )  # fmt: skip
    return samples
