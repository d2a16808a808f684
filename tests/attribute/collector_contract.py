"""The battery every attribution collector inherits (like ``tests/sources/contract.py``).

Subclass :class:`CollectorContract` and give it a ``collector_name`` fixture naming the
registered collector (parametrize it to cover several)::

    class TestMyCollector(CollectorContract):
        @pytest.fixture
        def collector_name(self) -> str:
            return "mine"

The checks need no network: targets are empty or unreachable (a closed port on
127.0.0.1), and what a collector makes of them must be observations or a castwatch error,
never a crash.
"""

from __future__ import annotations

import asyncio
import socket
from datetime import timedelta

import pytest

from castwatch.attribute.collectors import (
    CollectContext,
    Collector,
    CollectSettings,
    CollectTargets,
    registered_collectors,
)
from castwatch.catalog.attribution import Observation
from castwatch.errors import CastwatchError


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


class CollectorContract:
    """Checks that hold for every collector; needs a ``collector_name`` fixture."""

    @pytest.fixture
    def collector(self, collector_name: str) -> Collector:
        return registered_collectors()[collector_name]()

    @pytest.fixture
    def offline(self) -> CollectSettings:
        # Every address and resolver is a closed port: answers come back at once, refused.
        return CollectSettings(resolver=f"127.0.0.1:{closed_port()}", timeout=0.5)

    def _collect(
        self, collector: Collector, targets: CollectTargets, settings: CollectSettings
    ) -> list[Observation]:
        async def run() -> list[Observation]:
            return await collector.collect(targets, CollectContext(settings))

        return asyncio.run(run())

    def test_is_registered_under_its_name(self, collector_name: str, collector: Collector) -> None:
        assert collector.name == collector_name
        assert isinstance(collector.phase, int) and collector.phase >= 0

    def test_empty_targets_give_no_error_rows(
        self, collector: Collector, offline: CollectSettings
    ) -> None:
        rows = self._collect(collector, CollectTargets(), offline)
        assert all(isinstance(row, Observation) for row in rows)
        assert not [row for row in rows if row.relation.endswith(".error")]

    def test_unreachable_targets_are_observations_or_a_castwatch_error(
        self, collector: Collector, offline: CollectSettings
    ) -> None:
        port = closed_port()
        targets = CollectTargets(
            service="contract-brand",
            pages=[f"http://127.0.0.1:{port}/shop"],
            panels=[f"http://127.0.0.1:{port}/player_api.php"],
            domains=["unreachable.invalid"],
            ips=["127.0.0.1"],
        )
        try:
            rows = self._collect(collector, targets, offline)
        except CastwatchError as refused:
            assert str(refused)  # says what went wrong
            return
        for row in rows:
            assert isinstance(row, Observation)
            assert row.subject and row.relation and row.source
            assert row.observed_at.utcoffset() == timedelta(0)
