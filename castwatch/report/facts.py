"""Gather everything a case dossier states, from storage, before anything is rendered.

The dossier only ever shows what castwatch stored: each service's latest snapshot counts, the
rights holders it harms (``identify/impact.py``), the verification results with their
thumbnails, the endpoints it was seen serving from, the notices and what the re-checks found,
and the evidence ledger with a fresh verification of it. Images are read here, only from the
evidence directory, and carried as ``data:`` URIs so the rendered file stands alone.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from castwatch.catalog.cases import Case
from castwatch.catalog.evidence import LedgerEntry
from castwatch.catalog.notices import Notice
from castwatch.catalog.store_queries import find_service, find_snapshot
from castwatch.catalog.tracking import TargetKind, WatchTarget
from castwatch.catalog.verification import VerificationResult, reference_key
from castwatch.enforce.ledger_check import VerifyReport, verify_ledger
from castwatch.enforce.store import load_case
from castwatch.enforce.store_ledger import iter_entries
from castwatch.enforce.store_notices import EndpointSeen, endpoints_seen, list_notices
from castwatch.enforce.store_tracking import list_targets, load_checks
from castwatch.enforce.tracking import TakedownReport, takedown_report
from castwatch.errors import CastwatchError
from castwatch.fingerprint.store import list_references, load_verifications
from castwatch.identify.impact import HolderImpact, ImpactReport, rights_impact
from castwatch.storage.db import Store

_PNG = b"\x89PNG\r\n\x1a\n"
_MAX_IMAGE = 4 << 20
#: Caps that keep a dossier readable (and quick) for a service of 200,000 entries.
MAX_HOLDERS = 12
MAX_PROOFS_WITH_IMAGES = 12
MAX_PROOF_ROWS = 200
MAX_EVIDENCE_ROWS = 1000
MAX_THUMBNAILS = 3


@dataclass(slots=True)
class ServiceFacts:
    """One service of the case as of its latest snapshot."""

    name: str
    kind: str
    snapshot_id: int | None = None
    taken_at: datetime | None = None
    counts: dict[str, int] = field(default_factory=dict)
    holders: list[HolderImpact] = field(default_factory=list)
    identified: int = 0
    impact_error: str | None = None

    @property
    def headline(self) -> str:
        """``6,000 channels, 200,000 films and episodes`` (and series when there are any)."""
        if self.snapshot_id is None:
            return "no snapshot yet"
        live = self.counts.get("live", 0)
        vod = self.counts.get("film", 0) + self.counts.get("episode", 0)
        text = f"{live:,} channel{'s' if live != 1 else ''}, {vod:,} films and episodes"
        series = self.counts.get("series", 0)
        return text + (f" ({series:,} series)" if series else "")


@dataclass(slots=True)
class Proof:
    """A verification result with its images (as data URIs) for the proof section."""

    result: VerificationResult
    service: str
    thumbnails: list[str] = field(default_factory=list)
    reference_thumbnail: str | None = None


@dataclass(slots=True)
class TargetFacts:
    """A watched target with its last few checks."""

    target: WatchTarget
    last_http: int | None = None
    last_final_url: str | None = None
    addresses: list[str] = field(default_factory=list)


@dataclass(slots=True)
class DossierFacts:
    """Everything the dossier template may state."""

    case: Case
    generated_at: datetime
    services: list[ServiceFacts]
    proofs: list[Proof]
    proof_total: int
    endpoints: list[EndpointSeen]
    notices: list[Notice]
    targets: list[TargetFacts]
    takedown: TakedownReport
    evidence: list[LedgerEntry]
    evidence_total: int
    verification: VerifyReport

    @property
    def seized(self) -> list[TargetFacts]:
        return [t for t in self.targets if t.target.kind is TargetKind.SEIZED]

    @property
    def hosts(self) -> list[TargetFacts]:
        return [t for t in self.targets if t.target.kind is TargetKind.HOST]


def gather(
    store: Store, case_ref: str, impacts: Mapping[str, ImpactReport] | None = None
) -> DossierFacts:
    """Read the case and everything about it the dossier shows.

    ``impacts``: rights-impact reports already computed, by service name (the ranking is the
    slowest part for a large service; a caller that has it need not pay twice).
    """
    case = load_case(store, case_ref)
    services = [_service(store, name, (impacts or {}).get(name)) for name in case.services]
    proofs, proof_total = _proofs(store, case.services)
    evidence = list(iter_entries(store, case.id))
    return DossierFacts(
        case=case,
        generated_at=datetime.now(UTC),
        services=services,
        proofs=proofs,
        proof_total=proof_total,
        endpoints=endpoints_seen(store, case.services) if case.services else [],
        notices=list_notices(store, str(case.id)),
        targets=_targets(store, case),
        takedown=takedown_report(store, str(case.id)),
        evidence=evidence[:MAX_EVIDENCE_ROWS],
        evidence_total=len(evidence),
        verification=verify_ledger(store, str(case.id)),
    )


def _service(store: Store, name: str, report: ImpactReport | None) -> ServiceFacts:
    with store.session() as session:
        service = find_service(session, name)
        facts = ServiceFacts(service.name, service.kind)
        try:
            snapshot = find_snapshot(session, service, None)
        except CastwatchError:
            return facts
        facts.snapshot_id, facts.counts = snapshot.id, dict(snapshot.counts)
        facts.taken_at = snapshot.taken_at.replace(tzinfo=snapshot.taken_at.tzinfo or UTC)
    if report is None or report.snapshot != facts.snapshot_id:
        try:
            report = rights_impact(store, name)
        except CastwatchError as exc:
            facts.impact_error = str(exc)
            return facts
    facts.holders, facts.identified = report.holders[:MAX_HOLDERS], report.identified_entries
    return facts


def _proofs(store: Store, services: list[str]) -> tuple[list[Proof], int]:
    with store.session() as session:
        ids = {find_service(session, name).id: name for name in services}
    results = [(r, ids[sid]) for sid in ids for r in load_verifications(store, sid)]
    # Confirmed matches first, best score first: the strongest proof leads.
    results.sort(key=lambda pair: (not pair[0].confirmed, -(pair[0].score or 0.0)))
    references = {info.key: info.sha256 for info in list_references(store)}
    directory = store.settings.evidence_dir
    proofs = []
    for index, (result, service) in enumerate(results[:MAX_PROOF_ROWS]):
        proof = Proof(result, service)
        if index < MAX_PROOFS_WITH_IMAGES:
            images = (png_data_uri(directory, p) for p in result.thumbnails[:MAX_THUMBNAILS])
            proof.thumbnails = [uri for uri in images if uri]
            if result.matched_kind and result.matched_id:
                digest = references.get(reference_key(result.matched_kind, result.matched_id))
                if digest:
                    proof.reference_thumbnail = png_data_uri(directory, f"{digest}-0.png")
        proofs.append(proof)
    return proofs, len(results)


def png_data_uri(directory: Path, name: str) -> str | None:
    """A PNG of the evidence directory as a ``data:`` URI; None when absent or not a PNG.

    Only the file's name is used: a stored path pointing elsewhere reads nothing outside the
    evidence directory.
    """
    path = directory / Path(name).name
    try:
        if not path.is_file() or path.stat().st_size > _MAX_IMAGE:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    if not data.startswith(_PNG):
        return None
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def _targets(store: Store, case: Case) -> list[TargetFacts]:
    found = []
    for target in list_targets(store, str(case.id)):
        if target.kind is TargetKind.URL:
            found.append(TargetFacts(target))
            continue
        checks = load_checks(store, target.id, limit=1)
        last = checks[-1] if checks else None
        found.append(
            TargetFacts(
                target,
                last.http_status if last else None,
                last.final_url if last else None,
                last.addresses if last else [],
            )
        )
    return found
