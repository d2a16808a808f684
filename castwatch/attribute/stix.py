"""STIX 2.1 bundles of the attribution graph (the ``stix2`` package), for CTI platforms.

Each operator becomes an ``infrastructure`` that *consists-of* one ``infrastructure`` per
service; domains, addresses, networks, certificates and e-mail contacts become the matching
cyber-observables (``domain-name``, ``ipv4-addr``/``ipv6-addr``, ``autonomous-system``,
``x509-certificate``, ``email-addr``) and organisations ``identity`` objects, joined by
``relationship`` objects named as the STIX 2.1 vocabulary names them (*resolves-to*,
*belongs-to*, *consists-of*; *related-to* otherwise). Pivots STIX has no observable for
(analytics and payment ids, panels, favicons, messaging handles) and the explanation of each
link go into a ``note`` on the operator.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Any

import stix2

from castwatch.attribute.exports import Exporter, GraphView, register_exporter
from castwatch.attribute.graph import Node
from castwatch.catalog.attribution import NodeKind

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_RESOLVES = frozenset({"dns.a", "dns.aaaa", "dns.cname"})


def _observable(node: Node, attributes: dict[str, str]) -> Any | None:
    """The STIX object standing for ``node``, or None where STIX has no such observable."""
    if node.kind is NodeKind.DOMAIN:
        return stix2.DomainName(value=node.key)
    if node.kind is NodeKind.IP:
        try:
            version = ipaddress.ip_address(node.key).version
        except ValueError:
            return None
        return (stix2.IPv4Address if version == 4 else stix2.IPv6Address)(value=node.key)
    if node.kind is NodeKind.ASN and node.key[2:].isdigit():
        name = attributes.get("asn.org")
        extra = {"name": name} if name else {}
        return stix2.AutonomousSystem(number=int(node.key[2:]), **extra)
    if node.kind is NodeKind.CERTIFICATE and _SHA256.match(node.key):
        return stix2.X509Certificate(hashes={"SHA-256": node.key})
    if node.kind is NodeKind.CONTACT:
        mail = node.key.removeprefix("email:")
        if "@" in mail and ":" not in mail:
            return stix2.EmailAddress(value=mail)
    if node.kind is NodeKind.ORGANISATION:
        return stix2.Identity(name=node.key, identity_class="organization")
    return None


def _relation_type(source: Node, target: Node, relation: str) -> str:
    if source.kind is NodeKind.SERVICE and target.kind is NodeKind.DOMAIN:
        return "consists-of"
    if source.kind is NodeKind.DOMAIN and relation in _RESOLVES:
        return "resolves-to"
    if source.kind is NodeKind.IP and target.kind is NodeKind.ASN:
        return "belongs-to"
    return "related-to"


def stix_bundle(view: GraphView) -> Any:
    """The view as one ``stix2.Bundle``."""
    author = stix2.Identity(name="castwatch", identity_class="system")
    objects: list[Any] = [author]
    ids: dict[Node, str] = {}
    for node in view.graph.nodes:
        if node.kind is NodeKind.SERVICE:
            found: Any = stix2.Infrastructure(
                name=node.key, infrastructure_types=["unknown"], created_by_ref=author.id,
                description="a pirate IPTV service (brand or reseller)",
            )  # fmt: skip
        else:
            found = _observable(node, view.graph.attributes.get(node, {}))
        if found is not None:
            ids[node] = found.id
            objects.append(found)
    seen: set[tuple[str, str, str]] = set()
    for edge in view.graph.edges.values():
        if edge.source not in ids or edge.target not in ids:
            continue
        kind = _relation_type(edge.source, edge.target, edge.relation)
        key = (ids[edge.source], ids[edge.target], kind)
        if key in seen:
            continue
        seen.add(key)
        objects.append(
            stix2.Relationship(
                ids[edge.source], kind, ids[edge.target], created_by_ref=author.id,
                description=f"{edge.relation} (seen by {edge.collector})",
                start_time=edge.first_seen, stop_time=_after(edge.first_seen, edge.last_seen),
            )
        )  # fmt: skip
    objects += _operators(view, ids, author.id)
    return stix2.Bundle(objects=objects)


def _after(first: Any, last: Any) -> Any:
    # STIX requires stop_time later than start_time; one sighting has no duration.
    return last if last > first else None


def _operators(view: GraphView, ids: dict[Node, str], author: str) -> list[Any]:
    objects: list[Any] = []
    for operator in view.operators:
        members = [ids[n] for n in _services(operator.services) if n in ids]
        if not members:
            continue
        infrastructure = stix2.Infrastructure(
            name=f"operator {operator.id}: {operator.label}", infrastructure_types=["unknown"],
            created_by_ref=author,
            description=f"{len(operator.services)} services run by one operator (castwatch)",
        )  # fmt: skip
        objects.append(infrastructure)
        for member in members:
            objects.append(
                stix2.Relationship(infrastructure.id, "consists-of", member, created_by_ref=author)
            )
        lines = [
            f"{link['a']} <-> {link['b']} score {link['score']:.2f}: "
            + ", ".join(f"{p['kind']} {p['key']} ({p['weight']:.2f})" for p in link["pivots"])
            for link in operator.links
        ]
        objects.append(
            stix2.Note(
                abstract=f"why these services are one operator (operator {operator.id})",
                content="\n".join(lines) or "a single service",
                object_refs=[infrastructure.id, *members], created_by_ref=author,
            )
        )  # fmt: skip
    return objects


def _services(names: list[str]) -> list[Node]:
    return [Node(NodeKind.SERVICE, name) for name in names]


@register_exporter
class StixExporter(Exporter):
    """A STIX 2.1 bundle (JSON)."""

    name = "stix"
    suffix = ".json"

    def write(self, view: GraphView, path: Path) -> None:
        path.write_text(stix_bundle(view).serialize(pretty=True), encoding="utf-8")
