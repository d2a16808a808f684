"""An ingest interrupted by a signal stores nothing and leaves earlier snapshots intact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from castwatch.catalog.store_queries import find_service, find_snapshot, iter_entries, snapshots_of
from castwatch.config import Settings
from castwatch.sim import SimServer
from castwatch.storage.db import Store
from tests.conftest import CliRunner


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_signal_during_ingest(cli: CliRunner, tmp_path: Path, signum: int) -> None:
    home = Path(os.environ["CASTWATCH_HOME"])
    with SimServer(live=20, films=20, series=2, episodes=4) as sim:
        assert cli("ingest", sim.urls["m3u_url"], "--name", "panel").code == 0
    # The second read meets a server that takes seconds per answer: interrupt it mid-read.
    with SimServer(live=30, films=20, series=2, episodes=4, fault="slow", slow_delay=20) as slow:
        child = subprocess.Popen(
            [sys.executable, "-m", "castwatch", "ingest", slow.urls["m3u_url"], "--name", "panel"],
            env={**os.environ, "CASTWATCH_HOME": str(home)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            # Wait until the child is inside the read (its request has reached the server,
            # which answers in 20 s), however long its start-up takes on a loaded machine.
            assert slow.app is not None
            deadline = time.monotonic() + 60
            while slow.app.requests == 0 and time.monotonic() < deadline:
                assert child.poll() is None, child.communicate()
                time.sleep(0.05)
            assert slow.app.requests > 0
            time.sleep(0.3)
            assert child.poll() is None
            child.send_signal(signum)
            _out, err = child.communicate(timeout=30)
        finally:
            if child.poll() is None:
                child.kill()
                child.communicate()
    assert child.returncode != 0
    if signum == signal.SIGINT:
        assert child.returncode == 130 and "nothing from this run was stored" in err
    with Store.open(Settings.resolve(home=home)) as store, store.session() as session:
        service = find_service(session, "panel")
        assert len(snapshots_of(session, service)) == 1
        assert sum(1 for _ in iter_entries(session, find_snapshot(session, service, None))) == 44
