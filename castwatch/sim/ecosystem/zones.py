"""The ecosystem's DNS data: every zone, its SOA and name servers, and each name's records.

Brands point their panel alias (``line.<brand>``) and stream alias (``stream.<brand>``) at
their operator's hosts by CNAME, use the operator's self-hosted name servers or mail host
some of the time, and carry an SPF include or a Facebook domain-verification token of their
operator some of the time. Decoys and CDN customers share the CDN's or the registrar's name
servers, which must not link them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from random import Random

from castwatch.sim.ecosystem.world import (
    CDN_NS,
    HOSTILE,
    MAIL_HOST,
    REGISTRAR_NS,
    STATIC_HOST,
    Brand,
    Operator,
    World,
)

#: Names whose queries fail on purpose: the resolver answers SERVFAIL, or nothing at all.
SERVFAIL_NAME = "servfail.hostile.test"
TIMEOUT_NAME = "timeout.hostile.test"
HOSTILE_ZONE = "hostile.test"
TTL = 300


@dataclass
class ZoneData:
    """Records by owner name and type (MX as ``"10 host"``), and the zone apexes."""

    zones: set[str] = field(default_factory=set)
    records: dict[str, dict[str, list[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )

    def add(self, name: str, rtype: str, value: str) -> None:
        values = self.records[name][rtype]
        if value not in values:
            values.append(value)

    def add_zone(self, apex: str, nameservers: dict[str, str]) -> None:
        self.zones.add(apex)
        for host in nameservers:
            self.add(apex, "NS", host)

    def zone_of(self, name: str) -> str | None:
        """The longest zone apex ``name`` falls under, or None (not ours)."""
        labels = name.split(".")
        for index in range(len(labels)):
            candidate = ".".join(labels[index:])
            if candidate in self.zones:
                return candidate
        return None

    def exists(self, name: str) -> bool:
        """Whether ``name`` owns records or has names below it (an empty non-terminal)."""
        if name in self.records:
            return True
        suffix = "." + name
        return any(owner.endswith(suffix) for owner in self.records)


def ipv6_for(address: str) -> str:
    """A documentation-range IPv6 twin of a 127.0.x.y address (AAAA records only)."""
    _, _, block, host = address.split(".")
    return f"2001:db8:{block}::{host}"


def build_zones(world: World) -> ZoneData:
    data = ZoneData()
    for host, address in (*CDN_NS.items(), *REGISTRAR_NS.items(), MAIL_HOST, STATIC_HOST):
        data.add(host, "A", address)
    data.add_zone("edgeflare.test", CDN_NS)
    data.add_zone("regdns.test", REGISTRAR_NS)
    data.add_zone("pmail.test", REGISTRAR_NS)
    data.add_zone("cdnlib.test", CDN_NS)
    data.add("_spf.pmail.test", "TXT", "v=spf1 ip4:127.0.41.0/24 -all")
    data.add_zone(HOSTILE_ZONE, REGISTRAR_NS)
    for name, address in HOSTILE.items():
        data.add(f"{name}.{HOSTILE_ZONE}", "A", address)
    for op in world.operators.values():
        _operator_records(data, op)
    for brand in world.brands.values():
        _brand_records(data, brand, world.operator_of(brand), world.seed)
    return data


def _operator_records(data: ZoneData, op: Operator) -> None:
    zone = op.zone
    nameservers = (
        {f"ns1.{zone}": op.panel_address, f"ns2.{zone}": op.stream_address}
        if op.self_ns
        else REGISTRAR_NS
    )
    data.add_zone(zone, nameservers)
    for host, address in nameservers.items():
        if host.endswith(zone):
            data.add(host, "A", address)
    data.add(op.panel_host, "A", op.panel_address)
    data.add(op.stream_host, "A", op.stream_address)
    data.add(f"mail.{zone}", "A", op.origin_address)
    data.add(zone, "MX", f"10 mail.{zone}")
    data.add(zone, "A", op.origin_address)
    data.add(f"_spf.{zone}", "TXT", f"v=spf1 ip4:{op.origin_address} -all")
    data.add(zone, "TXT", f"v=spf1 include:_spf.{zone} -all")


def _brand_records(data: ZoneData, brand: Brand, op: Operator, seed: int) -> None:
    rng = Random(f"castwatch-ecosystem-{seed}-dns-{brand.slug}")
    apex = brand.domain
    if brand.front == "cdn":
        nameservers = CDN_NS
    elif brand.kind == "brand" and op.self_ns:
        nameservers = {host: "" for host in (f"ns1.{op.zone}", f"ns2.{op.zone}")}
    else:
        nameservers = REGISTRAR_NS
    data.add_zone(apex, nameservers)
    data.add(apex, "A", brand.address)
    data.add(apex, "AAAA", ipv6_for(brand.address))
    data.add(f"www.{apex}", "CNAME", apex)
    data.add(brand.panel_alias, "CNAME", op.panel_host)
    if brand.stream_alias:
        data.add(f"stream.{apex}", "CNAME", op.stream_host)
    shares = brand.kind == "brand"
    if shares and rng.random() < 0.4:
        data.add(apex, "MX", f"10 mail.{op.zone}")
    else:
        data.add(apex, "MX", f"10 {MAIL_HOST[0]}")
    if shares and rng.random() < 0.5:
        data.add(apex, "TXT", f"v=spf1 include:_spf.{op.zone} ~all")
    else:
        data.add(apex, "TXT", "v=spf1 include:_spf.pmail.test ~all")
    if shares and rng.random() < 0.4:
        token = Random(f"castwatch-ecosystem-{seed}-fb-{op.id}").randbytes(15).hex()
        data.add(apex, "TXT", f"facebook-domain-verification={token}")
