"""An export format: the graph's edges as tab-separated lines."""

from __future__ import annotations

from pathlib import Path

from castwatch.attribute.exports import Exporter, GraphView, register_exporter


@register_exporter
class EdgeList(Exporter):
    """``source<TAB>relation<TAB>target``, one edge a line, sorted, under a header line."""

    name = "edge-list"
    suffix = ".tsv"

    def write(self, view: GraphView, path: Path) -> None:
        lines = sorted(
            f"{edge.source}\t{edge.relation}\t{edge.target}" for edge in view.graph.edges.values()
        )
        path.write_text("\n".join(["source\trelation\ttarget", *lines]) + "\n", encoding="utf-8")
