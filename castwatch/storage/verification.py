"""Keep references (with their fingerprints) and verification results in the database.

A reference is upserted by subject in one transaction: its fingerprints are replaced together,
so a failed capture leaves the previous reference whole. Fingerprints are stored as the bytes
``Fingerprint.to_bytes()`` writes; storage does not look inside them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from castwatch import __version__
from castwatch.catalog.credentials import Credentials, restore_credentials
from castwatch.catalog.verification import SUBJECT_KINDS, ReferenceInfo, VerificationResult
from castwatch.errors import NotFound, StorageError
from castwatch.storage.db import Store
from castwatch.storage.queries import find_service, find_snapshot, iter_entries
from castwatch.storage.tables import (
    CredentialRow,
    IdentificationRow,
    ReferencePrintRow,
    ReferenceRow,
    VerificationRow,
)


def save_reference(
    store: Store,
    info: ReferenceInfo,
    prints: Mapping[str, bytes],
) -> int:
    """Create or replace the reference of ``info``'s subject with ``prints``; its row id."""
    if info.subject_kind not in SUBJECT_KINDS:
        raise StorageError(f"a reference is of a channel or a work, not {info.subject_kind!r}")
    if not prints:
        raise StorageError(f"no fingerprints to store for {info.key}")
    now = datetime.now(UTC)
    with store.session() as session:
        row = session.scalars(
            select(ReferenceRow).where(
                ReferenceRow.subject_kind == info.subject_kind,
                ReferenceRow.subject_id == info.subject_id,
            )
        ).one_or_none()
        if row is None:
            row = ReferenceRow(
                subject_kind=info.subject_kind, subject_id=info.subject_id, created_at=now
            )
            session.add(row)
        row.live = info.live
        row.window_s = info.window_s
        row.source = info.source
        row.sha256 = info.sha256
        row.duration_s = info.duration_s
        row.updated_at = now
        session.flush()
        session.execute(delete(ReferencePrintRow).where(ReferencePrintRow.reference_id == row.id))
        session.add_all(
            ReferencePrintRow(reference_id=row.id, fingerprinter=name, data=data)
            for name, data in sorted(prints.items())
        )
        return row.id


def _utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every time castwatch stores is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _info(row: ReferenceRow, fingerprinters: tuple[str, ...]) -> ReferenceInfo:
    return ReferenceInfo(
        subject_kind=row.subject_kind,
        subject_id=row.subject_id,
        live=row.live,
        source=row.source,
        duration_s=row.duration_s,
        updated_at=_utc(row.updated_at),
        window_s=row.window_s,
        sha256=row.sha256,
        fingerprinters=fingerprinters,
    )


def list_references(store: Store) -> list[ReferenceInfo]:
    """Every reference, by subject, without fingerprint bytes."""
    with store.session() as session:
        names: dict[int, list[str]] = {}
        for reference_id, name in session.execute(
            select(ReferencePrintRow.reference_id, ReferencePrintRow.fingerprinter)
        ):
            names.setdefault(reference_id, []).append(name)
        rows = session.scalars(
            select(ReferenceRow).order_by(ReferenceRow.subject_kind, ReferenceRow.subject_id)
        ).all()
        return [_info(row, tuple(sorted(names.get(row.id, ())))) for row in rows]


def iter_reference_prints(store: Store) -> Iterator[tuple[ReferenceInfo, dict[str, bytes]]]:
    """Every reference with its fingerprint bytes by fingerprinter name."""
    with store.session() as session:
        prints: dict[int, dict[str, bytes]] = {}
        for print_row in session.scalars(select(ReferencePrintRow)):
            prints.setdefault(print_row.reference_id, {})[print_row.fingerprinter] = print_row.data
        rows = session.scalars(select(ReferenceRow).order_by(ReferenceRow.id)).all()
    for row in rows:
        found = prints.get(row.id, {})
        yield _info(row, tuple(sorted(found))), found


def load_reference_prints(store: Store, subject_kind: str, subject_id: str) -> dict[str, bytes]:
    """The fingerprint bytes of one reference by fingerprinter name (empty when none)."""
    with store.session() as session:
        rows = session.execute(
            select(ReferencePrintRow.fingerprinter, ReferencePrintRow.data)
            .join(ReferenceRow, ReferenceRow.id == ReferencePrintRow.reference_id)
            .where(ReferenceRow.subject_kind == subject_kind, ReferenceRow.subject_id == subject_id)
        )
        return {name: data for name, data in rows}


def delete_reference(store: Store, subject_kind: str, subject_id: str) -> None:
    """Forget one reference and its fingerprints."""
    with store.session() as session:
        row = session.scalars(
            select(ReferenceRow).where(
                ReferenceRow.subject_kind == subject_kind, ReferenceRow.subject_id == subject_id
            )
        ).one_or_none()
        if row is None:
            raise NotFound(f"no reference for {subject_kind} {subject_id}")
        session.execute(delete(ReferencePrintRow).where(ReferencePrintRow.reference_id == row.id))
        session.delete(row)


def save_verification(store: Store, result: VerificationResult) -> int:
    """Append one verification result; its row id."""
    with store.session() as session:
        return add_verification(session, result)


