"""What a sent notice asked to take down, and how long each recipient took to do it.

Every sent notice becomes watch targets the first time a pass sees it: each infringing URL it
lists (kind ``url``) and the host it was about (kind ``host``); a blocking list gives one
``host`` target per FQDN or IP it names. Each target remembers who received the notice and in
which role (``host``, ``cdn``, ``registrar``, ``dmca-agent``; ``authority`` for a blocking
list), so time to takedown can be read per recipient and per intermediary type.

Time to takedown is measured from the notice's ``sent_at`` to the first stored check, at or
after it, that found the target ``gone`` or ``seized`` (``catalog/tracking.py``). Nothing is
cached: the figures are recomputed from the stored times on every call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from castwatch.catalog.notices import Notice
from castwatch.catalog.tracking import (
    TakedownFigure,
    TakedownSample,
    TargetKind,
    TargetSpec,
    WatchCheck,
    WatchTarget,
    summarize_takedowns,
)
from castwatch.enforce.store_tracking import (
    add_targets,
    find_targets,
    load_checks,
    takedown_samples,
    untracked_notices,
)
from castwatch.storage.db import Store


def _root(url: str) -> str | None:
    """``scheme://host[:port]/`` of a URL, or None when it has no host."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}{f':{port}' if port else ''}/"


def targets_of_notice(notice: Notice) -> list[TargetSpec]:
    """The URLs and hosts a sent notice asked to take down (or block)."""
    recipient = notice.recipient_email or notice.recipient_host
    document = notice.document
    specs: list[TargetSpec] = []
    if notice.kind == "blocklist":
        for row in document.get("targets", []):
            target = str(row.get("target", "")).strip()
            ports = [int(p) for p in row.get("ports", []) if str(p).isdigit()]
            host = f"[{target}]" if ":" in target else target
            probe = f"http://{host}{f':{ports[0]}' if ports else ''}/"
            if target and _root(probe):
                specs.append(TargetSpec(notice.case_id, TargetKind.HOST, target, probe,
                                        notice.id, recipient, "authority"))  # fmt: skip
        return specs
    facts: dict[str, Any] = document.get("facts", {})
    role = str(facts.get("recipient", {}).get("role") or "unknown")
    roots: dict[str, str] = {}
    for item in facts.get("items", []):
        url = str(item.get("url", ""))
        root = _root(url)
        if root is None:
            continue
        host = urlsplit(url).hostname or ""
        roots.setdefault(host, root)
        specs.append(TargetSpec(notice.case_id, TargetKind.URL, url, url, notice.id,
                                recipient, role))  # fmt: skip
    for host, root in sorted(roots.items()):
        specs.append(TargetSpec(notice.case_id, TargetKind.HOST, host, root, notice.id,
                                recipient, role))  # fmt: skip
    return specs


def sync_targets(store: Store, case_ref: str | None = None) -> int:
    """Start watching what every newly sent notice names; how many targets were added."""
    specs = [spec for notice in untracked_notices(store, case_ref)
             for spec in targets_of_notice(notice)]  # fmt: skip
    return add_targets(store, specs) if specs else 0


@dataclass(slots=True)
class TakedownReport:
    """Time to takedown per recipient and per intermediary type, with the samples behind it."""

    by_recipient: list[TakedownFigure] = field(default_factory=list)
    by_intermediary: list[TakedownFigure] = field(default_factory=list)
    samples: list[TakedownSample] = field(default_factory=list)

    @property
    def targets(self) -> int:
        return len(self.samples)

    @property
    def down(self) -> int:
        return sum(1 for s in self.samples if s.down_at is not None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "by_recipient": [f.as_dict() for f in self.by_recipient],
            "by_intermediary": [f.as_dict() for f in self.by_intermediary],
            "targets": self.targets,
            "down": self.down,
        }


@dataclass(frozen=True, slots=True)
class TargetHistory:
    """One watched target and its checks, oldest first: ``castwatch watch history``."""

    target: WatchTarget
    checks: list[WatchCheck]

    def to_dict(self) -> dict[str, Any]:
        return {**self.target.as_dict(), "checks": [check.as_dict() for check in self.checks]}


def target_history(store: Store, ref: str, limit: int | None = None) -> list[TargetHistory]:
    """Every target named ``ref`` (its id, URL, host or probe URL) with its checks, the last
    ``limit`` of them when given."""
    return [
        TargetHistory(target, load_checks(store, target.id, limit))
        for target in find_targets(store, ref)
    ]


def takedown_report(store: Store, case_ref: str | None = None) -> TakedownReport:
    """Time-to-takedown figures of one case (or all), computed from the stored times."""
    samples = takedown_samples(store, case_ref)
    by_recipient, by_intermediary = summarize_takedowns(samples)
    return TakedownReport(by_recipient, by_intermediary, samples)
