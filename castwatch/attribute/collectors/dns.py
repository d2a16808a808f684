"""The DNS collector: addresses, aliases, zones, name and mail servers, TXT records.

Operators reuse infrastructure a registrar cannot hide: a self-hosted name server, a mail
host, an SPF include, a CNAME into the same stream farm. Each host is asked for A, AAAA and
CNAME (CNAME targets are followed and asked in turn), its zone is found by walking up to the
SOA, and each zone is asked once for NS, MX and TXT. Name and mail servers are resolved too:
their addresses link zones that share a self-hosted server.
"""

from __future__ import annotations

import asyncio
import re

from castwatch.attribute.collectors.base import (
    CollectContext,
    Collector,
    CollectTargets,
    observation,
    register_collector,
)
from castwatch.attribute.collectors.clients.dns import is_ip
from castwatch.catalog.attribution import NodeKind, Observation
from castwatch.errors import CastwatchError

#: Hosts asked per run at most: CNAME chains and name servers must not fan out forever.
MAX_HOSTS = 256
_SPF_INCLUDE = re.compile(r"\b(?:include|redirect)[:=]([A-Za-z0-9.-]+)", re.IGNORECASE)
_VERIFICATION = re.compile(
    r"^([a-z0-9-]*(?:site|domain)-verification)=([A-Za-z0-9_-]{6,100})$", re.IGNORECASE
)
_RELATION = {"A": ("dns.a", NodeKind.IP), "AAAA": ("dns.aaaa", NodeKind.IP)}


@register_collector
class DnsCollector(Collector):
    """A, AAAA, CNAME per host; NS, MX, TXT per zone; through ``settings.resolver``."""

    name = "dns"

    async def collect(self, targets: CollectTargets, context: CollectContext) -> list[Observation]:
        source = context.resolver.label
        rows: list[Observation] = []
        seen_hosts: set[str] = set()
        seen_zones: set[str] = set()
        pending = [host for host in targets.hosts() if not is_ip(host)]

        async def host_rows(host: str) -> list[Observation]:
            return await self._host(host, context, source, pending)

        async def zone_rows(zone: str) -> list[Observation]:
            return await self._zone(zone, context, source, pending)

        while pending:
            batch = [host for host in dict.fromkeys(pending) if host not in seen_hosts]
            pending.clear()
            batch = batch[: max(0, MAX_HOSTS - len(seen_hosts))]
            seen_hosts.update(batch)
            found = await context.each(self.name, batch, host_rows, _domain)
            rows += found
            zones = [
                row.value
                for row in found
                if row.relation == "dns.zone" and row.value not in seen_zones
            ]
            zones = list(dict.fromkeys(zones))
            seen_zones.update(zones)
            rows += await context.each(self.name, zones, zone_rows, _domain)
        return rows

    async def _host(
        self, host: str, context: CollectContext, source: str, pending: list[str]
    ) -> list[Observation]:
        rows: list[Observation] = []
        answers = await asyncio.gather(
            *(context.bounded(context.resolver.query(host, t)) for t in ("CNAME", "A", "AAAA"))
        )
        cname, *addresses = answers
        if cname.status == "nxdomain":
            return [observation(NodeKind.DOMAIN, host, "dns.status", None, "nxdomain", source)]
        for target in cname.records:
            rows.append(
                observation(
                    NodeKind.DOMAIN,
                    host,
                    "dns.cname",
                    NodeKind.DOMAIN,
                    target,
                    source,
                    ttl=cname.ttl,
                )
            )
            pending.append(target)
        for answer in addresses:
            relation, kind = _RELATION[answer.rdtype]
            for address in answer.records:
                rows.append(
                    observation(
                        NodeKind.DOMAIN, host, relation, kind, address, source, ttl=answer.ttl
                    )
                )
        try:
            zone = await context.bounded(context.resolver.zone(host))
        except CastwatchError as exc:
            rows.append(context.error(self.name, NodeKind.DOMAIN, host, str(exc)))
        else:
            rows.append(
                observation(NodeKind.DOMAIN, host, "dns.zone", NodeKind.DOMAIN, zone, source)
            )
        return rows

    async def _zone(
        self, zone: str, context: CollectContext, source: str, pending: list[str]
    ) -> list[Observation]:
        rows: list[Observation] = []
        ns, mx, txt = await asyncio.gather(
            *(context.bounded(context.resolver.query(zone, t)) for t in ("NS", "MX", "TXT"))
        )
        for server in ns.records:
            rows.append(
                observation(
                    NodeKind.DOMAIN, zone, "dns.ns", NodeKind.DOMAIN, server, source, ttl=ns.ttl
                )
            )
            pending.append(server)
        for exchange in mx.records:
            rows.append(
                observation(
                    NodeKind.DOMAIN, zone, "dns.mx", NodeKind.DOMAIN, exchange, source, ttl=mx.ttl
                )
            )
            pending.append(exchange)
        for text in txt.records:
            rows.append(observation(NodeKind.DOMAIN, zone, "dns.txt", None, text, source))
            for include in _SPF_INCLUDE.findall(text) if text.lower().startswith("v=spf1") else ():
                rows.append(
                    observation(
                        NodeKind.DOMAIN,
                        zone,
                        "dns.spf",
                        NodeKind.DOMAIN,
                        include.lower().rstrip("."),
                        source,
                    )
                )
            token = _VERIFICATION.match(text.strip())
            if token:
                rows.append(
                    observation(
                        NodeKind.DOMAIN,
                        zone,
                        "dns.verification",
                        NodeKind.ANALYTICS,
                        f"{token[1].lower()}:{token[2]}",
                        source,
                    )
                )
        return rows


def _domain(host: str) -> tuple[NodeKind, str]:
    return NodeKind.DOMAIN, host
