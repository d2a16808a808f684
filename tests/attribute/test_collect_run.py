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
from castwatch.attribute.collectors import base as collectors_base
from castwatch.catalog.attribution import NodeKind, Observation
from castwatch.errors import ConfigError
from castwatch.sim.ecosystem import Ecosystem
from tests.attribute.conftest import run


@pytest.mark.parametrize("name", sorted(registered_collectors()))
def test_every_collector_honours_the_contract(name: str, settings: CollectSettings) -> None:
    # Empty targets: nothing to ask, nothing to fail, and rows (if any) are well formed.
    rows = run(settings, CollectTargets(), name)
    assert all(isinstance(row, Observation) for row in rows)
    assert registered_collectors()[name].name == name


class _Broken(Collector):
    name = "broken-for-test"

    async def collect(self, targets: CollectTargets, context: CollectContext) -> list[Observation]:
        raise RuntimeError("collector bug")


@pytest.fixture
def broken() -> Iterator[str]:
    register_collector(_Broken)
    yield _Broken.name
    collectors_base._REGISTRY.pop(_Broken.name)


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
    with pytest.raises(ConfigError, match="unknown collector"):
        run(settings, CollectTargets(), "no-such-collector")


def test_registering_a_second_class_under_a_taken_name_fails() -> None:
    class Impostor(Collector):
        name = "dns"

        async def collect(
            self, targets: CollectTargets, context: CollectContext
        ) -> list[Observation]:
            return []

    with pytest.raises(ValueError, match="already registered"):
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
