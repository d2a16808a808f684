"""Add evidence to a case: store the bytes, then chain and sign one ledger row per item.

``add_*`` store the bytes first (content-addressed, see ``evidence.py``), then chain one row
per item onto the ledger and sign the new head in one transaction, through the one filing
door every stage uses (``storage/custody.file_evidence``), which refuses to append to a
chain whose tail fails. ``verify.py`` checks the whole ledger; docs/enforce.md says what
each check proves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from castwatch.catalog.credentials import redact_text
from castwatch.catalog.evidence import EvidenceKind, LedgerEntry
from castwatch.config import Settings
from castwatch.enforce.custody import EvidenceItem, file_evidence, ledger_key
from castwatch.enforce.evidence import EvidenceStore, StoredFile, media_type_of
from castwatch.enforce.store_ledger import check_tail
from castwatch.errors import EvidenceError
from castwatch.storage.db import Store
from castwatch.storage.ledger_key import LedgerKey


@dataclass(slots=True, frozen=True)
class NewItem:
    """One item to add: the stored file and what to say about it."""

    stored: StoredFile
    kind: EvidenceKind
    description: str
    source: str
    media_type: str
    captured_at: datetime


def evidence_store(settings: Settings) -> EvidenceStore:
    return EvidenceStore(settings.evidence_dir)


def signing_key(settings: Settings) -> LedgerKey:
    return ledger_key(settings)


def check_appendable(store: Store) -> None:
    """Refuse (:class:`EvidenceError`) when the ledger's tail fails, before anything is written.

    Whatever a refused append would leave behind (a copied file, an e-mail sent but never
    filed) must not happen: callers check first, and the append checks again under its lock.
    """
    check_tail(store, signing_key(store.settings))


def parse_kind(value: str) -> EvidenceKind:
    try:
        return EvidenceKind(value.strip().lower())
    except ValueError:
        known = ", ".join(k.value for k in EvidenceKind)
        raise EvidenceError(f"unknown evidence kind {value!r}; one of: {known}") from None


def file_item(
    store: Store,
    path: Path,
    kind: EvidenceKind = EvidenceKind.FILE,
    description: str = "",
    source: str | None = None,
    captured_at: datetime | None = None,
) -> NewItem:
    """Store ``path`` (copied unless already in the store) and describe it.

    The capture time defaults to the file's modification time: for a capture written by the
    verification stage that is when it was captured, not when it was filed.
    """
    if not path.is_file():
        raise EvidenceError(f"{path} is not a file; give the path of the evidence to add")
    stored = evidence_store(store.settings).put_file(path)
    moment = captured_at or datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return NewItem(
        stored, kind, description, source or str(path.resolve()), media_type_of(path.name), moment
    )


def bytes_item(
    store: Store,
    data: bytes,
    kind: EvidenceKind,
    suffix: str,
    description: str,
    source: str,
    media_type: str | None = None,
    captured_at: datetime | None = None,
) -> NewItem:
    """Store generated evidence (an export, an HTTP exchange, a DNS answer) and describe it."""
    stored = evidence_store(store.settings).put_bytes(data, suffix)
    return NewItem(
        stored, kind, description, source, media_type or media_type_of("x" + suffix),
        captured_at or datetime.now(UTC),
    )  # fmt: skip


def record(store: Store, case_ref: str | None, items: Sequence[NewItem]) -> list[LedgerEntry]:
    """Chain ``items`` onto the ledger for the case (or none) and sign the new head (one
    transaction); refused when the chain's tail fails verification.

    Descriptions and sources are free text an analyst may paste a stream URL or a token into:
    they are redacted here, before they are hashed into the chain, so no clear copy exists.
    """
    return file_evidence(
        store,
        [
            EvidenceItem(
                stored_name=item.stored.name,
                sha256=item.stored.sha256,
                size=item.stored.size,
                kind=item.kind.value,
                media_type=item.media_type,
                description=redact_text(item.description),
                source=redact_text(item.source),
                captured_at=item.captured_at,
            )
            for item in items
        ],
        case_ref,
    )


def add_file(
    store: Store,
    case_ref: str,
    path: Path,
    kind: EvidenceKind = EvidenceKind.FILE,
    description: str = "",
    source: str | None = None,
) -> LedgerEntry:
    """Add one file to a case's evidence; its ledger row.

    The ledger's tail is checked before the file is copied: a refused add leaves no orphan.
    """
    check_appendable(store)
    return record(store, case_ref, [file_item(store, path, kind, description, source)])[0]
