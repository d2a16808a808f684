"""The evidence ledger: content-addressed files, the chain, signatures and verify's report."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from castwatch.catalog.cases import Case, CaseStatus, EventKind
from castwatch.catalog.evidence import GENESIS, EvidenceKind
from castwatch.enforce.cases import show_case
from castwatch.enforce.ledger import add_file, bytes_item, record
from castwatch.enforce.ledger_check import verify_ledger
from castwatch.enforce.store_ledger import iter_entries, read_signatures
from castwatch.storage.db import Store
from castwatch.storage.ledger_key import key_path


def test_items_are_chained_signed_and_verified(
    store: Store, case: Case, evidence_files: list[Path]
) -> None:
    entries = [add_file(store, case.name, path, description=path.name) for path in evidence_files]
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == GENESIS
    assert entries[1].prev_hash == entries[0].entry_hash
    stored = store.settings.evidence_dir / entries[0].stored_name
    assert stored.read_bytes() == evidence_files[0].read_bytes()
    assert entries[0].stored_name == entries[0].sha256 + ".json"
    assert entries[0].media_type == "application/json"
    report = verify_ledger(store)
    assert report.ok, report.failures
    assert (report.entries, report.files, report.signatures) == (3, 3, 3)
    assert report.head_seq == 3 and report.head_hash == entries[2].entry_hash
    # The key is private to the user; the case moved to "evidence" and says so.
    assert stat.S_IMODE(os.stat(key_path(store.settings.keys_dir)).st_mode) == 0o600
    shown = show_case(store, case.name)
    assert shown.status is CaseStatus.EVIDENCE
    assert shown.evidence_count == 3
    assert [e.data["seq"] for e in shown.events if e.kind is EventKind.EVIDENCE_ADDED] == [1, 2, 3]


def test_file_already_in_the_store_is_not_copied(store: Store, case: Case) -> None:
    # A verification capture: written by the verify stage under its own hash.
    item = bytes_item(store, b"\x47" * 188 * 4, EvidenceKind.CAPTURE, ".ts", "capture", "sim")
    capture = store.settings.evidence_dir / item.stored.name
    before = capture.stat().st_ino
    entry = add_file(store, case.name, capture, EvidenceKind.CAPTURE)
    assert entry.stored_name == capture.name
    assert capture.stat().st_ino == before
    assert entry.media_type == "video/mp2t"
    assert sorted(p.name for p in store.settings.evidence_dir.iterdir()) == [capture.name]


def test_same_bytes_twice_are_two_items_one_file(
    store: Store, case: Case, evidence_files: list[Path]
) -> None:
    first = add_file(store, case.name, evidence_files[0])
    second = add_file(store, case.name, evidence_files[0], description="again")
    assert first.stored_name == second.stored_name
    assert (first.seq, second.seq) == (1, 2)
    assert verify_ledger(store).ok


def test_batch_is_one_signature_and_case_filter_checks_its_files(
    store: Store, case: Case, evidence_files: list[Path]
) -> None:
    items = [
        bytes_item(store, b'{"dns": %d}' % i, EvidenceKind.DNS, ".json", f"dns {i}", "resolver")
        for i in range(5)
    ]
    record(store, case.name, items)
    assert len(read_signatures(store)) == 1
    assert [e.seq for e in iter_entries(store, case.id)] == [1, 2, 3, 4, 5]
    report = verify_ledger(store, case.name)
    assert report.ok and report.files == 5 and report.entries == 5
