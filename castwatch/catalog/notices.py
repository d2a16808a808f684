"""Notices: what a takedown or blocking request says, to whom, and how far it has got.

The facts of a notice (:class:`NoticeFacts`) are gathered from storage by
``castwatch/enforce/notices/draft.py``; a template turns them into text and a JSON document;
storage keeps the result as a :class:`Notice` with its tracking times. Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

#: Who a recipient contact is, for a host (``castwatch notice contact HOST ROLE EMAIL``).
CONTACT_ROLES = ("host", "cdn", "registrar", "dmca-agent")


class NoticeStatus(StrEnum):
    """Where a notice stands. A failed send stays ``queued`` with ``attempts``/``last_error``."""

    DRAFTED = "drafted"
    QUEUED = "queued"
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    ACTIONED = "actioned"


@dataclass(slots=True, frozen=True)
class Party:
    """The sender (rights holder or its agent) as configured in ``enforce.toml``."""

    name: str | None = None
    email: str | None = None
    organization: str | None = None
    address: str | None = None
    phone: str | None = None
    on_behalf_of: str | None = None
    country: str | None = None


@dataclass(slots=True, frozen=True)
class Recipient:
    """Who receives a notice. ``known`` is False when no contact is stored for ``host``."""

    host: str
    role: str
    name: str | None = None
    email: str | None = None
    source: str | None = None

    @property
    def known(self) -> bool:
        return self.email is not None


@dataclass(slots=True, frozen=True)
class WorkRef:
    """A copyrighted work (a channel's programming, a film, a series) the notice asserts."""

    kind: str
    id: str
    title: str
    holder: str | None = None


@dataclass(slots=True, frozen=True)
class InfringingItem:
    """One location of infringing material: a URL and the work it carries."""

    url: str
    host: str
    name: str
    work_id: str | None = None


@dataclass(slots=True, frozen=True)
class EvidenceRef:
    """An item of the evidence ledger a notice cites."""

    seq: int
    sha256: str
    kind: str
    description: str


@dataclass(slots=True, frozen=True)
class BlockTarget:
    """One row of a blocking list: an FQDN or IP, where it was seen, and the proof."""

    target: str
    target_type: str
    services: tuple[str, ...]
    ports: tuple[int, ...]
    url_patterns: tuple[str, ...]
    entries: int
    first_seen: datetime
    last_seen: datetime
    evidence: tuple[str, ...]


@dataclass(slots=True)
class NoticeFacts:
    """Everything a template may state, gathered before rendering."""

    case_id: int
    case_name: str
    kind: str
    sender: Party
    recipient: Recipient
    drafted_at: datetime
    works: list[WorkRef] = field(default_factory=list)
    items: list[InfringingItem] = field(default_factory=list)
    omitted_items: int = 0
    evidence: list[EvidenceRef] = field(default_factory=list)
    block_targets: list[BlockTarget] = field(default_factory=list)
    jurisdictions: list[str] = field(default_factory=list)
    explanation: str | None = None
    ledger_head: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["recipient"]["known"] = self.recipient.known
        return out


@dataclass(slots=True)
class Notice:
    """A rendered notice as stored, with its delivery and tracking state."""

    id: int
    case_id: int
    kind: str
    status: NoticeStatus
    recipient_host: str
    recipient_email: str | None
    subject: str
    text: str
    document: dict[str, Any]
    drafted_at: datetime
    queued_at: datetime | None = None
    sent_at: datetime | None = None
    acknowledged_at: datetime | None = None
    actioned_at: datetime | None = None
    attempts: int = 0
    last_error: str | None = None
    next_attempt_at: datetime | None = None
    message_id: str | None = None

    def as_dict(self, with_text: bool = False) -> dict[str, Any]:
        out = asdict(self)
        out["status"] = self.status.value
        if not with_text:
            out.pop("text")
            out.pop("document")
        return out
