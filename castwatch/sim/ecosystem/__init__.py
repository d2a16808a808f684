"""A simulated pirate ecosystem: operators, brands, resellers and decoys on real servers.

Several operators run brands and resellers on shared panels, hosts, certificates, analytics
and payment handles; unrelated decoys share only a CDN, a hosting ASN or a registrar's name
servers; some brands were taken down and relaunched. It all runs on 127.0.0.0/8: an
authoritative DNS server, HTTP and HTTPS (per-SNI certificates from a test CA) on one
loopback address per simulated IP, an RDAP server, and an ip2asn table written beside it.

    with Ecosystem(seed=1) as eco:
        eco.info.brands["kingstream"].shop, eco.info.dns, eco.info.truth

``castwatch sim --ecosystem --json`` serves the same from the command line.
"""

from __future__ import annotations

from castwatch.sim.ecosystem.runner import BrandEntry, Ecosystem, EcosystemInfo, serve_ecosystem
from castwatch.sim.ecosystem.world import World, generate_world

__all__ = ["BrandEntry", "Ecosystem", "EcosystemInfo", "World", "generate_world", "serve_ecosystem"]
