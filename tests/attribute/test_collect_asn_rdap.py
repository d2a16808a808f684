"""The ASN collector over an ip2asn TSV and a MaxMind mmdb; RDAP over a real server."""

from __future__ import annotations

import gzip
import socket
from pathlib import Path

import netaddr
import pytest
from mmdb_writer import MMDBWriter

from castwatch.attribute.collectors import CollectSettings, CollectTargets
from castwatch.attribute.collectors.clients.iptables import Ip2AsnTable
from castwatch.errors import LookupTableError
from castwatch.sim.ecosystem import Ecosystem
from tests.attribute.conftest import brands, run, values

TSV = (
    "1.0.0.0\t1.0.0.255\t13335\tUS\tCLOUDFLARENET\n"
    "1.0.1.0\t1.0.3.255\t0\tNone\tNot routed\n"
    "2001:db8::\t2001:db8::ffff\t64500\tNL\tEXAMPLE-V6\n"
)


def test_ip2asn_lookup_both_families_and_unrouted(tmp_path: Path) -> None:
    path = tmp_path / "ip2asn.tsv.gz"
    with gzip.open(path, "wt") as handle:
        handle.write(TSV)
    table = Ip2AsnTable.load(path)
    found = table.lookup("1.0.0.7")
    assert found is not None and (found.asn, found.country) == (13335, "US")
    assert found.organisation == "CLOUDFLARENET"
    assert table.lookup("1.0.2.1") is None  # AS 0: not routed
    assert table.lookup("9.9.9.9") is None
    six = table.lookup("2001:db8::1")
    assert six is not None and six.asn == 64500


def test_malformed_table_names_the_line(tmp_path: Path, settings: CollectSettings) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text("1.0.0.0\t1.0.0.255\t13335\tUS\tOK\nnot-an-ip\tx\t1\tUS\tBAD\n")
    with pytest.raises(LookupTableError, match="line 2"):
        Ip2AsnTable.load(path)
    rows = run(settings, CollectTargets(ips=["1.0.0.1"]), "asn", ip2asn=path)
    assert [r.relation for r in rows] == ["asn.error"]
    assert "line 2" in rows[0].value


def test_addresses_found_by_dns_get_their_network(
    ecosystem: Ecosystem, settings: CollectSettings
) -> None:
    brand = brands(ecosystem, front="cdn")[0]
    rows = run(settings, CollectTargets(domains=[brand.domain]), "dns", "asn")
    assert values(rows, "asn.origin", brand.address) == {"AS64520"}
    assert values(rows, "asn.org", "AS64520") == {"EDGEFLARE-NET EdgeFlare CDN"}
    assert values(rows, "asn.country", brand.address) == {"US"}
    # One organisation row per AS, however many addresses it holds.
    assert sum(r.relation == "asn.org" and r.subject == "AS64520" for r in rows) == 1


def test_maxmind_database(tmp_path: Path, settings: CollectSettings) -> None:
    writer = MMDBWriter(ip_version=6, database_type="GeoLite2-ASN", ipv4_compatible=True)
    writer.insert_network(
        netaddr.IPSet(["203.0.113.0/24"]),
        {"autonomous_system_number": 64496, "autonomous_system_organization": "DOC-NET"},
    )
    writer.insert_network(netaddr.IPSet(["198.51.100.0/24"]), {"country": {"iso_code": "fr"}})
    path = tmp_path / "asn.mmdb"
    writer.to_db_file(str(path))
    targets = CollectTargets(ips=["203.0.113.9", "198.51.100.1", "192.0.2.1"])
    rows = run(settings, targets, "asn", ip2asn=None, mmdb=path)
    assert values(rows, "asn.origin", "203.0.113.9") == {"AS64496"}
    assert values(rows, "asn.org", "AS64496") == {"DOC-NET"}
    assert values(rows, "asn.country", "198.51.100.1") == {"FR"}
    assert not [r for r in rows if r.subject == "192.0.2.1"]


def test_missing_tables_mean_no_asn_rows(settings: CollectSettings) -> None:
    assert run(settings, CollectTargets(ips=["1.1.1.1"]), "asn", ip2asn=None, mmdb=None) == []


def test_rdap_registrar_and_registrant(ecosystem: Ecosystem, settings: CollectSettings) -> None:
    world = ecosystem.world
    named = next(op for op in world.operators.values() if op.registrant and not op.decoy)
    brand = next(world.brands[s] for s in named.brands if world.brands[s].kind == "brand")
    decoy = brands(ecosystem, kind="decoy")[0]
    rows = run(settings, CollectTargets(domains=[brand.domain, decoy.domain]), "dns", "rdap")
    assert values(rows, "rdap.registrar", brand.domain) == {named.registrar}
    assert values(rows, "rdap.registrant", brand.domain) == {named.registrant}
    redacted = next(
        r for r in rows if r.relation == "rdap.registrant" and r.subject == decoy.domain
    )
    assert redacted.value_kind is None and redacted.detail["redacted"] is True
    assert values(rows, "rdap.nameserver", brand.domain)


def test_rdap_unreachable_is_recorded(settings: CollectSettings) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed once the block ends: nothing listens there
    rows = run(
        settings,
        CollectTargets(domains=["brand.test"]),
        "rdap",
        rdap_url=f"http://127.0.0.1:{port}",
    )
    assert [r.relation for r in rows] == ["rdap.unavailable"]
    assert rows[0].subject == "brand.test"
