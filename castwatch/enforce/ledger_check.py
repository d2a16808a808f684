"""Recompute everything the evidence ledger claims, and name each thing that fails.

Checks, in order (docs/enforce.md says what each one proves):

1. **links**: rows are numbered 1, 2, 3... without gaps; each row's ``prev_hash`` is the
   previous row's ``entry_hash`` (the first one's is all zeros); each row's ``entry_hash`` is
   recomputed from all its fields. An edited field, a removed or reordered row fails here.
2. **head**: the ``ledger_head`` row names the last row and its hash: rows removed from the
   end fail here (and at 3).
3. **signatures**: each signature's fields match the chain at its ``seq``, it verifies with
   the data directory's Ed25519 key, that key's fingerprint is the one recorded (and the one
   pinned with ``--key``), and the last row is covered by a signature.
4. **files**: every item's file exists in the evidence store with its size and SHA-256.
5. **timestamps**: every RFC 3161 token names a head the chain has and carries its imprint.
6. **what points at the chain from outside it** (``ledger_anchors.py``): the head witness
   kept beside the key, the heads cited by stored notices and filed dossiers, the items named
   by case timelines, a head given with ``--expect-head``; and the store itself: a file no
   item covers (an orphan) fails, a killed writer's scratch file is removed.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from castwatch.catalog.evidence import GENESIS, LedgerEntry, head_message
from castwatch.enforce.custody import STORED_NAME
from castwatch.enforce.evidence import hash_file
from castwatch.enforce.ledger_anchors import Chain, check_anchors
from castwatch.enforce.store import load_case
from castwatch.enforce.store_ledger import (
    iter_entries,
    read_head,
    read_signatures,
    read_timestamps,
)
from castwatch.storage.db import Store
from castwatch.storage.ledger_key import load_public_key, public_fingerprint, signature_valid

Progress = Callable[[str, int, int | None], None]
_FRAME = re.compile(r"^[0-9a-f]{64}-[0-9]{1,4}\.png$")  # a thumbnail, named after its capture


@dataclass(slots=True, frozen=True)
class Failure:
    """One thing that does not verify: which check, which row (if any), and why."""

    check: str
    seq: int | None
    message: str


@dataclass(slots=True)
class VerifyReport:
    """What was checked and what failed; ``ok`` only when nothing did."""

    case: str | None = None
    entries: int = 0
    files: int = 0
    signatures: int = 0
    timestamps: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    key_fingerprint: str | None = None
    #: Files of the store that no ledger item covers (each one also a failure).
    orphans: int = 0
    #: Scratch files of killed writers removed from the store (not failures).
    stale_removed: list[str] = field(default_factory=list)
    #: Heads and items cited from outside the chain that were checked against it.
    citations: int = 0
    #: The entry whose hash was given with ``--expect-head``, once found.
    expected_head_seq: int | None = None
    failures: list[Failure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def fail(self, check: str, seq: int | None, message: str) -> None:
        self.failures.append(Failure(check, seq, message))

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["ok"] = self.ok
        return out


def verify_ledger(
    store: Store,
    case_ref: str | None = None,
    expected_key: str | None = None,
    progress: Progress | None = None,
    expect_head: str | None = None,
) -> VerifyReport:
    """Verify the chain, head and signatures of the whole ledger, what cites it and the
    store's files; the items' files of one case (or of all cases when ``case_ref`` is None).

    ``expect_head`` is a head hash printed on a dossier or notice already sent: verification
    fails when the chain no longer holds it (its tail was cut or rewritten since).
    """
    case_id = None if case_ref is None else load_case(store, case_ref, with_events=False).id
    report = VerifyReport(case=case_ref)
    signatures = read_signatures(store)
    chain = Chain()
    directory = store.settings.evidence_dir
    prefix = f"{directory}{os.sep}"
    expected_seq, prev_hash = 1, GENESIS
    for entry in iter_entries(store):
        _check_link(report, entry, expected_seq, prev_hash)
        chain.add(entry)
        if case_id is None or entry.case_id == case_id:
            _check_file(report, entry, directory, prefix)
        expected_seq, prev_hash = entry.seq + 1, entry.entry_hash
        report.entries += 1
        report.head_seq, report.head_hash = entry.seq, entry.entry_hash
        if progress is not None and report.entries % 1000 == 0:
            progress("verify", report.entries, None)
    _check_head(report, store)
    _check_signatures(report, store, signatures, chain.hashes, expected_key)
    _check_timestamps(report, store, chain.hashes)
    check_anchors(report, store, chain, expect_head)
    return report


def _check_link(report: VerifyReport, entry: LedgerEntry, expected_seq: int, prev: str) -> None:
    if entry.seq != expected_seq:
        missing = f"{expected_seq}" if entry.seq == expected_seq + 1 else (
            f"{expected_seq}..{entry.seq - 1}"
        )  # fmt: skip
        report.fail("link", entry.seq, f"entries {missing} missing before entry {entry.seq}")
    if entry.prev_hash != prev:
        report.fail(
            "link", entry.seq,
            f"entry {entry.seq} does not follow the entry before it "
            f"(prev_hash {entry.prev_hash[:16]}..., previous entry is {prev[:16]}...)",
        )  # fmt: skip
    if entry.expected_hash() != entry.entry_hash:
        report.fail(
            "entry", entry.seq,
            f"entry {entry.seq} ({entry.kind} {entry.stored_name}): its fields do not match "
            "its hash; a field was changed after it was recorded",
        )  # fmt: skip


def _check_file(report: VerifyReport, entry: LedgerEntry, directory: Path, prefix: str) -> None:
    report.files += 1
    path = prefix + entry.stored_name
    label = f"item {entry.seq} ({entry.kind}, {entry.stored_name})"
    name = entry.stored_name
    if not STORED_NAME.match(name) or not (name.startswith(entry.sha256) or _FRAME.match(name)):
        report.fail("file", entry.seq, f"{label}: the stored name does not carry its hash")
        return
    try:
        sha256, size = hash_file(path)
    except FileNotFoundError:
        report.fail("file", entry.seq, f"{label}: the file is missing from {directory}")
        return
    except OSError as exc:
        report.fail("file", entry.seq, f"{label}: cannot read {path}: {exc.strerror or exc}")
        return
    if sha256 != entry.sha256 or size != entry.size:
        report.fail(
            "file", entry.seq,
            f"{label}: the file was altered (SHA-256 now {sha256[:16]}..., {size:,} bytes; "
            f"recorded {entry.sha256[:16]}..., {entry.size:,} bytes)",
        )  # fmt: skip


def _check_head(report: VerifyReport, store: Store) -> None:
    head = read_head(store)
    if head is None:
        report.fail("head", None, "the ledger head row is missing")
    elif head != (report.head_seq, report.head_hash):
        report.fail(
            "head", head[0],
            f"the head row names entry {head[0]} ({head[1][:16]}...) but the chain ends at "
            f"entry {report.head_seq} ({report.head_hash[:16]}...): entries removed or added",
        )  # fmt: skip


def _check_signatures(
    report: VerifyReport,
    store: Store,
    signatures: list[Any],
    hashes_at: dict[int, str],
    expected_key: str | None,
) -> None:
    public_key = load_public_key(store.settings.keys_dir)
    current = None if public_key is None else public_fingerprint(public_key)
    report.key_fingerprint = current
    if expected_key and current != expected_key.lower():
        report.fail(
            "key", None,
            f"the signing key in {store.settings.keys_dir} has fingerprint {current}, "
            f"not the expected {expected_key}: the key was replaced",
        )  # fmt: skip
    if public_key is None and signatures:
        report.fail("key", None, f"no signing key in {store.settings.keys_dir}: it was removed")
    last_signed = 0
    for signature in signatures:
        report.signatures += 1
        label = f"signature {signature.id} (head {signature.seq})"
        chained = hashes_at.get(signature.seq, GENESIS if signature.seq == 0 else None)
        if chained is None:
            report.fail(
                "signature", signature.seq, f"{label}: the chain has no entry {signature.seq}"
            )
        elif chained != signature.head_hash:
            report.fail(
                "signature", signature.seq, f"{label}: signs a head the chain does not have"
            )
        if signature.key_fingerprint != current:
            report.fail(
                "signature", signature.seq,
                f"{label}: made with key {signature.key_fingerprint[:16]}..., but the current "
                f"key is {(current or 'none')[:16]}...: the signing key was replaced",
            )  # fmt: skip
        message = head_message(
            signature.seq, signature.head_hash, signature.signed_at, signature.key_fingerprint
        )
        if public_key is not None and not signature_valid(public_key, signature.signature, message):
            report.fail("signature", signature.seq, f"{label}: does not verify with the key")
        if chained is not None and chained == signature.head_hash:
            last_signed = max(last_signed, signature.seq)
    if report.head_seq and last_signed < report.head_seq:
        report.fail(
            "signature", report.head_seq,
            f"entries {last_signed + 1}..{report.head_seq} are covered by no signature "
            "(appended outside castwatch?)",
        )  # fmt: skip


def _check_timestamps(report: VerifyReport, store: Store, hashes_at: dict[int, str]) -> None:
    for stamp in read_timestamps(store):
        report.timestamps += 1
        label = f"timestamp {stamp.id} (head {stamp.seq}, {stamp.tsa_url})"
        if hashes_at.get(stamp.seq) != stamp.head_hash:
            report.fail("timestamp", stamp.seq, f"{label}: stamps a head the chain does not have")
        imprint = hashlib.sha256(bytes.fromhex(stamp.head_hash)).digest()
        if imprint not in stamp.token:
            report.fail("timestamp", stamp.seq, f"{label}: the token does not carry the head")
