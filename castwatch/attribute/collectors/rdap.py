"""The RDAP collector: registrar, registrant and dates of each zone, when RDAP answers.

RDAP is the structured successor of WHOIS. Most registrants hide behind privacy services;
a redacted registrant is recorded without a node (so the thousands of domains behind one
privacy service are not linked), a named one as an organisation. When the RDAP server cannot
be reached the run records ``rdap.unavailable`` and goes on.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import orjson

from castwatch.attribute.collectors.base import (
    CollectContext,
    Collector,
    CollectTargets,
    observation,
    register_collector,
)
from castwatch.attribute.collectors.clients.dns import Resolver, is_ip
from castwatch.attribute.collectors.clients.web import PageFetcher
from castwatch.catalog.attribution import NodeKind, Observation
from castwatch.errors import CastwatchError, CollectorError

_REDACTED = ("redacted", "privacy", "withheld", "not disclosed", "data protected", "proxy")


@register_collector
class RdapCollector(Collector):
    """``GET {rdap_url}/domain/{zone}`` for every zone the DNS collector found."""

    name = "rdap"
    phase = 1

    async def collect(self, targets: CollectTargets, context: CollectContext) -> list[Observation]:
        base = context.settings.rdap_url
        if not base:
            return []
        zones = _zones(targets, context)
        settings = context.settings
        # The RDAP server is a public service, not part of the investigated ecosystem: resolve
        # it the ordinary way, not through the resolver chosen for the targets.
        fetcher = PageFetcher(
            Resolver(None, settings.timeout),
            timeout=settings.timeout,
            max_bytes=min(settings.max_bytes, 1024 * 1024),
            max_redirects=settings.max_redirects,
            user_agent=settings.user_agent,
            allow_private=settings.allow_private_networks,
            # The RDAP server is the one the user configured.
            trusted_urls=(base,),
            concurrency=settings.concurrency,
        )
        async with fetcher:

            async def one(zone: str) -> list[Observation]:
                url = f"{base.rstrip('/')}/domain/{quote(zone)}"

                def said(prop: str, value: str, where: str) -> list[Observation]:
                    return [observation(NodeKind.DOMAIN, zone, prop, None, value, f"rdap@{where}")]

                try:
                    page = await context.bounded(fetcher.fetch(url, allow_truncated=False))
                except CastwatchError as exc:
                    return said("rdap.unavailable", str(exc), base)
                if page.status == 404:
                    return said("rdap.status", "not found", url)
                if page.status != 200:
                    return said("rdap.unavailable", f"HTTP {page.status}", url)
                try:
                    answer = orjson.loads(page.body)
                except orjson.JSONDecodeError:
                    raise CollectorError("the RDAP answer is not JSON", "rdap", url) from None
                return domain_rows(zone, answer, f"rdap@{url}")

            return await context.each(self.name, zones, one, lambda z: (NodeKind.DOMAIN, z))


def _zones(targets: CollectTargets, context: CollectContext) -> list[str]:
    found = {row.value: None for row in context.prior if row.relation == "dns.zone"}
    if not found:
        # No DNS results (collector not run, or failed): fall back on the last two labels.
        for host in targets.hosts():
            if not is_ip(host) and host.count(".") >= 1:
                found.setdefault(".".join(host.split(".")[-2:]))
    return list(found)


def domain_rows(zone: str, answer: Any, source: str) -> list[Observation]:
    """Registrar, registrant, name servers and dates from one RDAP domain object."""
    if not isinstance(answer, dict):
        raise CollectorError("the RDAP answer is not an object", "rdap", zone)
    rows: list[Observation] = []
    for entity in answer.get("entities") or ():
        if not isinstance(entity, dict):
            continue
        roles = {str(role) for role in entity.get("roles") or ()}
        name = _vcard(entity, "org") or _vcard(entity, "fn")
        if "registrar" in roles and name:
            rows.append(
                observation(
                    NodeKind.DOMAIN, zone, "rdap.registrar", NodeKind.ORGANISATION, name, source
                )
            )
        if "registrant" in roles and name:
            if any(word in name.lower() for word in _REDACTED):
                rows.append(
                    observation(
                        NodeKind.DOMAIN, zone, "rdap.registrant", None, name, source, redacted=True
                    )
                )
            else:
                rows.append(
                    observation(
                        NodeKind.DOMAIN,
                        zone,
                        "rdap.registrant",
                        NodeKind.ORGANISATION,
                        name,
                        source,
                    )
                )
            email = _vcard(entity, "email")
            if email and not any(word in email.lower() for word in _REDACTED):
                rows.append(
                    observation(
                        NodeKind.DOMAIN,
                        zone,
                        "rdap.contact",
                        NodeKind.CONTACT,
                        f"email:{email.lower()}",
                        source,
                    )
                )
    for server in answer.get("nameservers") or ():
        if isinstance(server, dict) and isinstance(server.get("ldhName"), str):
            rows.append(
                observation(
                    NodeKind.DOMAIN,
                    zone,
                    "rdap.nameserver",
                    NodeKind.DOMAIN,
                    server["ldhName"].lower().rstrip("."),
                    source,
                )
            )
    for event in answer.get("events") or ():
        if isinstance(event, dict) and event.get("eventAction") in ("registration", "expiration"):
            rows.append(
                observation(
                    NodeKind.DOMAIN,
                    zone,
                    f"rdap.{event['eventAction']}",
                    None,
                    str(event.get("eventDate", "")),
                    source,
                )
            )
    return rows


def _vcard(entity: dict[str, Any], field: str) -> str | None:
    card = entity.get("vcardArray")
    if not isinstance(card, list) or len(card) < 2 or not isinstance(card[1], list):
        return None
    for item in card[1]:
        if isinstance(item, list) and len(item) >= 4 and item[0] == field:
            value = item[3]
            if isinstance(value, list):
                value = " ".join(str(part) for part in value if part)
            text = str(value).strip()
            return text or None
    return None
