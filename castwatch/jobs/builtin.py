"""The built-in job kinds: ``check-stream`` and ``ingest``, each one stage-service call.

``check-stream`` is :func:`castwatch.fingerprint.verification.verify_target` (the per-entry
step of ``castwatch verify SERVICE``) for one entry; its verification is stored with the job.
``ingest`` is :func:`castwatch.sources.ingest.ingest` then
:func:`castwatch.identify.snapshot.identify_snapshot`; the service's address may carry an
account, so the job keeps it sealed with the data directory's credential key.
"""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy.orm import Session

from castwatch.catalog.credentials import Credentials
from castwatch.catalog.verification import VerificationResult, reference_key
from castwatch.errors import NotFound
from castwatch.fingerprint.store import StreamTarget, add_verification
from castwatch.jobs.kinds import JobContext, JobKind, register_job_kind
from castwatch.storage.db import Store

CHECK_STREAM = "check-stream"
INGEST = "ingest"


def check_stream_payload(
    service: str, entry_id: int, snapshot_id: int, seconds: float
) -> dict[str, Any]:
    """The payload of a ``check-stream`` job."""
    return {"service": service, "entry_id": entry_id, "snapshot": snapshot_id, "seconds": seconds}


def verdict(result: VerificationResult, known: set[str] | None = None) -> str:
    """What one check found, in the words of ``monitor run-once``.

    ``dark`` (nothing could be captured), ``error`` (captured but not checkable),
    ``unverified`` (no claim, or no reference for the claim, and so nothing to compare
    with; a match is still recorded), ``confirmed`` (the claimed channel's reference
    matched), ``contradicted`` (another channel's reference matched: the content is another
    channel) and ``unmatched`` (the claim has a reference and no reference matched).
    """
    if result.error is not None:
        return "dark" if result.capture_sha256 is None else "error"
    claim = (
        reference_key(result.claimed_kind, result.claimed_id)
        if result.claimed_kind and result.claimed_id
        else None
    )
    if claim is None:
        return "unverified"
    if result.matched_kind is not None and result.matched_id is not None:
        matched = reference_key(result.matched_kind, result.matched_id)
        return "confirmed" if matched == claim else "contradicted"
    if known is not None and claim not in known:
        return "unverified"
    return "unmatched"


@register_job_kind
class CheckStream(JobKind):
    """Probe one entry of a service and check it against every reference."""

    name = CHECK_STREAM

    def run(self, context: JobContext, payload: dict[str, Any]) -> Any:
        from castwatch.alerts.detect import for_check
        from castwatch.fingerprint.verification import (
            service_fetch_options,
            verify_target,
        )

        store = context.store
        service_id, snapshot_id, target = self._target(context, payload)
        library, known = self._library(context)
        result = verify_target(
            store,
            library,
            target,
            service_id=service_id,
            snapshot_id=snapshot_id,
            evidence_dir=store.settings.evidence_dir,
            seconds=float(payload.get("seconds", 10.0)),
            options=service_fetch_options(store, service_id),
        )
        found = verdict(result, known)
        # Found here, stored by commit: an alert is raised exactly when the result is.
        alerts = for_check(
            store, str(payload["service"]), target.entry_id, found, result.claimed_id,
            result.matched_id, {"score": result.score, "capture_sha256": result.capture_sha256},
        )  # fmt: skip
        return result, found, alerts

    def commit(self, session: Session, payload: dict[str, Any], outcome: Any) -> dict[str, Any]:
        result, found, alerts = outcome
        verification_id = add_verification(session, result)
        return {
            "verdict": found,
            "verification": verification_id,
            "claimed": result.claimed_id,
            "matched": result.matched_id,
            "score": result.score,
            "error": result.error,
            "alerts": len(alerts.raise_in(session)),
        }

    @staticmethod
    def _target(context: JobContext, payload: dict[str, Any]) -> tuple[int, int, StreamTarget]:
        from castwatch.fingerprint.store import stream_targets

        service, snapshot = str(payload["service"]), payload.get("snapshot")
        key = f"targets:{service}:{snapshot}"
        if key not in context.cache:
            # One read of the snapshot per child, not per entry: a pass checks all of them.
            service_id, snapshot_id, targets = stream_targets(context.store, service, snapshot)
            context.cache[key] = (service_id, snapshot_id, {t.entry_id: t for t in targets})
        service_id, snapshot_id, by_entry = context.cache[key]
        target = by_entry.get(int(payload["entry_id"]))
        if target is None:
            raise NotFound(
                f"entry {payload['entry_id']} is not a playable entry of {service}'s "
                f"snapshot {snapshot_id}"
            )
        return service_id, snapshot_id, target

    @staticmethod
    def _library(context: JobContext) -> tuple[Any, set[str]]:
        from castwatch.fingerprint.store import list_references
        from castwatch.fingerprint.verification import load_library

        # References change while a worker lives (a capture, a refresh): reload when their
        # list does, which is cheap to read, unlike the fingerprints.
        infos = list_references(context.store)
        signature = tuple((info.key, info.updated_at) for info in infos)
        cached = context.cache.get("library")
        if cached is None or cached[0] != signature:
            cached = (signature, load_library(context.store), {info.key for info in infos})
            context.cache["library"] = cached
        return cached[1], cached[2]


def seal_target(store: Store, target: str) -> str:
    """``target`` (an address that may hold an account) encrypted for a job payload."""
    sealed = store.vault.encrypt(Credentials(secrets=(("target", target),)))
    return base64.urlsafe_b64encode(sealed).decode()


def unseal_target(store: Store, sealed: str) -> str:
    secrets = dict(store.vault.decrypt(base64.urlsafe_b64decode(sealed)).secrets)
    return secrets["target"]


def ingest_payload(store: Store, service: str, target: str, kind: str = "auto") -> dict[str, Any]:
    """The payload of an ``ingest`` job re-reading ``target`` as ``service``."""
    return {"service": service, "kind": kind, "sealed_target": seal_target(store, target)}


@register_job_kind
class Ingest(JobKind):
    """Re-read a service (a new snapshot when anything changed), then identify it."""

    name = INGEST

    def run(self, context: JobContext, payload: dict[str, Any]) -> Any:
        from castwatch.alerts.detect import for_ingest
        from castwatch.identify.snapshot import identify_snapshot
        from castwatch.sources.ingest import ingest

        store = context.store
        target = unseal_target(store, str(payload["sealed_target"]))
        summary = ingest(store, target, str(payload.get("kind", "auto")), name=payload["service"])
        identified = identify_snapshot(store, summary.service, summary.id)
        context.cache.clear()  # a new snapshot: cached targets are stale
        return {
            "snapshot": summary.id,
            "added": summary.added,
            "removed": summary.removed,
            "changed": summary.changed,
            "identified": identified.as_dict(),
            "alerts": for_ingest(store, summary.service, summary.id, summary.entries,
                                 summary.added, summary.removed),
        }  # fmt: skip

    def commit(self, session: Session, payload: dict[str, Any], outcome: Any) -> dict[str, Any]:
        # The snapshot is stored by the ingest itself; the alerts it raised, with the result.
        summary = dict(outcome)
        return summary | {"alerts": len(summary["alerts"].raise_in(session))}
