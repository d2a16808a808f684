"""Files and registry data written beside the ecosystem: the ip2asn table and RDAP answers.

The address plan puts each kind of network in its own 127.0.x.0/24: a big cloud host
(operators' shop origins *and* unrelated sites), a CDN (edges shared by customers), two
small offshore hosters (panels and stream servers), a registrar's DNS, a mail provider and a
lab for hostile hosts. IPv6 twins (2001:db8:x::/48, AAAA records only) are listed too.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from random import Random
from typing import Any

from castwatch.sim.ecosystem.world import World
from castwatch.sim.ecosystem.zones import ZoneData

#: (third octet, AS number, country, description) of each simulated network.
NETWORKS = (
    (10, 64510, "US", "BIGCLOUD-AS Big Cloud Hosting Inc."),
    (20, 64520, "US", "EDGEFLARE-NET EdgeFlare CDN"),
    (30, 64530, "SC", "SHADOWHOST-AS ShadowHost Ltd"),
    (31, 64531, "NL", "NORDVPS-AS NordVPS B.V."),
    (40, 64540, "US", "SIMREG-DNS Sim Registrar DNS"),
    (41, 64541, "CH", "PMAIL-AS PMail AG"),
    (50, 64550, "DE", "HOSTILE-LAB Hostile Test Lab"),
)
REDACTED = "REDACTED FOR PRIVACY"


def write_ip2asn(path: Path) -> Path:
    """The ecosystem's ip2asn table (tab-separated, as ip2asn.com publishes it)."""
    lines = ["127.0.0.0\t127.0.9.255\t0\tNone\tNot routed"]
    for octet, asn, country, description in NETWORKS:
        lines.append(f"127.0.{octet}.0\t127.0.{octet}.255\t{asn}\t{country}\t{description}")
    for octet, asn, country, description in NETWORKS:
        lines.append(
            f"2001:db8:{octet}::\t2001:db8:{octet}:ffff:ffff:ffff:ffff:ffff\t{asn}\t{country}\t"
            f"{description}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def rdap_domains(world: World, zones: ZoneData) -> dict[str, dict[str, Any]]:
    """RDAP domain objects by zone name: registrar, registrant (often redacted), dates."""
    rng = Random(f"castwatch-ecosystem-{world.seed}-rdap")
    start = datetime(2024, 1, 1, tzinfo=UTC)
    objects: dict[str, dict[str, Any]] = {}
    for op in world.operators.values():
        owner = op.registrant or REDACTED
        objects[op.zone] = _domain(op.zone, op.registrar, owner, zones, start, rng)
        for slug in op.brands:
            brand = world.brands[slug]
            # Resellers and decoys register their own domains; operators' brands show the
            # operator's registrant when it does not pay for privacy.
            registrant = owner if brand.kind == "brand" else REDACTED
            objects[brand.domain] = _domain(
                brand.domain, op.registrar, registrant, zones, start, rng
            )
    return objects


def _domain(
    name: str, registrar: str, registrant: str, zones: ZoneData, start: datetime, rng: Random
) -> dict[str, Any]:
    registered = start + timedelta(days=rng.randint(0, 600))
    return {
        "objectClassName": "domain",
        "ldhName": name,
        "status": ["active"],
        "entities": [
            _entity("registrar", registrar, None),
            _entity("registrant", registrant, None if registrant == REDACTED else f"admin@{name}"),
        ],
        "nameservers": [
            {"objectClassName": "nameserver", "ldhName": host}
            for host in zones.records.get(name, {}).get("NS", [])
        ],
        "events": [
            {"eventAction": "registration", "eventDate": registered.isoformat()},
            {
                "eventAction": "expiration",
                "eventDate": (registered + timedelta(days=365)).isoformat(),
            },
        ],
    }


def _entity(role: str, name: str, email: str | None) -> dict[str, Any]:
    card: list[list[Any]] = [["version", {}, "text", "4.0"], ["fn", {}, "text", name]]
    if email:
        card.append(["email", {}, "text", email])
    return {"objectClassName": "entity", "roles": [role], "vcardArray": ["vcard", card]}
