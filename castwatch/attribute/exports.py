"""Exports of the attribution graph: the exporter contract, its registry, GEXF and GraphML.

An export is written from a :class:`GraphView`: the whole stored graph, or one operator's
part of it (its services, their domains and every pivot of their footprints). To add a
format, subclass :class:`Exporter`, set ``name`` and ``suffix``, implement
:meth:`Exporter.write`, and decorate it with :func:`register_exporter`; STIX 2.1
(``stix.py``), MISP (``misp.py``), GEXF, GraphML and PNG (``render.py``) register that way,
and an outside package names its module in the ``castwatch.plugins`` entry-point group.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import networkx as nx

from castwatch.attribute import store as db
from castwatch.attribute.graph import Graph, Node, footprint, own_domains
from castwatch.catalog.attribution import NodeKind
from castwatch.errors import NotFound
from castwatch.plugins import Registry
from castwatch.storage.db import Store

E = TypeVar("E", bound="type[Exporter]")


@dataclass(slots=True)
class GraphView:
    """What an export shows: a graph, the operators in it, and each member's operator."""

    graph: Graph
    operators: list[db.OperatorRecord]
    operator_of: dict[Node, int]
    title: str


def load_view(store: Store, operator_id: int | None = None) -> GraphView:
    """The whole graph, or operator ``operator_id``'s part (raises NotFound if unknown)."""
    operators = db.list_operators(store, operator_id)
    if operator_id is not None and not operators:
        known = ", ".join(str(o.id) for o in db.list_operators(store)) or "none"
        raise NotFound(
            f"no operator {operator_id} (known: {known}); "
            "run `castwatch attribute SERVICE` to build them"
        )
    with store.session() as session:
        graph, _ids = db.load_graph(session)
    operator_of: dict[Node, int] = {}
    for operator in operators:
        for name in operator.services:
            operator_of[Node(NodeKind.SERVICE, name)] = operator.id
        for name in operator.domains:
            operator_of[Node(NodeKind.DOMAIN, name)] = operator.id
    if operator_id is None:
        return GraphView(graph, operators, operator_of, "castwatch attribution graph")
    operator = operators[0]
    keep: set[Node] = set()
    for name in operator.services:
        service = Node(NodeKind.SERVICE, name)
        keep.add(service)
        keep.update(own_domains(graph, service))
        keep.update(footprint(graph, service))
    title = f"castwatch operator {operator.id}: {operator.label}"
    return GraphView(graph.subgraph(keep), operators, operator_of, title)


class Exporter(ABC):
    """Writes a :class:`GraphView` to a file in one format. Subclass and register to add one."""

    name: ClassVar[str]
    suffix: ClassVar[str]

    @abstractmethod
    def write(self, view: GraphView, path: Path) -> None:
        """Write ``view`` to ``path`` (created or replaced)."""


#: Every export format by name; GEXF and GraphML below and the built-in modules register
#: with :func:`register_exporter` like a plugin.
EXPORTERS: Registry[type[Exporter]] = Registry(
    "export format",
    key=lambda cls: cls.name,
    builtins=tuple(
        f"castwatch.attribute.{module}" for module in ("exports", "misp", "render", "stix")
    ),
)


def register_exporter(cls: E) -> E:
    """Class decorator: make ``cls`` available to :func:`export` under ``cls.name``."""
    EXPORTERS.register(cls)
    return cls


def exporters() -> dict[str, type[Exporter]]:
    """Every registered exporter by name, the built-ins and outside plugins included."""
    return EXPORTERS.items()


def export(store: Store, fmt: str, path: Path, operator_id: int | None = None) -> Path:
    """Write the graph (or one operator) as ``fmt`` to ``path``; returns the path."""
    exporter = EXPORTERS.get(fmt)
    view = load_view(store, operator_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    exporter().write(view, path)
    return path


def to_networkx(view: GraphView) -> Any:
    """A ``networkx.DiGraph``: node attributes kind, key, operator (-1: none), first seen."""
    digraph = nx.DiGraph(name=view.title)
    for node in view.graph.nodes:
        digraph.add_node(
            str(node),
            label=node.key,
            kind=node.kind.value,
            operator=view.operator_of.get(node, -1),
            first_seen=view.graph.first_seen[node].isoformat(),
        )
    for edge in view.graph.edges.values():
        source, target = str(edge.source), str(edge.target)
        if digraph.has_edge(source, target):
            # Gephi draws one edge per pair: keep every relation in its label.
            data = digraph.edges[source, target]
            data["relation"] = ",".join(sorted({*data["relation"].split(","), edge.relation}))
            data["observations"] += edge.observations
            continue
        digraph.add_edge(
            source,
            target,
            relation=edge.relation,
            collector=edge.collector,
            observations=edge.observations,
            first_seen=edge.first_seen.isoformat(),
            last_seen=edge.last_seen.isoformat(),
        )
    return digraph


@register_exporter
class GexfExporter(Exporter):
    """GEXF 1.2 for Gephi: colour by ``kind`` or ``operator`` there."""

    name = "gexf"
    suffix = ".gexf"

    def write(self, view: GraphView, path: Path) -> None:
        nx.write_gexf(to_networkx(view), path)


@register_exporter
class GraphmlExporter(Exporter):
    """GraphML, for Gephi, yEd, Cytoscape and networkx."""

    name = "graphml"
    suffix = ".graphml"

    def write(self, view: GraphView, path: Path) -> None:
        nx.write_graphml(to_networkx(view), path)
