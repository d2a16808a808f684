"""Read-only views of the stored graph for ``castwatch graph show`` (and its --json)."""

from __future__ import annotations

from typing import Any

from castwatch.attribute import store as db
from castwatch.errors import NotFound
from castwatch.storage.db import Store


def graph_counts(store: Store) -> dict[str, Any]:
    """How many nodes of each kind, edges, observations, operators and alerts are stored."""
    with store.session() as session:
        return db.counts(session)


def node_views(store: Store, text: str) -> list[dict[str, Any]]:
    """Each node answering to ``text`` with its operator and every edge, both directions."""
    with store.session() as session:
        nodes = db.find_nodes(session, text)
        if not nodes:
            raise NotFound(
                f"no node {text!r} in the attribution graph; give a domain, an address, "
                "or kind:key (e.g. analytics:G-ABC123), or run `castwatch attribute` first"
            )
        operators = db.operator_of(session, [n.id for n in nodes])
        views = []
        for node in nodes:
            edges = [
                {
                    "direction": direction,
                    "relation": edge.relation,
                    "kind": other.kind,
                    "key": other.key,
                    "collector": edge.collector,
                    "observations": edge.observations,
                    "first_seen": edge.first_seen.isoformat(),
                    "last_seen": edge.last_seen.isoformat(),
                }
                for edge, other, direction in db.node_edges(session, node.id)
            ]
            views.append(
                {
                    "kind": node.kind,
                    "key": node.key,
                    "operator": operators.get(node.id),
                    "attributes": node.attributes,
                    "first_seen": node.first_seen.isoformat(),
                    "last_seen": node.last_seen.isoformat(),
                    "edges": edges,
                }
            )
        return views
