"""File a case in one call: open it (or take up the one of that name), cite its evidence,
draft its notices and check the ledger.

The demo does exactly this after verifying a service, and a job engine or an API would too;
the steps are the same ones ``castwatch case open``, ``evidence add``, ``notice draft`` and
``evidence verify`` run, in that order, so the result is what those commands would leave.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from castwatch.catalog.cases import Case
from castwatch.catalog.evidence import EvidenceKind
from castwatch.enforce import cases, ledger
from castwatch.enforce.ledger_check import verify_ledger
from castwatch.enforce.notices.draft import draft_notices
from castwatch.enforce.settings import EnforceSettings
from castwatch.errors import CastwatchError, StorageError
from castwatch.storage.db import Store


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    """A file already kept (a capture, a frame) to cite in the case."""

    path: Path
    kind: EvidenceKind
    description: str
    source: str


@dataclass(slots=True)
class CaseFiling:
    """What :func:`file_case` did."""

    case: Case
    evidence_filed: int
    #: Per notice kind, how many were drafted, or why drafting was refused.
    notices: dict[str, int | str] = field(default_factory=dict)
    evidence_verified: bool = False
    ledger_entries: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "case": self.case.id,
            "name": self.case.name,
            "evidence_filed": self.evidence_filed,
            "notices": dict(self.notices),
            "evidence_verified": self.evidence_verified,
            "ledger_entries": self.ledger_entries,
        }


def file_case(
    store: Store,
    name: str,
    services: list[str],
    *,
    evidence: Sequence[EvidenceFile],
    notice_kinds: Sequence[str],
    settings: EnforceSettings,
    assignee: str | None = None,
) -> CaseFiling:
    """Open the case ``name`` on ``services`` (or reuse it), cite ``evidence`` (files that are
    gone are skipped), draft ``notice_kinds`` and verify the whole ledger.

    A notice kind that cannot be drafted (no recipient, nothing to cite) is reported with its
    reason rather than raised: the other kinds and the filed evidence still stand.
    """
    try:
        case = cases.open_case(store, name, services, assignee=assignee)
    except StorageError:
        case = cases.show_case(store, name)
    case_ref = str(case.id)
    items = [
        ledger.file_item(store, item.path, item.kind, item.description, item.source)
        for item in evidence
        if item.path.is_file()
    ]
    if items:
        ledger.record(store, case_ref, items)
    filing = CaseFiling(case, len(items))
    for kind in notice_kinds:
        try:
            filing.notices[kind] = len(draft_notices(store, case_ref, kind, settings))
        except CastwatchError as exc:
            filing.notices[kind] = f"refused: {exc}"
    checked = verify_ledger(store, case_ref)
    filing.evidence_verified, filing.ledger_entries = checked.ok, checked.entries
    return filing
