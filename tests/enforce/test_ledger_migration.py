"""Migration 0007 (ledger rows of no case) carries an existing ledger over, hashes intact."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect

from castwatch.catalog.cases import Case
from castwatch.config import Settings
from castwatch.enforce.ledger import add_file
from castwatch.enforce.verify import verify_ledger
from castwatch.storage.custody import file_evidence, stored_item
from castwatch.storage.db import Store, _alembic_config


def _migrate(settings: Settings, revision: str, down: bool) -> None:
    engine = create_engine(settings.db_url)
    try:
        with engine.begin() as conn:
            (command.downgrade if down else command.upgrade)(_alembic_config(conn), revision)
    finally:
        engine.dispose()


def _case_id_nullable(settings: Settings) -> bool:
    engine = create_engine(settings.db_url)
    try:
        columns = inspect(engine).get_columns("evidence_ledger")
    finally:
        engine.dispose()
    return bool(next(c for c in columns if c["name"] == "case_id")["nullable"])


def test_a_ledger_made_before_0007_upgrades_and_still_verifies(
    settings: Settings, store: Store, case: Case, evidence_files: list[Path]
) -> None:
    for path in evidence_files:
        add_file(store, case.name, path)
    store.close()
    _migrate(settings, "0006", down=True)
    assert not _case_id_nullable(settings)
    _migrate(settings, "head", down=False)
    assert _case_id_nullable(settings)
    with Store.open(settings) as reopened:
        report = verify_ledger(reopened)
    assert report.ok, report.failures
    assert report.entries == len(evidence_files)


def test_downgrading_refuses_while_rows_of_no_case_exist(settings: Settings, store: Store) -> None:
    directory = store.settings.evidence_dir
    directory.mkdir(parents=True, exist_ok=True)
    name = "d" * 64 + ".ts"
    (directory / name).write_bytes(b"a capture")
    item = stored_item(settings, name, "capture", "video/mp2t", "probe", "sim", datetime.now(UTC))
    file_evidence(store, [item])
    store.close()
    with pytest.raises(RuntimeError, match="1 ledger rows belong to no case"):
        _migrate(settings, "0006", down=True)
