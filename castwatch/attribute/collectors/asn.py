"""The ASN collector: network, organisation and country of every address seen, offline.

Lookups use tables the investigator supplies (see :mod:`.clients.iptables` for both formats)
so that no third party learns which addresses are being investigated. It runs after the
other collectors and looks up every address they observed, plus the targets' own.
"""

from __future__ import annotations

from castwatch.attribute.collectors.base import (
    CollectContext,
    Collector,
    CollectTargets,
    observation,
    register_collector,
)
from castwatch.attribute.collectors.clients.dns import is_ip
from castwatch.attribute.collectors.clients.iptables import Ip2AsnTable, MmdbTable, Network
from castwatch.catalog.attribution import NodeKind, Observation
from castwatch.errors import LookupTableError


@register_collector
class AsnCollector(Collector):
    """IP to AS number, AS organisation and country from an ip2asn TSV and/or a mmdb."""

    name = "asn"
    phase = 1

    async def collect(self, targets: CollectTargets, context: CollectContext) -> list[Observation]:
        settings = context.settings
        if settings.ip2asn is None and settings.mmdb is None:
            return []
        addresses = _addresses(targets, context)
        rows: list[Observation] = []
        tables: list[Ip2AsnTable | MmdbTable] = []
        try:
            for load, path in ((Ip2AsnTable.load, settings.ip2asn), (MmdbTable, settings.mmdb)):
                if path is None:
                    continue
                try:
                    tables.append(load(path))
                except LookupTableError as exc:
                    rows.append(context.error(self.name, NodeKind.IP, str(path), str(exc)))
            seen: set[tuple[str, str, str]] = set()
            for address in addresses:
                for table in tables:
                    network = table.lookup(address)
                    if network is None:
                        continue
                    for row in network_rows(address, network):
                        # Many addresses share one AS: its organisation row once per table.
                        key = (row.subject, row.relation, row.value)
                        if row.subject_kind is not NodeKind.ASN or key not in seen:
                            seen.add(key)
                            rows.append(row)
        finally:
            for table in tables:
                if isinstance(table, MmdbTable):
                    table.close()
        return rows


def _addresses(targets: CollectTargets, context: CollectContext) -> list[str]:
    found: dict[str, None] = {}
    for address in (*targets.ips, *(h for h in targets.hosts() if is_ip(h))):
        found.setdefault(address)
    for row in context.prior:
        if row.value_kind is NodeKind.IP:
            found.setdefault(row.value)
        if row.subject_kind is NodeKind.IP:
            found.setdefault(row.subject)
    return [address for address in found if is_ip(address)]


def network_rows(address: str, network: Network) -> list[Observation]:
    """Observations one table gave about ``address``."""
    source = f"asn@{network.table}"
    rows: list[Observation] = []
    if network.asn is not None:
        asn = f"AS{network.asn}"
        rows.append(
            observation(
                NodeKind.IP,
                address,
                "asn.origin",
                NodeKind.ASN,
                asn,
                source,
                organisation=network.organisation,
                country=network.country,
            )
        )
        if network.organisation:
            rows.append(
                observation(
                    NodeKind.ASN,
                    asn,
                    "asn.org",
                    NodeKind.ORGANISATION,
                    network.organisation,
                    source,
                )
            )
    if network.country:
        rows.append(observation(NodeKind.IP, address, "asn.country", None, network.country, source))
    return rows
