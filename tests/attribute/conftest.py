"""Fixtures for the collectors' tests: one simulated ecosystem on loopback, and settings.

The ecosystem (seed 1) runs for the whole session: a real DNS server, HTTPS with per-SNI
test certificates, panels, an RDAP server and an ip2asn table, all on 127.0.0.0/8.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from castwatch.attribute.collectors import CollectSettings, CollectTargets, collect
from castwatch.catalog.attribution import Observation
from castwatch.sim.ecosystem import Ecosystem
from castwatch.sim.ecosystem.world import Brand

SEED = 1


@pytest.fixture(scope="session")
def ecosystem() -> Iterator[Ecosystem]:
    with Ecosystem(SEED) as running:
        yield running


@pytest.fixture(scope="session")
def settings(ecosystem: Ecosystem) -> CollectSettings:
    info = ecosystem.info
    return CollectSettings(
        resolver=info.dns,
        timeout=2.0,
        # The simulated ecosystem lives on 127.0.0.x: redirects between brands need this.
        allow_private_networks=True,
        ip2asn=Path(info.ip2asn),
        rdap_url=info.rdap_url,
    )


def run(
    settings: CollectSettings, targets: CollectTargets, *collectors: str, **changes: object
) -> list[Observation]:
    """``collect`` with only ``collectors`` and some settings changed."""
    chosen = replace(settings, collectors=collectors or None, **changes)  # type: ignore[arg-type]
    return collect(targets, chosen)


def values(rows: Iterable[Observation], relation: str, subject: str | None = None) -> set[str]:
    return {
        row.value
        for row in rows
        if row.relation == relation and (subject is None or row.subject == subject)
    }


def brands(ecosystem: Ecosystem, **wanted: object) -> list[Brand]:
    """The world's brands whose attributes equal ``wanted``."""
    return [
        brand
        for brand in ecosystem.world.brands.values()
        if all(getattr(brand, key) == value for key, value in wanted.items())
    ]
