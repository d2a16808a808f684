"""MISP events of the attribution graph, built with ``pymisp``'s :class:`MISPEvent`.

One event per export: the operator (or the whole graph), with one attribute per node MISP
has a type for (``domain``, ``ip-dst``, ``AS``, ``x509-fingerprint-sha256``, ``email``,
``phone-number``, ``btc``, ``url``, ``text`` for analytics ids and panels), each tagged with
its node kind and commented with the services it belongs to, and the link explanations in
the event's comment attributes. ``distribution`` 0 (this organisation only): attribution of
people is for the investigator's case file, not for sharing by default.
"""

from __future__ import annotations

import re
from pathlib import Path

from pymisp import MISPEvent

from castwatch.attribute.exports import Exporter, GraphView, register_exporter
from castwatch.attribute.graph import Node
from castwatch.catalog.attribution import NodeKind

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _misp_type(node: Node) -> tuple[str, str, str] | None:
    """``(type, category, value)`` for ``node``, or None where MISP has no sensible type."""
    key = node.key
    if node.kind is NodeKind.DOMAIN:
        return "domain", "Network activity", key
    if node.kind is NodeKind.IP:
        return "ip-dst", "Network activity", key
    if node.kind is NodeKind.ASN:
        return "AS", "Network activity", key
    if node.kind is NodeKind.CERTIFICATE and _SHA256.match(key):
        return "x509-fingerprint-sha256", "Network activity", key
    if node.kind is NodeKind.CONTACT:
        scheme, _, rest = key.partition(":")
        if scheme == "email" or ("@" in key and not rest):
            return "email", "Social network", rest or key
        if scheme == "phone":
            return "phone-number", "Person", rest
        return "text", "Social network", key
    if node.kind is NodeKind.PAYMENT:
        scheme, _, rest = key.partition(":")
        if scheme == "btc":
            return "btc", "Financial fraud", rest
        return "text", "Financial fraud", key
    if node.kind in (NodeKind.ANALYTICS, NodeKind.PANEL, NodeKind.FAVICON):
        return "text", "Other", key
    if node.kind is NodeKind.ORGANISATION:
        return "text", "Attribution", key
    return None


def misp_event(view: GraphView) -> MISPEvent:
    """The view as one unpublished MISP event."""
    event = MISPEvent()
    event.info = view.title
    event.distribution = 0
    event.threat_level_id = 4
    event.analysis = 1
    event.add_tag("castwatch:attribution")
    for operator in view.operators:
        event.add_tag(f"castwatch:operator={operator.id}")
    for node in view.graph.nodes:
        typed = _misp_type(node)
        if typed is None:
            continue
        misp_type, category, value = typed
        services = sorted(n.key for n in view.graph.neighbours(node) if n.kind is NodeKind.SERVICE)
        comment = node.kind.value + (f" of {', '.join(services)}" if services else "")
        attribute = event.add_attribute(
            misp_type, value, category=category, comment=comment, to_ids=False,
            first_seen=view.graph.first_seen[node],
        )  # fmt: skip
        for one in attribute if isinstance(attribute, list) else [attribute]:
            one.add_tag(f"castwatch:kind={node.kind.value}")
    for operator in view.operators:
        event.add_attribute("text", f"operator {operator.id}: {operator.label}", category="Other")
        for link in operator.links:
            pivots = ", ".join(
                f"{p['kind']} {p['key']} ({p['weight']:.2f})" for p in link["pivots"]
            )
            text = f"{link['a']} <-> {link['b']} score {link['score']:.2f}: {pivots}"
            event.add_attribute("comment", text, category="Other", to_ids=False)
    return event


@register_exporter
class MispExporter(Exporter):
    """A MISP event (JSON, ``{"Event": ...}``) ready for ``Add Event > Import from JSON``."""

    name = "misp"
    suffix = ".json"

    def write(self, view: GraphView, path: Path) -> None:
        path.write_text(misp_event(view).to_json(indent=2), encoding="utf-8")
