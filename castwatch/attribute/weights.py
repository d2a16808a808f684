"""How much a shared pivot says about two services having one operator.

A pivot's weight is ``base x idf``: ``base`` is what sharing such a thing means at best (one
analytics account or one payment address: nearly proof; one cloud address: nearly nothing),
``idf = (2 / n) ** alpha`` falls as the number ``n`` of services sharing the pivot grows, with
an exponent per kind (an analytics id shared by ten brands is still one account; an address
shared by ten brands is a hosting provider). Weights combine like independent clues
(noisy-OR): ``score = 1 - prod(1 - w)``. *Weak* pivots (CDN or cloud addresses, networks,
registrars, shared name servers) add up to at most :attr:`WeightTable.weak_cap`, below the
merge threshold, so they can never merge two services on their own. The figures are
calibrated in docs/attribution.md ("Graph and operators").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from castwatch.attribute.graph import Graph, Node, Reach
from castwatch.catalog.attribution import NodeKind

#: Substrings of network names that mean "shared infrastructure": CDNs, clouds, big hosters.
SHARED_NETWORKS = (
    "cloudflare", "akamai", "fastly", "amazon", "aws", "google", "microsoft", "azure",
    "ovh", "hetzner", "digitalocean", "linode", "akamai", "cdn77", "stackpath", "incapsula",
    "imperva", "sucuri", "gcore", "g-core", "leaseweb", "contabo", "oracle", "alibaba",
    "tencent", "vultr", "choopa", "scaleway", "online s.a.s", "ionos", "hostinger", "m247",
    "cdn", "cloud", "hosting",
)  # fmt: skip

#: Registrant strings that only say the registrant is hidden.
REDACTED = ("redacted", "privacy", "proxy", "whoisguard", "withheld", "not disclosed", "gdpr")

_BASE: dict[NodeKind, float] = {
    NodeKind.PAYMENT: 0.95,
    NodeKind.ANALYTICS: 0.9,
    NodeKind.CONTACT: 0.85,
    NodeKind.PANEL: 0.85,
    NodeKind.CERTIFICATE: 0.8,
    NodeKind.DOMAIN: 0.7,
    NodeKind.IP: 0.5,
    NodeKind.FAVICON: 0.35,
    NodeKind.ORGANISATION: 0.5,
    NodeKind.ASN: 0.05,
}
_ALPHA: dict[NodeKind, float] = {
    NodeKind.PAYMENT: 0.2,
    NodeKind.ANALYTICS: 0.2,
    NodeKind.CONTACT: 0.3,
    NodeKind.PANEL: 0.15,
    NodeKind.CERTIFICATE: 0.6,
    NodeKind.DOMAIN: 0.6,
    NodeKind.IP: 1.0,
    NodeKind.FAVICON: 1.0,
    NodeKind.ORGANISATION: 1.0,
    NodeKind.ASN: 1.0,
}
#: Relations whose target is shared by construction: name and mail servers, issuers.
_RELATION_BASE: dict[str, float] = {
    "dns.ns": 0.15,
    "rdap.nameserver": 0.15,
    "dns.mx": 0.15,
    "dns.spf": 0.1,
    "dns.cname": 0.4,
    # Pages link to shared things (messaging apps, CDNs, app stores) as well as to twins.
    "http.link": 0.45,
    "tls.issuer": 0.0,
    "rdap.registrar": 0.03,
    "asn.org": 0.0,
    "asn.country": 0.0,
    "http.server": 0.0,
}
_WEAK_RELATIONS = frozenset(
    {"dns.ns", "rdap.nameserver", "dns.mx", "dns.spf", "rdap.registrar", "tls.issuer"}
)


@dataclass(slots=True, frozen=True)
class PivotWeight:
    """One shared pivot's contribution to a link, as explained to the analyst."""

    node: Node
    weight: float
    shared_by: int
    weak: bool
    relations: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.node.kind.value,
            "key": self.node.key,
            "weight": round(self.weight, 4),
            "shared_by": self.shared_by,
            "weak": self.weak,
            "relations": list(self.relations),
        }


@dataclass(slots=True, frozen=True)
class WeightTable:
    """The weights and the merge threshold; tune here, and re-run bench/eval_attribution.py."""

    base: dict[NodeKind, float] = field(default_factory=lambda: dict(_BASE))
    alpha: dict[NodeKind, float] = field(default_factory=lambda: dict(_ALPHA))
    relation_base: dict[str, float] = field(default_factory=lambda: dict(_RELATION_BASE))
    shared_network_base: float = 0.05
    #: An address serving more than this many domains is shared hosting, whatever its owner.
    crowded_address: int = 8
    weak_cap: float = 0.25
    threshold: float = 0.6

    def pivot(self, graph: Graph, node: Node, reaches: list[Reach], shared_by: int) -> PivotWeight:
        """The weight of ``node`` shared by ``shared_by`` services, reached by ``reaches``."""
        relations = tuple(sorted({r.relation for r in reaches}))
        weak = node.kind is NodeKind.ASN or any(r in _WEAK_RELATIONS for r in relations)
        # Two pages linking to one third host (a messaging app, a script CDN) is weak; one
        # linking to the other's own domain ("official reseller of") is not.
        weak = weak or set(relations) == {"http.link"}
        # Each side may have reached the pivot differently; believe the weaker reading.
        base = min(self.relation_base.get(r, self.base.get(node.kind, 0.3)) for r in relations)
        if node.kind is NodeKind.IP and is_shared_address(graph, node, self.crowded_address):
            base, weak = min(base, self.shared_network_base), True
        if node.kind is NodeKind.ORGANISATION and any(m in node.key for m in REDACTED):
            base = 0.0
        idf = (2 / max(shared_by, 2)) ** self.alpha.get(node.kind, 1.0)
        return PivotWeight(node, base * idf, shared_by, weak, relations)

    def score(self, pivots: list[PivotWeight]) -> float:
        """Noisy-OR of the strong pivots, plus the weak ones up to :attr:`weak_cap`."""
        strong = 1.0
        weak = 1.0
        for pivot in pivots:
            if pivot.weak:
                weak *= 1 - pivot.weight
            else:
                strong *= 1 - pivot.weight
        weak_part = min(1 - weak, self.weak_cap)
        return 1 - strong * (1 - weak_part)


def network_names(graph: Graph, asn: Node) -> list[str]:
    """What a network calls itself: its ``asn.org`` attribute and organisation neighbours."""
    names = [value for key, value in graph.attributes.get(asn, {}).items() if key == "asn.org"]
    names += [n.key for n in graph.neighbours(asn, NodeKind.ORGANISATION)]
    return [name.casefold() for name in names]


def is_shared_network(graph: Graph, asn: Node) -> bool:
    return any(marker in name for name in network_names(graph, asn) for marker in SHARED_NETWORKS)


def is_shared_address(graph: Graph, address: Node, crowded: int) -> bool:
    """A CDN or cloud address, or one that serves more than ``crowded`` domains."""
    if any(is_shared_network(graph, asn) for asn in graph.neighbours(address, NodeKind.ASN)):
        return True
    return len(graph.neighbours(address, NodeKind.DOMAIN)) > crowded
