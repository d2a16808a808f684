"""Fixtures for the enforcement tests: a store with a service, a case, and evidence files."""

from __future__ import annotations

from pathlib import Path

import pytest

from castwatch.catalog.cases import Case
from castwatch.catalog.store import save_inventory
from castwatch.enforce.cases import open_case
from castwatch.storage.db import Store
from tests.enforce.notice_fixtures import mailbox  # noqa: F401  (a real SMTP server)
from tests.storage.helpers import make_inventory


@pytest.fixture()
def case(store: Store) -> Case:
    save_inventory(store, make_inventory(20), "panel-one")
    return open_case(store, "op-falcon", ["panel-one"], assignee="rita")


@pytest.fixture()
def evidence_files(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "captures"
    folder.mkdir()
    paths = []
    for index in range(3):
        path = folder / f"capture-{index}.json"
        path.write_bytes(b'{"capture": %d, "bytes": "%s"}' % (index, b"x" * (index * 50)))
        paths.append(path)
    return paths
