"""Verification records: reference recordings and the results of checking streams against them.

The verification stage (``castwatch/fingerprint/``) produces these, storage keeps them, the
CLI prints them. A reference is named by its subject: a channel (iptv-org id) or a work (works
registry id); :func:`reference_key` is the single spelling of that name the index uses.
Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

SubjectKind = Literal["channel", "work"]
SUBJECT_KINDS: tuple[SubjectKind, ...] = ("channel", "work")


def reference_key(kind: str, subject_id: str) -> str:
    """The index key of a reference: ``channel:CanalPlus.fr`` or ``work:tt1877830``."""
    return f"{kind}:{subject_id}"


def split_reference_key(key: str) -> tuple[str, str]:
    """``(kind, id)`` of a key made by :func:`reference_key`."""
    kind, _, subject_id = key.partition(":")
    return kind, subject_id


@dataclass(slots=True, frozen=True)
class ReferenceInfo:
    """What is stored about one reference, without its fingerprint bytes."""

    subject_kind: str
    subject_id: str
    live: bool
    source: str
    duration_s: float
    updated_at: datetime
    window_s: float | None = None
    sha256: str | None = None
    fingerprinters: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return reference_key(self.subject_kind, self.subject_id)

    def to_dict(self) -> dict[str, Any]:
        """The ``castwatch ref add|capture|list --json`` document of one reference."""
        return {
            "reference": self.key,
            "live": self.live,
            "duration_s": round(self.duration_s, 3),
            "window_s": self.window_s,
            "source": self.source,
            "sha256": self.sha256,
            "fingerprints": list(self.fingerprinters),
            "updated_at": self.updated_at,
        }


@dataclass(slots=True)
class VerificationResult:
    """One stream or file checked against the references, with the evidence captured."""

    source: str
    confirmed: bool
    verified_at: datetime
    claimed_kind: str | None = None
    claimed_id: str | None = None
    matched_kind: str | None = None
    matched_id: str | None = None
    score: float | None = None
    offset_s: float | None = None
    matched_fraction: float | None = None
    candidates: list[dict[str, Any]] = field(default_factory=list)
    capture_sha256: str | None = None
    capture_path: str | None = None
    thumbnails: list[str] = field(default_factory=list)
    error: str | None = None
    service_id: int | None = None
    snapshot_id: int | None = None
    entry_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The result as plain JSON types (the CLI's ``--json``)."""
        return {
            "source": self.source,
            "confirmed": self.confirmed,
            "claimed": _subject(self.claimed_kind, self.claimed_id),
            "match": _subject(self.matched_kind, self.matched_id),
            "score": self.score,
            "offset_s": self.offset_s,
            "matched_fraction": self.matched_fraction,
            "candidates": self.candidates,
            "evidence": {
                "sha256": self.capture_sha256,
                "capture": self.capture_path,
                "thumbnails": self.thumbnails,
            },
            "error": self.error,
            "entry_id": self.entry_id,
            "verified_at": self.verified_at.isoformat(),
        }


def _subject(kind: str | None, subject_id: str | None) -> str | None:
    return reference_key(kind, subject_id) if kind and subject_id else None
