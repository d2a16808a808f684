"""Attribution records: what the collectors observed about a service's infrastructure.

Collectors (``castwatch/attribute/collectors/``) turn DNS answers, TLS certificates, web pages
and offline IP tables into :class:`Observation` rows; the graph (``castwatch/attribute/``)
turns observations into typed nodes and weighted edges and clusters services into operators.
An observation is one fact: *subject* had *kind* = *value*, seen by *source* at a time.
Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class NodeKind(StrEnum):
    """What a graph node stands for. Observation values are nodes of these kinds."""

    SERVICE = "service"  # a brand / pirate service (its castwatch service name or brand)
    DOMAIN = "domain"
    IP = "ip"
    ASN = "asn"
    CERTIFICATE = "certificate"  # SHA-256 of the DER certificate
    PANEL = "panel"  # an Xtream/Stalker panel fingerprint (server_info url/port/timezone...)
    ANALYTICS = "analytics"  # UA-…, G-…, GTM-…, Facebook pixel id
    CONTACT = "contact"  # e-mail, phone/WhatsApp, Telegram handle
    PAYMENT = "payment"  # PayPal address, crypto wallet
    FAVICON = "favicon"  # mmh3 favicon hash, as Shodan computes it
    ORGANISATION = "organisation"  # hosting or registrant organisation, person


@dataclass(slots=True, frozen=True)
class Observation:
    """One fact about a subject: ``subject`` (a node) is linked to ``value`` (another node).

    ``relation`` names the link as the collector saw it (``dns.a``, ``dns.cname``, ``dns.ns``,
    ``dns.mx``, ``dns.txt``, ``tls.san``, ``tls.cert``, ``tls.issuer``, ``http.server``,
    ``http.title``, ``http.favicon``, ``http.analytics``, ``http.contact``, ``http.payment``,
    ``http.link``, ``asn.origin``, ``asn.org``, ``asn.country``, ``rdap.registrar``,
    ``rdap.registrant``, ``panel.server_info``...). ``detail`` keeps the raw answer
    (record TTL, certificate validity, page URL) for evidence.
    """

    subject_kind: NodeKind
    subject: str
    relation: str
    value_kind: NodeKind | None
    value: str
    source: str
    observed_at: datetime
    detail: dict[str, Any] = field(default_factory=dict)
