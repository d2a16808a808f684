"""Operators: the right services together, decoys apart, every link explained."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from castwatch.attribute.graph import Node, build_graph
from castwatch.attribute.operators import analyse
from castwatch.attribute.weights import WeightTable
from castwatch.catalog.attribution import NodeKind, Observation
from tests.attribute.operator_fixtures import (
    BYSTANDERS,
    CDN_IP,
    ELECTRO,
    NOVA,
    fact,
    relaunch,
    world,
)


def _partition(rows: list[Observation]) -> list[list[str]]:
    return [[s.key for s in c.services] for c in analyse(build_graph(rows)).clusters]


def test_three_operators_and_the_decoys_stay_alone() -> None:
    clusters = _partition(world())
    assert ELECTRO in clusters
    assert NOVA in clusters
    for bystander in BYSTANDERS:
        assert [bystander] in clusters


def test_a_link_names_its_pivots_strongest_first() -> None:
    analysis = analyse(build_graph(world()))
    link = next(
        link for link in analysis.links if {link.a.key, link.b.key} == {"electro-tv", "sat-max"}
    )
    kinds = [p.node.kind for p in link.pivots]
    assert kinds[:2] == [NodeKind.ANALYTICS, NodeKind.CERTIFICATE]
    assert link.pivots[0].shared_by == 2
    assert link.score >= WeightTable().threshold
    # The CDN address is not among what joins them: electro-tv is on it, sat-max is not.
    assert Node(NodeKind.IP, CDN_IP) not in {p.node for p in link.pivots}


def test_the_relaunch_joins_the_old_operator() -> None:
    clusters = _partition(world() + relaunch())
    assert sorted([*ELECTRO, "electro-tv-2"]) in clusters


def test_sharing_an_analytics_id_says_more_than_sharing_an_address() -> None:
    graph = build_graph(world())
    table = WeightTable()
    footprints = analyse(graph, table).footprints
    electro = footprints[Node(NodeKind.SERVICE, "electro-tv")]
    analytics = Node(NodeKind.ANALYTICS, "G-ELECTRO1")
    address = Node(NodeKind.IP, CDN_IP)
    by_two = table.pivot(graph, analytics, [electro[analytics]], 2)
    by_ten = table.pivot(graph, analytics, [electro[analytics]], 10)
    cdn = table.pivot(graph, address, [electro[address]], 2)
    assert by_two.weight > by_ten.weight > cdn.weight
    assert cdn.weak and not by_two.weak


@settings(max_examples=30, deadline=None)
@given(
    st.integers(min_value=2, max_value=12),
    st.lists(st.sampled_from(["ns", "asn", "cdn", "registrar", "issuer"]), min_size=1),
)
def test_weak_pivots_never_merge_on_their_own(services: int, shared: list[str]) -> None:
    rows = [
        fact(NodeKind.IP, CDN_IP, "asn.origin", NodeKind.ASN, "AS13335"),
        fact(NodeKind.ASN, "AS13335", "asn.org", None, "Cloudflare, Inc."),
    ]
    for i in range(services):
        domain = f"site{i}.example"
        rows.append(fact(NodeKind.SERVICE, f"s{i}", "service.domain", NodeKind.DOMAIN, domain))
        if "ns" in shared:
            rows.append(fact(NodeKind.DOMAIN, domain, "dns.ns", NodeKind.DOMAIN, "ns.cdn.example"))
        if "cdn" in shared or "asn" in shared:
            rows.append(fact(NodeKind.DOMAIN, domain, "dns.a", NodeKind.IP, CDN_IP))
        if "registrar" in shared:
            org = NodeKind.ORGANISATION
            rows.append(fact(NodeKind.DOMAIN, domain, "rdap.registrar", org, "NameCheap"))
        if "issuer" in shared:
            org = NodeKind.ORGANISATION
            rows.append(fact(NodeKind.DOMAIN, domain, "tls.issuer", org, "Let's Encrypt"))
    analysis = analyse(build_graph(rows))
    assert all(len(c.services) == 1 for c in analysis.clusters)
    assert all(link.score < WeightTable().weak_cap + 1e-9 for link in analysis.links)
