"""Test certificates for the ecosystem (trustme), served by SNI from one TLS context.

Two trusted issuers (a general CA and the CDN's own) go into ``ca.pem``; a third, rogue
issuer signs the hostile host's expired, mismatched certificate and the fallback for unknown
names, and is left out of the bundle on purpose. Operators that share a certificate get one
whose SANs list every brand they host on their origin, plus their panel host.
"""

from __future__ import annotations

import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path
from random import Random

import trustme

from castwatch.sim.ecosystem.world import World


class CertificateStore:
    """Issues every certificate of a world and picks one per SNI name."""

    def __init__(self, world: World) -> None:
        rng = Random(f"castwatch-ecosystem-{world.seed}-certs")
        self.trusted = trustme.CA(organization_name="Castwatch Sim Trust Services")
        self.cdn = trustme.CA(organization_name="EdgeFlare Inc")
        self._rogue = trustme.CA(organization_name="Rogue Self-Signed")
        self._by_name: dict[str, ssl.SSLContext] = {}
        now = datetime.now(UTC).replace(microsecond=0)
        for op in world.operators.values():
            brands = [world.brands[slug] for slug in op.brands]
            shared = [
                b.domain
                for b in brands
                if op.shared_cert and b.front == "origin" and b.kind == "brand"
            ]
            names = [name for domain in shared for name in (domain, f"www.{domain}")]
            issued = now - timedelta(days=rng.randint(5, 80))
            self._issue(self.trusted, [*names, op.panel_host], issued)
            for brand in brands:
                if brand.domain in shared:
                    continue
                issuer = self.cdn if brand.front == "cdn" else self.trusted
                issued = now - timedelta(days=rng.randint(5, 80))
                self._issue(issuer, [brand.domain, f"www.{brand.domain}"], issued)
        expired = now - timedelta(days=400)
        bad = self._rogue.issue_cert(
            "wrong-name.test",
            organization_name="wrong-name.test",
            not_before=expired,
            not_after=expired + timedelta(days=90),
        )
        self._fallback = self._context(bad)
        self._by_name["badcert.hostile.test"] = self._fallback

    def _issue(self, issuer: trustme.CA, names: list[str], not_before: datetime) -> None:
        # trustme's default subject organisation is the same for every certificate: a hub no
        # real issuer would create. Name the first host instead, as a DV certificate would.
        leaf = issuer.issue_cert(
            *names,
            organization_name=names[0],
            not_before=not_before,
            not_after=not_before + timedelta(days=90),
        )
        context = self._context(leaf)
        for name in names:
            self._by_name[name] = context

    @staticmethod
    def _context(leaf: trustme.LeafCert) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        leaf.configure_cert(context)
        return context

    def server_context(self) -> ssl.SSLContext:
        """The listeners' context: it switches to the certificate of the SNI name asked."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._fallback_chain(context)

        def pick(
            connection: ssl.SSLObject | ssl.SSLSocket, name: str | None, _context: ssl.SSLContext
        ) -> None:
            chosen = self._by_name.get((name or "").lower())
            if chosen is not None:
                connection.context = chosen

        context.sni_callback = pick
        return context

    def _fallback_chain(self, context: ssl.SSLContext) -> None:
        leaf = self._rogue.issue_cert("default.invalid", organization_name="default.invalid")
        leaf.configure_cert(context)

    def write_bundle(self, path: Path) -> Path:
        """Write the trusted issuers' certificates (PEM) to ``path``."""
        path.write_bytes(self.trusted.cert_pem.bytes() + self.cdn.cert_pem.bytes())
        return path
