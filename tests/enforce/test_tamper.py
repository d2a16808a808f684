"""Tampering with anything the ledger vouches for is detected, and verify names it.

Every column of every ledger row and of every signature row is edited in turn; evidence files
get a flipped byte or go missing; rows are reordered and removed; the signing key is replaced.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from castwatch.catalog.cases import Case
from castwatch.enforce.cases import open_case
from castwatch.enforce.ledger import add_file
from castwatch.enforce.ledger_check import VerifyReport, verify_ledger
from castwatch.enforce.tables import LedgerEntryRow, LedgerHeadRow, LedgerSignatureRow
from castwatch.storage.db import Store
from castwatch.storage.ledger_key import key_path

LEDGER_COLUMNS = [column.name for column in LedgerEntryRow.__table__.columns]
SIGNATURE_COLUMNS = [c.name for c in LedgerSignatureRow.__table__.columns if c.name != "id"]


@pytest.fixture()
def filed(store: Store, case: Case, evidence_files: list[Path]) -> Store:
    for path in evidence_files:
        add_file(store, case.name, path, description=path.name)
    assert verify_ledger(store).ok
    return store


def _changed(value: Any, column: str, other_case: int) -> Any:
    if column == "case_id":
        return other_case
    if column == "seq":
        return 99
    if isinstance(value, int):
        return value + 1
    if hasattr(value, "tzinfo"):
        return value + timedelta(microseconds=1)
    if isinstance(value, bytes):
        return bytes([value[0] ^ 1]) + value[1:]
    if column.endswith(("hash", "fingerprint")) or column == "sha256":
        return ("1" if value[0] != "1" else "2") + value[1:]
    return value + "x"


def _failed(report: VerifyReport) -> str:
    assert not report.ok, "tampering went unnoticed"
    return "\n".join(f"{f.check} {f.seq}: {f.message}" for f in report.failures)


@pytest.mark.parametrize("column", LEDGER_COLUMNS)
def test_editing_any_ledger_field_is_detected(filed: Store, column: str) -> None:
    other = open_case(filed, "op-other")
    with filed.session() as session:
        value = session.scalar(
            select(getattr(LedgerEntryRow, column)).where(LedgerEntryRow.seq == 2)
        )
        session.execute(
            update(LedgerEntryRow)
            .where(LedgerEntryRow.seq == 2)
            .values({column: _changed(value, column, other.id)})
        )
    failures = _failed(verify_ledger(filed))
    assert ("entry 2" in failures) or ("entry 99" in failures), failures


@pytest.mark.parametrize("column", SIGNATURE_COLUMNS)
def test_editing_any_signature_field_is_detected(filed: Store, column: str) -> None:
    with filed.session() as session:
        row = session.scalars(select(LedgerSignatureRow).order_by(LedgerSignatureRow.id)).all()[1]
        value = getattr(row, column)
        setattr(row, column, _changed(value, column, 0) if column != "seq" else 1)
        row_id = row.id
    failures = _failed(verify_ledger(filed))
    assert f"signature {row_id} " in failures, failures


@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_flipping_a_byte_of_an_evidence_file_is_detected(filed: Store, where: str) -> None:
    entry = next(iter(_entries(filed)))
    path = filed.settings.evidence_dir / entry.stored_name
    data = bytearray(path.read_bytes())
    position = {"first": 0, "middle": len(data) // 2, "last": len(data) - 1}[where]
    data[position] ^= 0x01
    os.chmod(path, 0o600)
    path.write_bytes(bytes(data))
    failures = _failed(verify_ledger(filed))
    assert f"item 1 ({entry.kind}, {entry.stored_name}): the file was altered" in failures


def test_deleting_an_evidence_file_is_detected(filed: Store) -> None:
    entry = list(_entries(filed))[2]
    (filed.settings.evidence_dir / entry.stored_name).unlink()
    assert "item 3 " in _failed(verify_ledger(filed))
    assert "missing" in _failed(verify_ledger(filed))


def test_reordering_entries_is_detected(filed: Store) -> None:
    with filed.session() as session:
        for old, new in ((1, 100), (2, 1), (100, 2)):
            session.execute(update(LedgerEntryRow).where(LedgerEntryRow.seq == old).values(seq=new))
    failures = _failed(verify_ledger(filed))
    assert "entry 1 " in failures and "entry 2 " in failures


@pytest.mark.parametrize("seq", [1, 2, 3])
def test_removing_an_entry_is_detected(filed: Store, seq: int) -> None:
    with filed.session() as session:
        session.execute(delete(LedgerEntryRow).where(LedgerEntryRow.seq == seq))
    failures = _failed(verify_ledger(filed))
    if seq < 3:
        assert (
            f"entries {seq} missing" in failures or f"entry {seq + 1} does not follow" in failures
        )
    else:
        assert "head row names entry 3" in failures
        assert "the chain has no entry 3" in failures


def test_removing_the_head_row_is_detected(filed: Store) -> None:
    with filed.session() as session:
        session.execute(delete(LedgerHeadRow))
    assert "head row is missing" in _failed(verify_ledger(filed))


def test_rewriting_the_chain_without_the_key_is_detected(filed: Store) -> None:
    """Recomputing every hash after an edit keeps the links whole; the signatures do not."""
    from castwatch.catalog.evidence import GENESIS, seal
    from castwatch.enforce.store_ledger import iter_entries

    entries = list(iter_entries(filed))
    prev = GENESIS
    with filed.session() as session:
        for entry in entries:
            fields = entry.as_dict()
            fields.pop("entry_hash")
            fields.pop("prev_hash")
            seq, recorded_at = fields.pop("seq"), fields.pop("recorded_at")
            if seq == 2:
                fields["description"] = "forged"
            from castwatch.catalog.evidence import EvidenceFacts

            forged = seal(EvidenceFacts(**fields), seq, prev, recorded_at)
            session.execute(
                update(LedgerEntryRow).where(LedgerEntryRow.seq == seq).values(forged.as_dict())
            )
            prev = forged.entry_hash
        session.execute(update(LedgerHeadRow).values(entry_hash=prev))
    failures = _failed(verify_ledger(filed))
    assert "signs a head the chain does not have" in failures
    assert "link" not in {f.check for f in verify_ledger(filed).failures}


def test_replacing_the_signing_key_is_detected(filed: Store) -> None:
    path = key_path(filed.settings.keys_dir)
    before = verify_ledger(filed).key_fingerprint
    path.unlink()
    from castwatch.storage.ledger_key import LedgerKey

    LedgerKey.load_or_create(filed.settings.keys_dir)
    failures = _failed(verify_ledger(filed))
    assert "the signing key was replaced" in failures
    assert "does not verify with the key" in failures
    # Pinning the fingerprint a recipient was given names the swap even if all were re-signed.
    pinned = verify_ledger(filed, expected_key=before)
    assert any(f.check == "key" for f in pinned.failures)


def test_removing_the_signing_key_is_detected(filed: Store) -> None:
    key_path(filed.settings.keys_dir).unlink()
    assert "no signing key" in _failed(verify_ledger(filed))


def _entries(store: Store) -> list[Any]:
    from castwatch.enforce.store_ledger import iter_entries

    return list(iter_entries(store))
