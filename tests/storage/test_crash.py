"""A process killed in the middle of writing a snapshot leaves the database consistent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from castwatch.catalog.store import save_inventory
from castwatch.catalog.store_queries import find_service, find_snapshot, iter_entries
from castwatch.catalog.tables import EntryRow, SnapshotRow
from castwatch.config import Settings
from castwatch.storage.db import Store
from tests.storage.helpers import make_inventory

# The child writes a large snapshot and, once the first batch of rows is in the open
# transaction, announces it and waits to be killed.
CHILD = """
import sys, time
from castwatch.config import Settings
from castwatch.storage.db import Store
from castwatch.catalog.store import save_inventory
from tests.storage.helpers import make_inventory

store = Store.open(Settings.resolve(home=sys.argv[1], db_url=sys.argv[2]))

def progress(stage, done, total):
    if stage == "store" and done >= 5000:
        print("mid-write", flush=True)
        time.sleep(60)

save_inventory(store, make_inventory(30000, renamed=100), "panel", progress)
print("finished", flush=True)
"""


def test_sigkill_mid_write_keeps_the_previous_snapshot(settings: Settings) -> None:
    with Store.open(settings) as store:
        save_inventory(store, make_inventory(200), "panel")
    root = Path(__file__).resolve().parents[2]
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(settings.home), settings.db_url],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline().strip()
        assert line == "mid-write", child.stderr.read() if child.stderr else line
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        for stream in (child.stdout, child.stderr):
            if stream:
                stream.close()
    assert child.returncode == -signal.SIGKILL
    with Store.open(settings) as store, store.session() as session:
        snapshots = list(session.scalars(select(SnapshotRow)))
        entries = list(
            iter_entries(session, find_snapshot(session, find_service(session, "panel"), None))
        )
        total_rows = session.scalar(select(func.count()).select_from(EntryRow))
        open_rows = session.scalar(
            select(func.count()).select_from(EntryRow).where(EntryRow.valid_to.is_(None))
        )
    assert len(snapshots) == 1
    assert len(entries) == 200 == total_rows == open_rows
    # The database still takes new snapshots normally.
    with Store.open(settings) as store:
        summary = save_inventory(store, make_inventory(210), "panel")
    assert (summary.added, summary.removed) == (10, 0)
