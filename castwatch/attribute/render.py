"""A picture of an operator's graph for dossiers: PNG through matplotlib's Agg canvas.

Services are large red nodes, their domains blue, and the pivots that join them coloured by
kind; a pivot two services share is drawn larger than one only a single service has, so the
eye goes to what makes the operator one. Figures are built on ``matplotlib.figure.Figure``
with an Agg canvas, never ``pyplot`` (as ``castwatch/report/charts.py`` does).
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from castwatch.attribute.exports import Exporter, GraphView, load_view, register_exporter
from castwatch.attribute.graph import Node
from castwatch.catalog.attribution import NodeKind
from castwatch.storage.db import Store

#: Above this many nodes labels are left off: they would only cover each other.
MAX_LABELLED = 60

_COLOURS = {
    NodeKind.SERVICE: "#d62728",
    NodeKind.DOMAIN: "#1f77b4",
    NodeKind.IP: "#7f7f7f",
    NodeKind.ASN: "#c7c7c7",
    NodeKind.CERTIFICATE: "#9467bd",
    NodeKind.PANEL: "#ff7f0e",
    NodeKind.ANALYTICS: "#2ca02c",
    NodeKind.CONTACT: "#17becf",
    NodeKind.PAYMENT: "#bcbd22",
    NodeKind.FAVICON: "#e377c2",
    NodeKind.ORGANISATION: "#8c564b",
}


def render_png(view: GraphView, path: Path, size: tuple[float, float] = (11.0, 8.0)) -> Path:
    """Draw ``view`` to ``path`` as PNG (150 dpi); returns the path."""
    graph = nx.Graph()
    for node in view.graph.nodes:
        graph.add_node(node)
    for edge in view.graph.edges.values():
        graph.add_edge(edge.source, edge.target)
    figure = Figure(figsize=size, dpi=150)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_axis_off()
    axes.set_title(view.title, fontsize=11)
    if graph.number_of_nodes():
        # A fixed seed: the same operator draws the same picture in every dossier.
        layout = nx.spring_layout(graph, seed=7, k=1.2 / max(1, graph.number_of_nodes()) ** 0.5)
        nodes = list(graph)
        nx.draw_networkx_edges(graph, layout, ax=axes, width=0.6, edge_color="#999999")
        nx.draw_networkx_nodes(
            graph, layout, nodelist=nodes, ax=axes, node_size=[_size(graph, n) for n in nodes],
            node_color=[_COLOURS.get(n.kind, "#000000") for n in nodes], linewidths=0,
        )  # fmt: skip
        if len(nodes) <= MAX_LABELLED:
            labels = {n: n.key if len(n.key) <= 28 else n.key[:26] + "…" for n in nodes}
            nx.draw_networkx_labels(graph, layout, labels=labels, ax=axes, font_size=6)
        kinds = sorted({n.kind for n in nodes}, key=list(NodeKind).index)
        handles = [
            Line2D([], [], marker="o", linestyle="", color=_COLOURS.get(kind, "#000000"),
                   label=kind.value)
            for kind in kinds
        ]  # fmt: skip
        axes.legend(handles=handles, loc="lower left", fontsize=7, frameon=False)
    else:
        axes.text(0.5, 0.5, "no attribution data", ha="center", va="center")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")
    return path


def _size(graph: nx.Graph, node: Node) -> float:
    if node.kind is NodeKind.SERVICE:
        return 420.0
    if node.kind is NodeKind.DOMAIN:
        return 160.0
    # A pivot several domains point at is what joins the brands: draw it larger.
    return 140.0 if graph.degree(node) > 1 else 50.0


def render_operator_png(store: Store, operator_id: int, path: Path) -> Path:
    """Draw operator ``operator_id``'s graph to ``path`` (PNG) for a dossier."""
    return render_png(load_view(store, operator_id), path)


@register_exporter
class PngExporter(Exporter):
    """A PNG picture (best with ``--operator``: a whole graph is a hairball)."""

    name = "png"
    suffix = ".png"

    def write(self, view: GraphView, path: Path) -> None:
        render_png(view, path)
