"""collect() as a whole: every collector's contract, isolation of failures, one full run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from castwatch.attribute.collectors import (
    CollectContext,
    Collector,
    CollectSettings,
    CollectTargets,
    collect,
    register_collector,
    registered_collectors,
)
from castwatch.attribute.collectors.base import COLLECTORS
from castwatch.catalog.attribution import NodeKind, Observation
from castwatch.errors import DuplicatePlugin, UnknownPlugin
from castwatch.sim.ecosystem import Ecosystem
from tests.attribute.collector_contract import CollectorContract
from tests.attribute.conftest import run


class TestBuiltinCollectors(CollectorContract):
    """The shared contract over every built-in collector."""

    @pytest.fixture(params=sorted(registered_collectors()))
    def collector_name(self, request: pytest.FixtureRequest) -> str:
        name: str = request.param
        return name


def test_the_run_keeps_the_registry_order() -> None:
    # Phase 0 collectors run in registration order; a plugin's come after the built-ins.
    in_order = ("asn", "dns", "http", "service", "panel", "rdap", "tls")
    assert tuple(registered_collectors()) == in_order


class _Broken(Collector):
    name = "broken-for-test"

    async def collect(self, targets: CollectTargets, context: CollectContext) -> list[Observation]:
        raise RuntimeError("collector bug")


@pytest.fixture
def broken() -> Iterator[str]:
    register_collector(_Broken)
    yield _Broken.name
    COLLECTORS.unregister(_Broken.name)


def test_a_broken_collector_costs_only_itself(
    broken: str, ecosystem: Ecosystem, settings: CollectSettings
) -> None:
    slug, entry = next(iter(ecosystem.info.brands.items()))
    rows = run(settings, CollectTargets(service=slug, pages=[entry.shop]), broken, "http", "dns")
    errors = [r for r in rows if r.relation == f"{broken}.error"]
    assert len(errors) == 1 and "collector bug" in errors[0].value
    assert errors[0].subject_kind is NodeKind.SERVICE
    assert any(r.relation == "http.title" for r in rows)
    assert any(r.relation == "dns.a" for r in rows)


def test_unknown_collector_name_is_a_config_error(settings: CollectSettings) -> None:
    with pytest.raises(UnknownPlugin, match="unknown collector 'no-such-collector'; one of: asn"):
        run(settings, CollectTargets(), "no-such-collector")


def test_registering_a_second_class_under_a_taken_name_fails() -> None:
    class Impostor(Collector):
        name = "dns"

        async def collect(
            self, targets: CollectTargets, context: CollectContext
        ) -> list[Observation]:
            return []

    with pytest.raises(DuplicatePlugin, match="two classes claim the collector 'dns'"):
        register_collector(Impostor)


def test_full_run_over_one_brand(ecosystem: Ecosystem, settings: CollectSettings) -> None:
    slug, entry = next(iter(ecosystem.info.brands.items()))
    targets = CollectTargets(
        service=slug, pages=[entry.shop], panels=[entry.panel], stream_urls=entry.streams
    )
    rows = collect(targets, settings)
    relations = {row.relation.split(".")[0] for row in rows}
    assert {"service", "dns", "tls", "http", "panel", "asn", "rdap"} <= relations
    assert not [row for row in rows if row.relation.endswith(".error")]
    assert all(row.source and row.observed_at.tzinfo is not None for row in rows)
    assert all(isinstance(row.detail, dict) for row in rows)
