"""Watch passes: re-check every notice target and seized domain, record what changed.

One pass (``castwatch watch run``) starts watching what newly sent notices name
(``tracking.py``), probes every target of the case (or of every case) once with the bounded
probe of ``probe.py``, judges each answer (``catalog/tracking.py``) and stores every check.
A state that differs from the previous check is a *change*; a change that is news (a takedown,
a relapse, a seizure confirmed or lapsed) is also a case event, and a relapse moves an
actioned or closed case to ``relapsed``. A second pass that finds the same states changes
nothing but the check history. :func:`serve` runs passes on a schedule until stopped.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import FrameType
from typing import Any

from castwatch.catalog.tracking import (
    Change,
    TargetKind,
    WatchTarget,
    classify,
    normalize_domain,
)
from castwatch.enforce.probe import probe_many
from castwatch.enforce.settings import WatchSettings
from castwatch.enforce.store_tracking import add_seized_domain, probe_plans, record_checks
from castwatch.enforce.tracking import sync_targets
from castwatch.errors import EnforcementError
from castwatch.net.client import run_sync
from castwatch.storage.db import Store

NO_LEGAL_OFFER = "no legal-offer page configured: set [watch] legal_offer_url in enforce.toml"


@dataclass(slots=True)
class PassReport:
    """What one pass did: when, how many targets it checked and added, what changed."""

    at: datetime
    checked: int = 0
    added: int = 0
    changes: list[Change] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "checked": self.checked,
            "added": self.added,
            "seconds": round(self.seconds, 3),
            "changes": [c.as_dict() for c in self.changes],
        }


def run_pass(
    store: Store,
    settings: WatchSettings,
    case_ref: str | None = None,
    at: datetime | None = None,
) -> PassReport:
    """Check every target once; ``at`` (default: now) is the time the checks are stored with."""
    started = datetime.now(UTC)
    added = sync_targets(store, case_ref)
    plans = probe_plans(store, case_ref)
    # A URL named by two notices (a DMCA and a DSA notice to one host) is fetched once.
    secrets = {plan.url: plan.secrets for plan in plans}
    urls = list(secrets)
    probed = run_sync(
        probe_many(
            urls,
            settings.timeout,
            settings.max_bytes,
            settings.concurrency,
            [secrets[url] for url in urls],
            allow_private=settings.allow_private_networks,
            # The legal offer is the user's own URL: its origin may be private (a lab).
            trusted_urls=[settings.legal_offer_url] if settings.legal_offer_url else [],
        )
    )
    by_url = dict(zip(urls, probed, strict=True))
    moment = (at or datetime.now(UTC)).astimezone(UTC)
    results = []
    for plan in plans:
        probe = by_url[plan.url]
        if plan.target.kind is TargetKind.SEIZED and not settings.legal_offer_url:
            probe = replace(probe, error="; ".join(filter(None, [probe.error, NO_LEGAL_OFFER])))
        results.append((plan.target.id, probe,
                        classify(plan.target.kind, probe, settings.legal_offer_url)))  # fmt: skip
    changes = record_checks(store, results, moment)
    report = PassReport(moment, len(plans), added, changes)
    report.seconds = (datetime.now(UTC) - started).total_seconds()
    return report


def seize_domain(store: Store, case_ref: str, domain: str) -> tuple[WatchTarget, bool]:
    """Record that ``domain`` was seized for the case; watch passes then check its redirect."""
    try:
        host, probe_url = normalize_domain(domain)
    except ValueError as exc:
        raise EnforcementError(f"cannot watch {domain!r}: {exc}") from None
    return add_seized_domain(store, case_ref, host, probe_url)


class _Stop(Exception):
    """Raised in the main thread by SIGTERM, so a pass in progress ends like Ctrl-C."""


def serve(
    store: Store,
    settings: WatchSettings,
    interval_minutes: float,
    case_ref: str | None = None,
    on_pass: Callable[[PassReport], None] | None = None,
    max_passes: int | None = None,
) -> int:
    """Run passes every ``interval_minutes`` until Ctrl-C or SIGTERM; passes completed.

    A pass that raises (the database away, a bad setting) ends serving with that error: the
    schedule never hides a failure by retrying it forever. ``max_passes`` bounds the loop.
    """
    if interval_minutes <= 0:
        raise EnforcementError("the interval must be a positive number of minutes")
    passes = 0

    def stop(signum: int, frame: FrameType | None) -> None:
        raise _Stop()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        while max_passes is None or passes < max_passes:
            report = run_pass(store, settings, case_ref)
            passes += 1
            if on_pass is not None:
                on_pass(report)
            if max_passes is not None and passes >= max_passes:
                break
            time.sleep(interval_minutes * 60)
    except (_Stop, KeyboardInterrupt):
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    return passes
