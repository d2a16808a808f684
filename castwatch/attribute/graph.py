"""The attribution graph in memory: typed nodes, typed edges, and each service's footprint.

Observations (``castwatch/catalog/attribution.py``) become nodes and edges here and in
storage alike, through :func:`node_key` so that ``Example.TV.`` and ``example.tv`` are one
node. A service's *footprint* is the set of pivots an analyst would look at from it: its own
domains, everything those domains point at (addresses, certificates, panels, analytics and
payment ids, contacts, name servers, linked domains) and the networks of those addresses.
The walk stops there on purpose: going one hop further (from an address to every other
domain on it) would make a shared CDN address look like a shared domain.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from castwatch.catalog.attribution import NodeKind, Observation
from castwatch.catalog.nodes import Node, fact_key, node_key

__all__ = ["Edge", "Graph", "Node", "Reach", "fact_key", "footprint", "node_key", "own_domains"]

#: Relations by which a domain reached from a service's domain counts as the service's own:
#: a redirect (its pages are the service's pages) and the registered zone of a host (whose
#: name servers, mail, TXT records and registration are the service's too).
OWNING_RELATIONS = frozenset({"http.redirect", "dns.zone", "service.domain"})


@dataclass(slots=True)
class Edge:
    """``source -relation-> target``, as one or more collectors saw it."""

    source: Node
    target: Node
    relation: str
    collector: str
    first_seen: datetime
    last_seen: datetime
    observations: int = 1

    def other(self, node: Node) -> Node:
        return self.target if node == self.source else self.source


@dataclass(slots=True)
class Graph:
    """Nodes with their attributes, and edges indexed by both ends."""

    attributes: dict[Node, dict[str, str]] = field(default_factory=dict)
    first_seen: dict[Node, datetime] = field(default_factory=dict)
    edges: dict[tuple[Node, Node, str], Edge] = field(default_factory=dict)
    _adjacent: dict[Node, list[Edge]] = field(default_factory=lambda: defaultdict(list))

    @property
    def nodes(self) -> list[Node]:
        return sorted(self.attributes)

    def add_node(self, node: Node, seen: datetime) -> None:
        self.attributes.setdefault(node, {})
        if node not in self.first_seen or seen < self.first_seen[node]:
            self.first_seen[node] = seen

    def add_edge(self, edge: Edge) -> None:
        key = (edge.source, edge.target, edge.relation)
        known = self.edges.get(key)
        if known is not None:
            known.first_seen = min(known.first_seen, edge.first_seen)
            known.last_seen = max(known.last_seen, edge.last_seen)
            known.observations += edge.observations
            return
        self.add_node(edge.source, edge.first_seen)
        self.add_node(edge.target, edge.first_seen)
        self.edges[key] = edge
        self._adjacent[edge.source].append(edge)
        if edge.target != edge.source:
            self._adjacent[edge.target].append(edge)

    def add(self, observation: Observation) -> None:
        """Fold one observation in: an edge, or an attribute of its subject."""
        subject = Node.of(observation.subject_kind, observation.subject)
        self.add_node(subject, observation.observed_at)
        if observation.value_kind is None:
            self.attributes[subject][observation.relation] = observation.value
            return
        target = Node.of(observation.value_kind, observation.value)
        moment = observation.observed_at
        self.add_edge(
            Edge(subject, target, observation.relation, observation.source, moment, moment)
        )

    def edges_of(self, node: Node) -> list[Edge]:
        return self._adjacent.get(node, [])

    def neighbours(self, node: Node, kind: NodeKind | None = None) -> list[Node]:
        found = {edge.other(node) for edge in self.edges_of(node)}
        return sorted(n for n in found if kind is None or n.kind is kind)

    def services(self) -> list[Node]:
        return [node for node in self.nodes if node.kind is NodeKind.SERVICE]

    def subgraph(self, nodes: Iterable[Node]) -> Graph:
        """The nodes given (those known) and every edge between two of them."""
        keep = {node for node in nodes if node in self.attributes}
        part = Graph()
        for node in sorted(keep):
            part.add_node(node, self.first_seen[node])
            part.attributes[node].update(self.attributes[node])
        for edge in self.edges.values():
            if edge.source in keep and edge.target in keep:
                part.add_edge(
                    Edge(
                        edge.source, edge.target, edge.relation, edge.collector,
                        edge.first_seen, edge.last_seen, edge.observations,
                    )
                )  # fmt: skip
        return part


def build_graph(observations: Iterable[Observation]) -> Graph:
    graph = Graph()
    for observation in observations:
        graph.add(observation)
    return graph


@dataclass(slots=True, frozen=True)
class Reach:
    """How a footprint reached a pivot: the node it came from and the relation followed."""

    via: Node
    relation: str


def own_domains(graph: Graph, service: Node) -> list[Node]:
    """The service's domains: those it names, and those they redirect to."""
    owned: set[Node] = set()
    frontier = [n for n in graph.neighbours(service) if n.kind is NodeKind.DOMAIN]
    while frontier:
        domain = frontier.pop()
        if domain in owned:
            continue
        owned.add(domain)
        for edge in graph.edges_of(domain):
            owning = edge.source == domain and edge.relation in OWNING_RELATIONS
            if owning and edge.target.kind is NodeKind.DOMAIN:
                frontier.append(edge.target)
    return sorted(owned)


def footprint(graph: Graph, service: Node) -> dict[Node, Reach]:
    """Every pivot of ``service`` with how it was reached (see the module docstring)."""
    found: dict[Node, Reach] = {}

    def reach(origin: Node) -> None:
        for edge in graph.edges_of(origin):
            other = edge.other(origin)
            if other.kind is not NodeKind.SERVICE and other != service:
                found.setdefault(other, Reach(origin, edge.relation))

    reach(service)
    for domain in own_domains(graph, service):
        found.setdefault(domain, Reach(service, "owns"))
        reach(domain)
    # One more hop from addresses to their networks only: an ASN is weak but explains a CDN.
    for node in [n for n in found if n.kind is NodeKind.IP]:
        for asn in graph.neighbours(node, NodeKind.ASN):
            found.setdefault(asn, Reach(node, "asn.origin"))
    return found
