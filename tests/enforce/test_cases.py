"""Cases: the workflow, the timeline, and all-or-nothing changes, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from castwatch.catalog.cases import TRANSITIONS, CaseStatus, EventKind, check_transition
from castwatch.catalog.store import save_inventory
from castwatch.enforce.cases import add_to_case, list_cases, open_case, show_case
from castwatch.errors import EnforcementError, IllegalTransition, NotFound, StorageError
from castwatch.storage.db import Store
from tests.storage.helpers import make_inventory


def test_open_case_records_services_assignee_and_timeline(store: Store) -> None:
    save_inventory(store, make_inventory(5), "panel-one")
    case = open_case(store, "op-falcon", ["panel-one"], assignee="rita")
    assert case.status is CaseStatus.OPEN
    assert case.services == ["panel-one"]
    assert case.assignee == "rita"
    kinds = [event.kind for event in case.events]
    assert kinds == [EventKind.OPENED, EventKind.ASSIGNED, EventKind.SERVICE_ADDED]
    assert [c.name for c in list_cases(store)] == ["op-falcon"]
    assert show_case(store, str(case.id)).name == "op-falcon"


def test_duplicate_name_and_unknown_service_store_nothing(store: Store) -> None:
    open_case(store, "op-falcon")
    with pytest.raises(StorageError, match="exists already"):
        open_case(store, "op-falcon")
    with pytest.raises(NotFound, match="no service"):
        open_case(store, "op-hawk", ["no-such-panel"])
    assert [c.name for c in list_cases(store)] == ["op-falcon"]


def test_status_workflow_enforced_with_clear_error(store: Store) -> None:
    open_case(store, "op-falcon")
    with pytest.raises(IllegalTransition, match=r"from 'open' to 'actioned'.*evidence"):
        add_to_case(store, "op-falcon", status="actioned", note="too early")
    # The note of the refused change was not stored either: all or nothing.
    assert [e.kind for e in show_case(store, "op-falcon").events] == [EventKind.OPENED]
    for status in ("evidence", "noticed", "actioned", "relapsed", "closed"):
        case = add_to_case(store, "op-falcon", status=status)
    assert case.status is CaseStatus.CLOSED
    statuses = [e.data["to"] for e in case.events if e.kind is EventKind.STATUS]
    assert statuses == ["evidence", "noticed", "actioned", "relapsed", "closed"]


def test_unknown_status_and_empty_change_are_refused(store: Store) -> None:
    open_case(store, "op-falcon")
    with pytest.raises(IllegalTransition, match="unknown case status 'done'"):
        add_to_case(store, "op-falcon", status="done")
    with pytest.raises(EnforcementError, match="nothing to add"):
        add_to_case(store, "op-falcon")
    with pytest.raises(NotFound, match="no case 'op-owl'"):
        add_to_case(store, "op-owl", note="x")


def test_every_transition_outside_the_table_is_refused() -> None:
    for current in CaseStatus:
        for target in CaseStatus:
            if target in TRANSITIONS[current]:
                check_transition(current, target)
            else:
                with pytest.raises(IllegalTransition):
                    check_transition(current, target)
