"""Evidence items and the hash chain that binds them, as plain data (no I/O).

Every item of evidence is one file in the content-addressed evidence store plus one row of
the ledger. A row's hash covers *every* field of the row, its sequence number and times
included, and the previous row's hash::

    entry_hash = SHA-256(prev_hash (32 raw bytes) || canonical JSON of all other fields)

so changing any field, removing a row or reordering rows breaks a link that
``castwatch evidence verify`` recomputes. The canonical JSON is defined here once, for the
writer and the verifier alike: sorted keys, no whitespace, UTF-8, times in UTC as
``YYYY-MM-DDTHH:MM:SS.ffffffZ``.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import orjson

#: The ``prev_hash`` of the first row: 32 zero bytes, in hex like every other hash.
GENESIS = "0" * 64


class EvidenceKind(StrEnum):
    """What an item of evidence is; the notices cite items by kind."""

    FILE = "file"
    INVENTORY = "inventory"
    IDENTIFICATION = "identification"
    VERIFICATION = "verification"
    CAPTURE = "capture"
    THUMBNAIL = "thumbnail"
    HTTP = "http"
    DNS = "dns"
    SCREENSHOT = "screenshot"
    NOTICE = "notice"
    DOSSIER = "dossier"


def utc_text(moment: datetime) -> str:
    """The one spelling of a time in the chain (naive times are taken as UTC, as stored)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(slots=True, frozen=True)
class EvidenceFacts:
    """What the caller knows about a new item: everything but the chain's own fields."""

    #: None for evidence filed before any case (a verification capture, a reference).
    case_id: int | None
    sha256: str
    stored_name: str
    kind: str
    media_type: str
    size: int
    description: str
    source: str
    captured_at: datetime
    host: str
    tool_version: str


@dataclass(slots=True, frozen=True)
class LedgerEntry:
    """One ledger row: an item of evidence, its place in the chain and its hash."""

    seq: int
    #: None for evidence filed before any case (a verification capture, a reference).
    case_id: int | None
    sha256: str
    stored_name: str
    kind: str
    media_type: str
    size: int
    description: str
    source: str
    captured_at: datetime
    recorded_at: datetime
    host: str
    tool_version: str
    prev_hash: str
    entry_hash: str

    def canonical(self) -> bytes:
        """Every field but ``entry_hash``, as canonical JSON bytes."""
        # getattr, not asdict(): asdict deep-copies, and verify calls this 100,000 times.
        return canonical_fields({name: getattr(self, name) for name in _ENTRY_FIELDS})

    def expected_hash(self) -> str:
        """The hash this row must carry, from its own fields and its ``prev_hash``."""
        return chain_hash(self.prev_hash, self.canonical())

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


_ENTRY_FIELDS = tuple(f.name for f in fields(LedgerEntry) if f.name != "entry_hash")


def canonical_fields(fields: dict[str, Any]) -> bytes:
    """Canonical JSON of a row's fields (``entry_hash`` left out: it is the result)."""
    plain = {
        name: utc_text(value) if isinstance(value, datetime) else value
        for name, value in fields.items()
        if name != "entry_hash"
    }
    return orjson.dumps(plain, option=orjson.OPT_SORT_KEYS)


def chain_hash(prev_hash: str, canonical: bytes) -> str:
    """SHA-256 over the previous hash's 32 raw bytes, then the canonical row."""
    try:
        previous = bytes.fromhex(prev_hash)
    except ValueError:
        # A tampered prev_hash that is not hex still gets a hash, so verify can name it.
        previous = prev_hash.encode()
    return hashlib.sha256(previous + canonical).hexdigest()


def seal(facts: EvidenceFacts, seq: int, prev_hash: str, recorded_at: datetime) -> LedgerEntry:
    """The ledger row for ``facts`` at position ``seq`` after ``prev_hash``, hash included."""
    fields = asdict(facts) | {"seq": seq, "recorded_at": recorded_at, "prev_hash": prev_hash}
    entry_hash = chain_hash(prev_hash, canonical_fields(fields))
    return LedgerEntry(**fields, entry_hash=entry_hash)


def head_message(seq: int, head_hash: str, signed_at: datetime, key_fingerprint: str) -> bytes:
    """The bytes a chain-head signature covers: the head and the signature's own fields."""
    return orjson.dumps(
        {
            "seq": seq,
            "head_hash": head_hash,
            "signed_at": utc_text(signed_at),
            "key_fingerprint": key_fingerprint,
        },
        option=orjson.OPT_SORT_KEYS,
    )
