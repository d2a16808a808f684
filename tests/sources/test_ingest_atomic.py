"""A failed ingest, whatever the fault, commits nothing: the previous snapshot stays intact."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from castwatch.catalog.store_queries import find_service, find_snapshot, iter_entries, snapshots_of
from castwatch.config import Settings
from castwatch.errors import CastwatchError
from castwatch.net.policy import FetchOptions
from castwatch.sim import Fault, SimServer
from castwatch.sources.ingest import ingest
from castwatch.storage.db import Store

SimFault = Callable[..., SimServer]
_URL_KEY = {"xtream": "xtream_url", "stalker": "stalker_url", "m3u": "m3u_url"}
CASES = [(fault, kind) for fault in Fault if fault is not Fault.FLAKY for kind in _URL_KEY]


@pytest.fixture()
def seeded_store(
    tmp_path: Path, sim: SimServer, sim_options: FetchOptions
) -> Iterator[tuple[Store, dict[str, int]]]:
    """A store holding one good snapshot per protocol, and each snapshot's entry count."""
    with Store.open(Settings.resolve(home=tmp_path / "home")) as store:
        counts = {
            kind: ingest(store, sim.urls[key], kind, sim_options, name=kind).entries
            for kind, key in _URL_KEY.items()
        }
        yield store, counts


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("fault", "kind"), CASES, ids=[f"{f}-{k}" for f, k in CASES])
def test_fault_leaves_previous_snapshot_intact(
    seeded_store: tuple[Store, dict[str, int]],
    sim_fault: SimFault,
    fault_options: FetchOptions,
    fault: Fault,
    kind: str,
) -> None:
    store, counts = seeded_store
    server = sim_fault(fault, slow_delay=3.0)
    with pytest.raises(CastwatchError):
        ingest(store, server.urls[_URL_KEY[kind]], kind, fault_options, name=kind)
    with store.session() as session:
        service = find_service(session, kind)
        assert len(snapshots_of(session, service)) == 1
        latest = find_snapshot(session, service, None)
        assert sum(1 for _ in iter_entries(session, latest)) == counts[kind]
