"""The DNS collector against the ecosystem's authoritative server on 127.0.0.1."""

from __future__ import annotations

import pytest

from castwatch.attribute.collectors import CollectSettings, CollectTargets
from castwatch.attribute.collectors.clients.dns import parse_server
from castwatch.errors import ConfigError
from castwatch.sim.ecosystem import Ecosystem
from castwatch.sim.ecosystem.zones import ipv6_for
from tests.attribute.conftest import brands, run, values


def test_brand_records_cname_chain_zone_and_name_servers(
    ecosystem: Ecosystem, settings: CollectSettings
) -> None:
    brand = brands(ecosystem, kind="brand")[0]
    op = ecosystem.world.operator_of(brand)
    rows = run(settings, CollectTargets(domains=[brand.domain, brand.panel_alias]), "dns")
    assert values(rows, "dns.a", brand.domain) == {brand.address}
    assert values(rows, "dns.aaaa", brand.domain) == {ipv6_for(brand.address)}
    assert values(rows, "dns.zone", brand.panel_alias) == {brand.domain}
    # The panel alias leads, by CNAME, to the operator's panel host and its address.
    assert values(rows, "dns.cname", brand.panel_alias) == {op.panel_host}
    assert values(rows, "dns.a", op.panel_host) == {op.panel_address}
    assert values(rows, "dns.zone", op.panel_host) == {op.zone}
    assert values(rows, "dns.ns", brand.domain) == set(ecosystem.zones.records[brand.domain]["NS"])
    assert values(rows, "dns.mx", brand.domain)
    assert any(text.startswith("v=spf1") for text in values(rows, "dns.txt", brand.domain))
    # Name servers are resolved too: self-hosted ones link zones by address.
    for server in values(rows, "dns.ns", brand.domain):
        assert values(rows, "dns.a", server)
    assert all(row.source == f"dns@{settings.resolver}" for row in rows)
    assert all(row.observed_at.tzinfo is not None for row in rows)


def test_nxdomain_is_an_answer_not_an_error(
    ecosystem: Ecosystem, settings: CollectSettings
) -> None:
    name = ecosystem.info.hostile["nxdomain"]
    rows = run(settings, CollectTargets(domains=[name]), "dns")
    assert [(row.relation, row.value) for row in rows] == [("dns.status", "nxdomain")]


def test_servfail_becomes_an_error_row(ecosystem: Ecosystem, settings: CollectSettings) -> None:
    name = ecosystem.info.hostile["servfail"]
    rows = run(settings, CollectTargets(domains=[name]), "dns")
    errors = [row for row in rows if row.relation == "dns.error"]
    assert errors and errors[0].subject == name
    assert "SERVFAIL" in errors[0].value


def test_silent_server_times_out_without_losing_other_names(
    ecosystem: Ecosystem, settings: CollectSettings
) -> None:
    brand = brands(ecosystem, kind="brand")[0]
    silent = ecosystem.info.hostile["timeout"]
    rows = run(settings, CollectTargets(domains=[silent, brand.domain]), "dns", timeout=2.0)
    assert any(r.relation == "dns.error" and r.subject == silent for r in rows)
    assert "no DNS answer" in next(r.value for r in rows if r.subject == silent)
    assert values(rows, "dns.a", brand.domain) == {brand.address}


def test_resolver_spec_parsing() -> None:
    assert parse_server("127.0.0.1:5353") == ("127.0.0.1", 5353)
    assert parse_server("[::1]:53") == ("::1", 53)
    assert parse_server("10.0.0.1") == ("10.0.0.1", 53)
    with pytest.raises(ConfigError, match="IP address"):
        parse_server("dns.example:53")
    with pytest.raises(ConfigError, match="port"):
        parse_server("127.0.0.1:abc")
