"""Services clustered into operators, each link explained by the pivots behind it.

Two services are *linked* when the pivots their footprints share (``graph.footprint``) score
at least the threshold (``weights.WeightTable``); an operator is a connected component of
links. Components rather than a tighter linkage because an operator's brands often share
different things pairwise (brand A and B one payment address, B and C one panel): the chain
is the evidence. The weak-pivot cap is what keeps chains from running through a CDN.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations

from castwatch.attribute.graph import Graph, Node, Reach, footprint, own_domains
from castwatch.attribute.weights import PivotWeight, WeightTable
from castwatch.catalog.attribution import NodeKind

#: Pivots shared by more services than this are skipped when pairing: weightless by then
#: (for most kinds), and pairing them would cost n^2.
MAX_SHARED = 200


@dataclass(slots=True, frozen=True)
class Link:
    """Two services, their evidence score and the pivots that join them, strongest first."""

    a: Node
    b: Node
    score: float
    pivots: tuple[PivotWeight, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "a": self.a.key,
            "b": self.b.key,
            "score": round(self.score, 4),
            "pivots": [p.as_dict() for p in self.pivots],
        }


@dataclass(slots=True)
class Cluster:
    """One operator as computed: its services, their domains and the links between them."""

    services: list[Node]
    domains: list[Node] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)


@dataclass(slots=True)
class Analysis:
    """Everything one pass over the graph computed, for storage and for alerts."""

    footprints: dict[Node, dict[Node, Reach]]
    links: list[Link]
    clusters: list[Cluster]


def link_services(
    graph: Graph, table: WeightTable, footprints: dict[Node, dict[Node, Reach]]
) -> list[Link]:
    """Every pair of services sharing at least one pivot, scored (threshold not applied)."""
    holders: dict[Node, list[Node]] = defaultdict(list)
    for service, pivots in footprints.items():
        for pivot in pivots:
            holders[pivot].append(service)
    shared: dict[tuple[Node, Node], list[PivotWeight]] = defaultdict(list)
    for pivot, services in holders.items():
        if len(services) < 2 or len(services) > MAX_SHARED:
            continue
        services.sort()
        for a, b in combinations(services, 2):
            reaches = [footprints[a][pivot], footprints[b][pivot]]
            weight = table.pivot(graph, pivot, reaches, len(services))
            if weight.weight > 0:
                shared[(a, b)].append(weight)
    links = []
    for (a, b), weights in shared.items():
        weights.sort(key=lambda p: (-p.weight, p.node))
        links.append(Link(a, b, table.score(weights), tuple(weights)))
    links.sort(key=lambda link: (-link.score, link.a, link.b))
    return links


def cluster(services: list[Node], links: list[Link], threshold: float) -> list[list[Node]]:
    """Connected components of the links scoring at least ``threshold`` (union-find)."""
    parent = {service: service for service in services}

    def root(node: Node) -> Node:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for link in links:
        if link.score >= threshold:
            ra, rb = root(link.a), root(link.b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    groups: dict[Node, list[Node]] = defaultdict(list)
    for service in services:
        groups[root(service)].append(service)
    return sorted((sorted(group) for group in groups.values()), key=lambda g: g[0])


def analyse(graph: Graph, table: WeightTable | None = None) -> Analysis:
    """Footprints, scored links and operator clusters of every service in ``graph``."""
    table = table or WeightTable()
    services = graph.services()
    footprints = {service: footprint(graph, service) for service in services}
    links = link_services(graph, table, footprints)
    by_service: dict[Node, list[Link]] = defaultdict(list)
    for link in links:
        if link.score >= table.threshold:
            by_service[link.a].append(link)
    clusters = []
    for members in cluster(services, links, table.threshold):
        domains = sorted({d for s in members for d in own_domains(graph, s)})
        inner = [link for s in members for link in by_service[s]]
        clusters.append(Cluster(members, domains, inner))
    return Analysis(footprints, links, clusters)


def domain_pivots(
    graph: Graph, table: WeightTable, domain: Node, others: dict[Node, dict[Node, Reach]]
) -> list[PivotWeight]:
    """What ties ``domain`` to the operator's other services: pivots their footprints share."""
    holders: dict[Node, list[Reach]] = defaultdict(list)
    for pivots in others.values():
        for pivot, reach in pivots.items():
            holders[pivot].append(reach)
    found: dict[Node, PivotWeight] = {}
    for edge in graph.edges_of(domain):
        pivot = edge.other(domain)
        if pivot.kind is NodeKind.SERVICE or pivot not in holders:
            continue
        own = Reach(domain, edge.relation)
        weight = table.pivot(graph, pivot, [own, holders[pivot][0]], len(holders[pivot]) + 1)
        if weight.weight > found.get(pivot, weight).weight or pivot not in found:
            found[pivot] = weight
    return sorted((w for w in found.values() if w.weight > 0), key=lambda p: (-p.weight, p.node))
