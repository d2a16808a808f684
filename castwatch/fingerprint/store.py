"""The verification stage's store: references with their prints, and verification results.

The one module that reads and writes :mod:`castwatch.fingerprint.tables`. A reference is
upserted by subject in one transaction: its prints are replaced together, so a failed
capture leaves the previous reference whole. Each print is stored as the bytes
``Fingerprint.to_bytes()`` writes, beside the medium it reads (``kind``, the facade's key)
and the name and version of the fingerprinter that made it. A verification result maps to
its row field for field by name (:func:`_result_columns`): there is no copy to keep in step.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from castwatch import __version__
from castwatch.catalog.credentials import Credentials, restore_credentials
from castwatch.catalog.store_queries import find_service, find_snapshot, iter_entries
from castwatch.catalog.tables import CredentialRow, ServiceRow
from castwatch.catalog.verification import SUBJECT_KINDS, ReferenceInfo, VerificationResult
from castwatch.errors import NotFound, StorageError
from castwatch.fingerprint.base import Fingerprint
from castwatch.fingerprint.tables import ReferencePrintRow, ReferenceRow, VerificationRow
from castwatch.identify.tables import IdentificationRow
from castwatch.storage.db import Store

__all__ = [
    "StalkerTicket",
    "StreamTarget",
    "add_verification",
    "delete_reference",
    "iter_reference_prints",
    "list_references",
    "load_reference_prints",
    "load_verifications",
    "save_reference",
    "save_verification",
    "service_urls",
    "stream_targets",
]

# --- references ----------------------------------------------------------------------------

#: The reference columns that :class:`ReferenceInfo` carries under the same names.
_REFERENCE_FIELDS = tuple(
    f.name for f in fields(ReferenceInfo) if f.name in ReferenceRow.__table__.c
)


def save_reference(store: Store, info: ReferenceInfo, prints: Mapping[str, Fingerprint]) -> int:
    """Create or replace the reference of ``info``'s subject with ``prints`` (by kind, as
    :func:`~castwatch.fingerprint.api.fingerprint_media` returns them); its row id."""
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
            row = ReferenceRow(created_at=now)
            session.add(row)
        for name in _REFERENCE_FIELDS:
            setattr(row, name, getattr(info, name))
        row.updated_at = now
        session.flush()
        session.execute(delete(ReferencePrintRow).where(ReferencePrintRow.reference_id == row.id))
        session.add_all(
            ReferencePrintRow(
                reference_id=row.id,
                kind=kind,
                fingerprinter=fingerprint.fingerprinter,
                version=fingerprint.version,
                data=fingerprint.to_bytes(),
            )
            for kind, fingerprint in sorted(prints.items())
        )
        return row.id


def _info(row: ReferenceRow, kinds: tuple[str, ...]) -> ReferenceInfo:
    return ReferenceInfo(
        **{name: getattr(row, name) for name in _REFERENCE_FIELDS}, fingerprinters=kinds
    )


def list_references(store: Store) -> list[ReferenceInfo]:
    """Every reference, by subject, without its prints (``fingerprinters``: their kinds)."""
    with store.session() as session:
        kinds: dict[int, list[str]] = {}
        for reference_id, kind in session.execute(
            select(ReferencePrintRow.reference_id, ReferencePrintRow.kind)
        ):
            kinds.setdefault(reference_id, []).append(kind)
        rows = session.scalars(
            select(ReferenceRow).order_by(ReferenceRow.subject_kind, ReferenceRow.subject_id)
        ).all()
        return [_info(row, tuple(sorted(kinds.get(row.id, ())))) for row in rows]


def iter_reference_prints(store: Store) -> Iterator[tuple[ReferenceInfo, dict[str, Fingerprint]]]:
    """Every reference with its prints by kind."""
    with store.session() as session:
        prints: dict[int, dict[str, bytes]] = {}
        for print_row in session.scalars(select(ReferencePrintRow)):
            prints.setdefault(print_row.reference_id, {})[print_row.kind] = print_row.data
        rows = session.scalars(select(ReferenceRow).order_by(ReferenceRow.id)).all()
        infos = [_info(row, tuple(sorted(prints.get(row.id, ())))) for row in rows]
        ids = [row.id for row in rows]
    for reference_id, info in zip(ids, infos, strict=True):
        yield info, _decoded(prints.get(reference_id, {}))


def load_reference_prints(
    store: Store, subject_kind: str, subject_id: str
) -> dict[str, Fingerprint]:
    """The prints of one reference by kind (empty when there is no such reference)."""
    with store.session() as session:
        rows = session.execute(
            select(ReferencePrintRow.kind, ReferencePrintRow.data)
            .join(ReferenceRow, ReferenceRow.id == ReferencePrintRow.reference_id)
            .where(ReferenceRow.subject_kind == subject_kind, ReferenceRow.subject_id == subject_id)
        )
        return _decoded({kind: data for kind, data in rows})


def _decoded(prints: Mapping[str, bytes]) -> dict[str, Fingerprint]:
    return {kind: Fingerprint.from_bytes(data) for kind, data in prints.items()}


def delete_reference(store: Store, subject_kind: str, subject_id: str) -> None:
    """Forget one reference and its prints."""
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


# --- verification results ------------------------------------------------------------------

#: Every field of a result; each is a verification column of the same name.
_RESULT_FIELDS = tuple(f.name for f in fields(VerificationResult))


def _result_columns(result: VerificationResult) -> dict[str, Any]:
    """The row columns of ``result`` (lists copied, so the row never shares the result's)."""
    return {
        name: list(value) if isinstance(value, list) else value
        for name in _RESULT_FIELDS
        for value in (getattr(result, name),)
    }


def save_verification(store: Store, result: VerificationResult) -> int:
    """Append one verification result; its row id."""
    with store.session() as session:
        return add_verification(session, result)


def add_verification(session: Session, result: VerificationResult) -> int:
    """Append one verification result in ``session``'s transaction; its row id.

    The job engine stores a check's result in the transaction that marks its job done, so a
    job run twice (a worker killed after the check) stores one result.
    """
    row = VerificationRow(**_result_columns(result), tool_version=__version__)
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
            VerificationResult(**{name: getattr(row, name) for name in _RESULT_FIELDS})
            for row in rows
        ]


# --- what a service offers to verify -------------------------------------------------------


def service_urls(store: Store, service_id: int) -> tuple[str, ...]:
    """The URLs the user gave for a service (redacted: only their host and port matter)."""
    with store.session() as session:
        row = session.get(ServiceRow, service_id)
        return tuple(row.base_urls) if row is not None else ()


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
