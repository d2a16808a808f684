"""No rollback: every append checks the chain's tail first, and verify checks what cites it.

The attack of issue 12: delete the ledger's last rows and their signatures, point the head
row at the new last row, then run one ordinary ``evidence add`` so a fresh signature blesses
the shorter chain. Also here: orphans, stale scratch files, ``--expect-head``, and evidence
filed before any case.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update

from castwatch.catalog.cases import Case
from castwatch.catalog.evidence import GENESIS, EvidenceKind
from castwatch.enforce.custody import file_evidence, stored_item
from castwatch.enforce.ledger import add_file
from castwatch.enforce.ledger_check import VerifyReport, verify_ledger
from castwatch.enforce.notices.draft import draft_notices
from castwatch.enforce.settings import load_enforce_settings
from castwatch.enforce.store_ledger import count_entries
from castwatch.enforce.tables import LedgerEntryRow, LedgerHeadRow, LedgerSignatureRow
from castwatch.errors import EvidenceError
from castwatch.storage.db import Store
from castwatch.storage.ledger_key import LedgerKey, key_path, witness_path
from tests.enforce.notice_fixtures import prepare_case, write_settings

fcntl = pytest.importorskip("fcntl")


@pytest.fixture()
def filed(store: Store, case: Case, evidence_files: list[Path]) -> Store:
    for path in evidence_files:
        add_file(store, case.name, path, description=path.name)
    assert verify_ledger(store).ok
    return store


def cut_tail(store: Store) -> int:
    """Remove the last row and its signatures and re-point the head: a consistent prefix."""
    with store.session() as session:
        last = session.scalar(select(func.max(LedgerEntryRow.seq)))
        assert last is not None
        previous = (
            session.scalar(select(LedgerEntryRow.entry_hash).where(LedgerEntryRow.seq == last - 1))
            or GENESIS
        )
        session.execute(delete(LedgerEntryRow).where(LedgerEntryRow.seq == last))
        session.execute(delete(LedgerSignatureRow).where(LedgerSignatureRow.seq == last))
        session.execute(update(LedgerHeadRow).values(seq=last - 1, entry_hash=previous))
    return last


def _messages(report: VerifyReport) -> str:
    assert not report.ok, "the tampering went unnoticed"
    return "\n".join(f"{f.check}: {f.message}" for f in report.failures)


def _another_file(tmp_path: Path) -> Path:
    path = tmp_path / "later.txt"
    path.write_bytes(b"filed after the cut")
    return path


def test_an_append_after_the_tail_was_cut_is_refused(filed: Store, tmp_path: Path) -> None:
    removed = cut_tail(filed)
    before = sorted(p.name for p in filed.settings.evidence_dir.iterdir())
    with pytest.raises(EvidenceError, match="entries were removed from its end") as refused:
        add_file(filed, "op-falcon", _another_file(tmp_path))
    assert f"entry {removed}" in str(refused.value)
    assert count_entries(filed) == removed - 1
    # Refused before the copy: no orphan left behind in the store.
    assert sorted(p.name for p in filed.settings.evidence_dir.iterdir()) == before
    assert "the chain ends at entry 2" in _messages(verify_ledger(filed))


def test_with_the_witness_gone_too_the_timeline_still_names_the_rollback(
    filed: Store, tmp_path: Path
) -> None:
    removed = cut_tail(filed)
    witness_path(filed.settings.keys_dir).unlink()
    add_file(filed, "op-falcon", _another_file(tmp_path))  # a fresh signature over the cut
    failures = _messages(verify_ledger(filed))
    assert f"records item {removed} as sha256:" in failures, failures


def test_a_tampered_tail_refuses_appends(filed: Store, tmp_path: Path) -> None:
    with filed.session() as session:
        session.execute(
            update(LedgerEntryRow).where(LedgerEntryRow.seq == 3).values(description="forged")
        )
    with pytest.raises(EvidenceError, match="entry 3: its fields do not match its hash"):
        add_file(filed, "op-falcon", _another_file(tmp_path))


def test_a_missing_last_signature_refuses_appends(filed: Store, tmp_path: Path) -> None:
    with filed.session() as session:
        session.execute(delete(LedgerSignatureRow).where(LedgerSignatureRow.seq == 3))
    with pytest.raises(EvidenceError, match="the last signature covers entry 2"):
        add_file(filed, "op-falcon", _another_file(tmp_path))


def test_a_replaced_key_refuses_appends(filed: Store, tmp_path: Path) -> None:
    key_path(filed.settings.keys_dir).unlink()
    LedgerKey.load_or_create(filed.settings.keys_dir)
    with pytest.raises(EvidenceError, match="the signing key was replaced"):
        add_file(filed, "op-falcon", _another_file(tmp_path))
    assert "witness" in {f.check for f in verify_ledger(filed).failures}


def test_a_notice_citing_a_removed_head_fails_verify(store: Store, tmp_path: Path) -> None:
    source = tmp_path / "capture.json"
    source.write_bytes(b'{"capture": 1}')
    case = prepare_case(store, source)
    write_settings(store.settings.home)
    settings = load_enforce_settings(store.settings.home)
    (notice,) = draft_notices(store, case, "blocklist", settings)
    assert verify_ledger(store).ok
    assert verify_ledger(store).citations >= 2  # the notice's head and the timeline's item
    cut_tail(store)
    witness_path(store.settings.keys_dir).unlink()
    failures = _messages(verify_ledger(store))
    assert f"notice {notice.id} (blocklist) cites ledger head entry 1" in failures, failures


def test_expect_head_finds_a_head_or_names_its_absence(filed: Store) -> None:
    with filed.session() as session:
        second = session.scalar(select(LedgerEntryRow.entry_hash).where(LedgerEntryRow.seq == 2))
    assert second is not None
    found = verify_ledger(filed, expect_head=f"sha256:{second.upper()}")
    assert found.ok and found.expected_head_seq == 2
    cut_tail(filed)
    cut_tail(filed)
    witness_path(filed.settings.keys_dir).unlink()
    failures = _messages(verify_ledger(filed, expect_head=second))
    assert "expect-head: the chain holds no entry with hash" in failures
    with pytest.raises(EvidenceError, match="is not a ledger head"):
        verify_ledger(filed, expect_head="12345")


@pytest.mark.parametrize("name", ["notes.txt", "a" * 64 + ".ts", "b" * 64 + "-0.png"])
def test_a_file_no_item_covers_is_an_orphan(filed: Store, name: str) -> None:
    (filed.settings.evidence_dir / name).write_bytes(b"slipped in")
    report = verify_ledger(filed)
    assert report.orphans == 1
    assert f"orphan: {name}: a file in" in _messages(report)


def test_stale_scratch_files_are_removed_and_live_ones_kept(filed: Store) -> None:
    directory = filed.settings.evidence_dir
    stale = directory / ".evidence-killed.tmp"
    stale.write_bytes(b"x" * 4096)
    live = directory / ".capture-running.partial"
    live.write_bytes(b"still coming")
    fd = os.open(live, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        report = verify_ledger(filed)
    finally:
        os.close(fd)
    assert report.ok, report.failures
    assert report.stale_removed == [".evidence-killed.tmp"]
    assert not stale.exists() and live.exists()


def test_evidence_of_no_case_is_chained_and_verified(store: Store) -> None:
    directory = store.settings.evidence_dir
    directory.mkdir(parents=True, exist_ok=True)
    name = "c" * 64 + "-0.png"
    (directory / name).write_bytes(b"\x89PNG frame")
    item = stored_item(
        store.settings, name, EvidenceKind.THUMBNAIL.value, "image/png", "a frame",
        "http://sim.test/live/1.ts", datetime.now(UTC),
    )  # fmt: skip
    (entry,) = file_evidence(store, [item])
    assert entry.case_id is None and entry.seq == 1
    assert verify_ledger(store).ok
    with pytest.raises(EvidenceError, match="not a name of the evidence store"):
        stored_item(store.settings, "../castwatch.db", "file", "x", "", "", datetime.now(UTC))