def add_verification(session: Session, result: VerificationResult) -> int:
    """Append one verification result in ``session``'s transaction; its row id.

    The job engine stores a check's result in the transaction that marks its job done, so a
    job run twice (a worker killed after the check) stores one result.
    """
    row = VerificationRow(
        service_id=result.service_id,
        snapshot_id=result.snapshot_id,
        entry_id=result.entry_id,
        source=result.source,
        claimed_kind=result.claimed_kind,
        claimed_id=result.claimed_id,
        matched_kind=result.matched_kind,
        matched_id=result.matched_id,
        confirmed=result.confirmed,
        score=result.score,
        offset_s=result.offset_s,
        matched_fraction=result.matched_fraction,
        candidates=list(result.candidates),
        capture_sha256=result.capture_sha256,
        capture_path=result.capture_path,
        thumbnails=list(result.thumbnails),
        error=result.error,
        verified_at=result.verified_at,
        tool_version=__version__,
    )
    session.add(row)
    session.flush()
    return row.id


def load_verifications(store: Store, service_id: int | None = None) -> list[VerificationResult]:
    """Stored verification results, oldest first (of one service, or all)."""
    query = select(VerificationRow).order_by(VerificationRow.id)
    if service_id is not None:
        query = query.where(VerificationRow.service_id == service_id)
    with store.session() as session:
        rows = session.scalars(query).all()
    return [
        VerificationResult(
            source=row.source,
            confirmed=row.confirmed,
            verified_at=_utc(row.verified_at),
            claimed_kind=row.claimed_kind,
            claimed_id=row.claimed_id,
            matched_kind=row.matched_kind,
            matched_id=row.matched_id,
            score=row.score,
            offset_s=row.offset_s,
            matched_fraction=row.matched_fraction,
            candidates=list(row.candidates),
            capture_sha256=row.capture_sha256,
            capture_path=row.capture_path,
            thumbnails=list(row.thumbnails),
            error=row.error,
            service_id=row.service_id,
            snapshot_id=row.snapshot_id,
            entry_id=row.entry_id,
        )
        for row in rows
    ]


@dataclass(slots=True, frozen=True)
class StreamTarget:
    """A playable entry of a snapshot, its URL with credentials restored, and its claim."""

    entry_id: int
    kind: str
    name: str
    url: str
    claimed_kind: str | None
    claimed_id: str | None
    #: Stalker entries: the link to ask ``create_link`` for when the entry is played.
    stalker: StalkerTicket | None = None


@dataclass(slots=True, frozen=True)
class StalkerTicket:
    """What a Stalker portal needs to make a playable URL for one entry (``create_link``).

    ``cmd`` is the entry's ``cmd`` as the portal listed it, credentials restored; ``link``
    is ``itv`` (live) or ``vod``; ``series`` the episode number when ``cmd`` is a season's.
    """

    api_url: str
    mac: str
    link: str
    cmd: str
    series: int | None = None


def _stalker_ticket(
    api_url: str,
    mac: str | None,
    kind: str,
    extra: dict[str, str] | None,
    credentials: Credentials | None,
) -> StalkerTicket | None:
    cmd = (extra or {}).get("cmd")
    if not cmd or not mac or not api_url:
        return None
    series = (extra or {}).get("series", "")
    return StalkerTicket(
        api_url=api_url,
        mac=mac,
        link="itv" if kind == "live" else "vod",
        cmd=restore_credentials(cmd, credentials) if credentials is not None else cmd,
        series=int(series) if series.isdecimal() else None,
    )


def stream_targets(
    store: Store,
    service: str,
    snapshot_id: int | None = None,
    kinds: tuple[str, ...] = ("live", "film", "episode"),
) -> tuple[int, int, list[StreamTarget]]:
    """``(service id, snapshot id, targets)``: the entries of a snapshot that can be played.

    Plain HTTP(S) URLs count; so do a Stalker service's entries with a ``cmd``, whose
    :class:`StalkerTicket` says how to ask the portal for a URL when the entry is played
    (links are short-lived). The claim is what identification stored for the entry, if any.
    """
    with store.session() as session:
        service_row = find_service(session, service)
        snapshot = find_snapshot(session, service_row, snapshot_id)
        secrets = {
            row.id: store.vault.decrypt(row.ciphertext)
            for row in session.scalars(
                select(CredentialRow).where(CredentialRow.service_id == service_row.id)
            )
        }
        claims = {
            entry_id: (kind, target)
            for entry_id, kind, target in session.execute(
                select(
                    IdentificationRow.entry_id,
                    IdentificationRow.target_kind,
                    IdentificationRow.target_id,
                ).where(
                    IdentificationRow.snapshot_id == snapshot.id,
                    IdentificationRow.target_id.is_not(None),
                )
            )
        }
        # Stalker cmds become URLs only through create_link, asked at play time.
        stalker = service_row.kind == "stalker"
        api_url = (service_row.base_urls or [""])[0] if stalker else ""
        box_mac = next((c.mac for c in secrets.values() if c.mac), None)
        targets = []
        for entry in iter_entries(session, snapshot):
            url = entry.url
            found = secrets.get(entry.credential_id) if entry.credential_id else None
            ticket = (
                _stalker_ticket(
                    api_url, (found.mac if found else None) or box_mac,
                    entry.kind, entry.extra, found,
                )
                if stalker and entry.kind in kinds
                else None
            )  # fmt: skip
            if ticket is not None:
                url = restore_credentials(url, found) if url and found else (url or ticket.cmd)
            elif entry.kind not in kinds or not url or not url.startswith(("http://", "https://")):
                continue
            elif found is not None:
                url = restore_credentials(url, found)
            claimed_kind, claimed_id = claims.get(entry.id, (None, None))
            targets.append(
                StreamTarget(
                    entry.id, entry.kind, entry.name, url, claimed_kind, claimed_id, ticket
                )
            )
        return service_row.id, snapshot.id, targets
