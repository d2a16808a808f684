"""Cases: open one, add services, notes and status changes, read it back with its timeline.

The workflow (``open -> evidence -> noticed -> actioned -> closed``, and ``relapsed`` when a
target comes back) lives in ``catalog/cases.py``; storage applies it inside the transaction
that writes the event, so an illegal move changes nothing. Adding evidence moves an ``open``
case to ``evidence`` and sending a notice moves an ``evidence`` case to ``noticed`` by
themselves; every other move is the investigator's (``castwatch case add CASE --status``).
"""

from __future__ import annotations

from castwatch.catalog.cases import Case, parse_status
from castwatch.catalog.credentials import redact_text
from castwatch.enforce import store as enforcement
from castwatch.errors import EnforcementError
from castwatch.storage.db import Store


def open_case(
    store: Store, name: str, services: list[str] | None = None, assignee: str | None = None
) -> Case:
    """Open a new case (status ``open``) on ``services``."""
    return enforcement.open_case(store, name, services or [], assignee)


def add_to_case(
    store: Store,
    ref: str,
    services: list[str] | None = None,
    note: str | None = None,
    status: str | None = None,
    assignee: str | None = None,
) -> Case:
    """Add services, a note, an assignee and/or a status change, all or nothing.

    A note is redacted before it is stored (URLs, tokens, passwords pasted into it): the
    timeline is printed, exported and put in dossiers, and keeps no clear copy.
    """
    if not (services or note or status or assignee):
        raise EnforcementError("nothing to add: give --service, --note, --status or --assignee")
    target = parse_status(status) if status else None
    note = redact_text(note) if note else note
    return enforcement.update_case(store, ref, services, note, target, assignee)


def show_case(store: Store, ref: str) -> Case:
    return enforcement.load_case(store, ref)


def list_cases(store: Store) -> list[Case]:
    return enforcement.list_cases(store)
