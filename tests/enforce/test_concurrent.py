"""Two processes appending to the ledger at once never fork the chain (SQLite, PostgreSQL)."""

from __future__ import annotations

import itertools
import subprocess
import sys
import time
from pathlib import Path

from castwatch.catalog.cases import Case
from castwatch.enforce.ledger_check import verify_ledger
from castwatch.enforce.store_ledger import iter_entries
from castwatch.storage.db import Store

WORKER = """
import sys, time
from pathlib import Path
from castwatch.catalog.evidence import EvidenceKind
from castwatch.config import Settings
from castwatch.enforce.ledger import bytes_item, record
from castwatch.storage.db import Store

home, db_url, case, name, count, go = sys.argv[1:]
with Store.open(Settings.resolve(home=home, db_url=db_url)) as store:
    while not Path(go).exists():
        time.sleep(0.005)
    for index in range(int(count)):
        item = bytes_item(store, f"{name}-{index}".encode(), EvidenceKind.HTTP, ".txt",
                          f"{name} {index}", name)
        record(store, case, [item])
"""

PER_WRITER = 25


def test_concurrent_writers_never_fork_the_chain(store: Store, case: Case, tmp_path: Path) -> None:
    go = tmp_path / "go"
    writers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                str(store.settings.home),
                store.settings.db_url,
                case.name,
                name,
                str(PER_WRITER),
                str(go),
            ],
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("alpha", "beta")
    ]
    time.sleep(0.5)  # let both open their stores, then start them together
    go.touch()
    for writer in writers:
        _, err = writer.communicate(timeout=240)
        assert writer.returncode == 0, err
    entries = list(iter_entries(store))
    assert [e.seq for e in entries] == list(range(1, 2 * PER_WRITER + 1))
    assert {e.source for e in entries} == {"alpha", "beta"}
    # Interleaved, not one writer then the other (else the test proved nothing).
    sources = [e.source for e in entries]
    switches = sum(1 for a, b in itertools.pairwise(sources) if a != b)
    assert switches >= 1
    report = verify_ledger(store)
    assert report.ok, report.failures
    assert report.signatures == 2 * PER_WRITER
