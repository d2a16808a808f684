"""Chain of custody: file what was written under ``evidence/`` into the ledger, from any stage.

Every file castwatch writes in the evidence directory is a ledger item: captures, each of
their thumbnails, reference captures, items added with ``evidence add``, sent notices, filed
dossiers. :func:`file_evidence` is the one door for all of them. It lives in ``storage``
because the verification stage (``fingerprint``), which writes captures, sits left of
``enforce`` and may not import it; ``enforce/ledger.py`` files through it too.

Items need not belong to a case: a verification capture is filed when it is taken (its
``case_id`` NULL) and filed again, under the case, when a case cites it. The ledger, not the
directory, is the record: ``castwatch evidence verify`` fails on any file no item covers.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from castwatch import __version__
from castwatch.catalog.evidence import EvidenceFacts, LedgerEntry
from castwatch.config import Settings
from castwatch.enforce.store import load_case
from castwatch.enforce.store_ledger import append_entries
from castwatch.errors import EvidenceError
from castwatch.storage.db import Store
from castwatch.storage.ledger_key import LedgerKey

_CHUNK = 1 << 20
#: A name the store may hold: a SHA-256, for thumbnails a frame number, and a suffix. No
#: separator can appear, so a ledger row can never point outside the evidence directory.
STORED_NAME = re.compile(r"^[0-9a-f]{64}(?:-[0-9]{1,4})?(?:\.[a-z0-9]{1,10}){0,2}$")


@dataclass(slots=True, frozen=True)
class EvidenceItem:
    """A file already in the evidence directory, and what to say about it."""

    stored_name: str
    sha256: str
    size: int
    kind: str
    media_type: str
    description: str
    source: str
    captured_at: datetime


def hash_file(path: os.PathLike[str] | str) -> tuple[str, int]:
    """SHA-256 (hex) and size of a file, read in chunks."""
    # Unbuffered reads on a raw descriptor: verify hashes 100,000 small files, and the
    # buffered pathlib route costs more than the hashing itself for them.
    digest = hashlib.sha256()
    size = 0
    fd = os.open(path, os.O_RDONLY)
    try:
        while chunk := os.read(fd, _CHUNK):
            digest.update(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    return digest.hexdigest(), size


def ledger_key(settings: Settings) -> LedgerKey:
    """The data directory's signing key (created on first use)."""
    return LedgerKey.load_or_create(settings.keys_dir)


def stored_item(
    settings: Settings,
    stored_name: str,
    kind: str,
    media_type: str,
    description: str,
    source: str,
    captured_at: datetime,
) -> EvidenceItem:
    """Describe ``stored_name``, a file of the evidence directory, hashing it as it is now."""
    if not STORED_NAME.match(stored_name):
        raise EvidenceError(f"{stored_name!r} is not a name of the evidence store")
    path = settings.evidence_dir / stored_name
    try:
        sha256, size = hash_file(path)
    except OSError as exc:
        raise EvidenceError(f"cannot read evidence {path}: {exc.strerror or exc}") from None
    return EvidenceItem(
        stored_name, sha256, size, kind, media_type, description, source, captured_at
    )


def file_evidence(
    store: Store, items: Sequence[EvidenceItem], case_ref: str | None = None
) -> list[LedgerEntry]:
    """Chain ``items`` onto the ledger (under a case, or none) and sign the new head.

    One transaction; refused, recording nothing, when the ledger's tail already fails
    verification (``enforcement_ledger.tail_problems``).
    """
    if not items:
        return []
    case_id = None if case_ref is None else load_case(store, case_ref, with_events=False).id
    host = socket.gethostname()
    facts = [
        EvidenceFacts(
            case_id=case_id,
            sha256=item.sha256,
            stored_name=item.stored_name,
            kind=item.kind,
            media_type=item.media_type,
            size=item.size,
            description=item.description,
            source=item.source,
            captured_at=item.captured_at,
            host=host,
            tool_version=__version__,
        )
        for item in items
    ]
    ref = None if case_id is None else str(case_id)
    return append_entries(store, ref, facts, ledger_key(store.settings))
