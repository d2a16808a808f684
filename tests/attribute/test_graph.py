"""The in-memory graph: one node per thing however it is written, and honest footprints."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from castwatch.attribute.graph import Node, build_graph, fact_key, footprint, node_key, own_domains
from castwatch.catalog.attribution import NodeKind
from tests.attribute.operator_fixtures import CDN_IP, fact, world


def test_one_thing_written_two_ways_is_one_node() -> None:
    assert node_key(NodeKind.DOMAIN, " Example.TV. ") == "example.tv"
    assert node_key(NodeKind.IP, "2001:DB8:0:0::1") == "2001:db8::1"
    assert node_key(NodeKind.ASN, "as 13335") == node_key(NodeKind.ASN, "13335") == "AS13335"
    assert node_key(NodeKind.CERTIFICATE, "AA:BB:01") == "aabb01"
    assert node_key(NodeKind.CONTACT, "Ops@Example.ORG") == "ops@example.org"
    assert node_key(NodeKind.CONTACT, "+212 6 12-34-56-78") == "+212612345678"
    # Wallet addresses are case-sensitive: base58 would name another wallet.
    assert node_key(NodeKind.PAYMENT, "btc:1AbCd") == "btc:1AbCd"
    assert node_key(NodeKind.ORGANISATION, "NameCheap,   Inc.") == "namecheap, inc."


@given(st.sampled_from(list(NodeKind)), st.text(max_size=60))
def test_normalising_is_idempotent(kind: NodeKind, text: str) -> None:
    once = node_key(kind, text)
    assert node_key(kind, once) == once


def test_a_fact_seen_again_has_the_same_key_whoever_wrote_it() -> None:
    first = fact(NodeKind.DOMAIN, "Example.TV.", "dns.a", NodeKind.IP, "192.0.2.1")
    again = fact(NodeKind.DOMAIN, "example.tv", "dns.a", NodeKind.IP, "192.0.2.1")
    other = fact(NodeKind.DOMAIN, "example.tv", "dns.a", NodeKind.IP, "192.0.2.2")
    assert fact_key(first) == fact_key(again) != fact_key(other)


def test_edges_merge_and_page_facts_become_attributes() -> None:
    graph = build_graph(world() + world())
    domain = Node(NodeKind.DOMAIN, "electrotv.example")
    assert graph.attributes[domain]["http.title"] == "electro-tv - best IPTV"
    edge = graph.edges[(domain, Node(NodeKind.IP, CDN_IP), "dns.a")]
    assert edge.observations == 2
    assert Node(NodeKind.CERTIFICATE, "aabb01") in graph.neighbours(domain)


def test_the_footprint_stops_at_the_cdn_address() -> None:
    graph = build_graph(world())
    electro = footprint(graph, Node(NodeKind.SERVICE, "electro-tv"))
    assert Node(NodeKind.IP, CDN_IP) in electro
    assert Node(NodeKind.ASN, "AS13335") in electro
    assert Node(NodeKind.ANALYTICS, "G-ELECTRO1") in electro
    # The decoys' domains live on the same address, but are not electro-tv's pivots.
    assert Node(NodeKind.DOMAIN, "decoy-1.example") not in electro
    assert not any(node.kind is NodeKind.SERVICE for node in electro)


def test_redirect_targets_are_the_services_own_domains() -> None:
    rows = [
        fact(NodeKind.SERVICE, "brand", "service.domain", NodeKind.DOMAIN, "old.example"),
        fact(NodeKind.DOMAIN, "old.example", "http.redirect", NodeKind.DOMAIN, "new.example"),
        fact(NodeKind.DOMAIN, "new.example", "http.payment", NodeKind.PAYMENT, "paypal:a@b.c"),
    ]
    graph = build_graph(rows)
    brand = Node(NodeKind.SERVICE, "brand")
    assert [d.key for d in own_domains(graph, brand)] == ["new.example", "old.example"]
    assert Node(NodeKind.PAYMENT, "paypal:a@b.c") in footprint(graph, brand)
