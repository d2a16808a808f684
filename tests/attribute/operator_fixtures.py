"""A small, realistic attribution world built from hand-written observations.

Three operators and four bystanders:

- **electro** runs ``electro-tv``, ``sat-max`` and the reseller ``r1-iptv``: one analytics
  id, one Bitcoin address, one panel, one certificate; ``electro-tv`` and ``r1-iptv`` sit
  behind the same Cloudflare address as the decoys.
- **nova** runs ``nova-tv`` and ``nova-plus``: one Telegram contact and one dedicated server.
- **lonely** is one brand alone on the CDN; ``decoy-1..3`` share with it (and with electro)
  only the CDN address, its network, the registrar, name servers and the certificate issuer.

:func:`relaunch` is what comes after a takedown of ``electro-tv``: ``electro-tv-2`` on a
new domain with the old analytics id and wallet, and a new domain for ``nova-tv``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from castwatch.catalog.attribution import NodeKind, Observation

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
T1 = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
CDN_IP = "104.16.0.1"
ELECTRO = ["electro-tv", "r1-iptv", "sat-max"]
NOVA = ["nova-plus", "nova-tv"]
BYSTANDERS = ["decoy-1", "decoy-2", "decoy-3", "lonely"]

S, D, IP, ASN = NodeKind.SERVICE, NodeKind.DOMAIN, NodeKind.IP, NodeKind.ASN


def fact(
    subject_kind: NodeKind,
    subject: str,
    relation: str,
    value_kind: NodeKind | None,
    value: str,
    at: datetime = T0,
) -> Observation:
    source = relation.split(".")[0]
    return Observation(subject_kind, subject, relation, value_kind, value, source, at)


def _site(
    service: str, domain: str, address: str, at: datetime = T0, registrar: str = "NameCheap, Inc."
) -> list[Observation]:
    return [
        fact(S, service, "service.domain", D, domain, at),
        fact(D, domain, "dns.a", IP, address, at),
        fact(D, domain, "dns.ns", D, "ns1.cloudflare.com", at),
        fact(D, domain, "rdap.registrar", NodeKind.ORGANISATION, registrar, at),
        fact(D, domain, "http.title", None, f"{service} - best IPTV", at),
    ]


def _networks(at: datetime = T0) -> list[Observation]:
    return [
        fact(IP, CDN_IP, "asn.origin", ASN, "AS13335", at),
        fact(ASN, "AS13335", "asn.org", None, "CLOUDFLARENET", at),
        fact(IP, "203.0.113.10", "asn.origin", ASN, "AS64500", at),
        fact(ASN, "AS64500", "asn.org", None, "ATLAS-NET Oujda", at),
        fact(IP, "198.51.100.7", "asn.origin", ASN, "AS64501", at),
        fact(ASN, "AS64501", "asn.org", None, "SMALLNET", at),
    ]


def world() -> list[Observation]:
    """Everything seen before the takedown."""
    rows = _networks()
    rows += _site("electro-tv", "electrotv.example", CDN_IP)
    rows += _site("sat-max", "satmax.example", "203.0.113.10")
    rows += _site("r1-iptv", "r1-iptv.example", CDN_IP, registrar="Hostinger Operations")
    rows += [
        fact(D, "electrotv.example", "http.analytics", NodeKind.ANALYTICS, "G-ELECTRO1"),
        fact(D, "satmax.example", "http.analytics", NodeKind.ANALYTICS, "G-ELECTRO1"),
        fact(D, "satmax.example", "http.payment", NodeKind.PAYMENT, "btc:1ElectroWallet9"),
        fact(D, "r1-iptv.example", "http.payment", NodeKind.PAYMENT, "btc:1ElectroWallet9"),
        fact(S, "r1-iptv", "panel.server_info", NodeKind.PANEL, "electro-panel.example:8080"),
        fact(S, "sat-max", "panel.server_info", NodeKind.PANEL, "electro-panel.example:8080"),
        fact(D, "electrotv.example", "tls.cert", NodeKind.CERTIFICATE, "AA:BB:01"),
        fact(D, "satmax.example", "tls.cert", NodeKind.CERTIFICATE, "aabb01"),
    ]
    rows += _site("nova-tv", "nova.example", "198.51.100.7")
    rows += _site("nova-plus", "novaplus.example", "198.51.100.7")
    rows += [
        fact(D, "nova.example", "http.contact", NodeKind.CONTACT, "telegram:@novasupport"),
        fact(D, "novaplus.example", "http.contact", NodeKind.CONTACT, "telegram:@novasupport"),
        fact(D, "nova.example", "http.favicon", NodeKind.FAVICON, "-1234567"),
    ]
    for name in BYSTANDERS:
        rows += _site(name, f"{name}.example", CDN_IP)
        rows.append(fact(D, f"{name}.example", "tls.issuer", NodeKind.ORGANISATION, "R3"))
        rows.append(fact(D, f"{name}.example", "http.favicon", NodeKind.FAVICON, "-999"))
    return rows


def relaunch() -> list[Observation]:
    """After the takedown: electro-tv back as electro-tv-2, nova-tv on a second domain."""
    rows = _site("electro-tv-2", "electrotv2.example", CDN_IP, at=T1)
    rows += [
        fact(D, "electrotv2.example", "http.analytics", NodeKind.ANALYTICS, "G-ELECTRO1", T1),
        fact(D, "electrotv2.example", "http.payment", NodeKind.PAYMENT, "btc:1ElectroWallet9", T1),
        fact(S, "nova-tv", "service.domain", D, "nova-new.example", T1),
        fact(D, "nova-new.example", "dns.a", IP, CDN_IP, T1),
        fact(D, "nova-new.example", "http.contact", NodeKind.CONTACT, "telegram:@novasupport", T1),
    ]
    return rows
