"""The TLS collector: which certificate each HTTPS host serves, and what it covers.

One certificate whose SANs list a dozen brands is about the strongest link there is: only
whoever holds its key can serve it. The handshake goes to the address our resolver gave,
with the host name as SNI, and verification off, so expired and self-signed certificates are
recorded as readily as valid ones.
"""

from __future__ import annotations

from castwatch.attribute.collectors.base import (
    CollectContext,
    Collector,
    CollectTargets,
    observation,
    register_collector,
)
from castwatch.attribute.collectors.clients.tls import parse_certificate, peer_certificate
from castwatch.catalog.attribution import NodeKind, Observation


@register_collector
class TlsCollector(Collector):
    """Certificate fingerprint, SANs, issuer and validity for every HTTPS target."""

    name = "tls"

    async def collect(self, targets: CollectTargets, context: CollectContext) -> list[Observation]:
        async def endpoint(item: tuple[str, int]) -> list[Observation]:
            host, port = item
            addresses = await context.resolver.addresses(host)
            der = await context.bounded(
                peer_certificate(addresses[0], port, host, context.settings.timeout)
            )
            return certificate_rows(host, addresses[0], port, der, context)

        return await context.each(
            self.name,
            targets.tls_endpoints(),
            endpoint,
            lambda item: (NodeKind.DOMAIN, item[0]),
        )


def certificate_rows(
    host: str, address: str, port: int, der: bytes, context: CollectContext
) -> list[Observation]:
    """Observations about the certificate ``host`` served at ``address:port``."""
    cert = parse_certificate(der)
    source = f"tls@{address}:{port}"
    now = context.now()
    rows = [
        observation(
            NodeKind.DOMAIN,
            host,
            "tls.cert",
            NodeKind.CERTIFICATE,
            cert.sha256,
            source,
            subject=cert.subject,
            issuer=cert.issuer,
            serial=cert.serial,
            not_before=cert.not_before.isoformat(),
            not_after=cert.not_after.isoformat(),
            expired=cert.not_after < now,
            self_signed=cert.self_signed,
            names_host=_covers(cert.sans, host),
            san_count=len(cert.sans),
        )
    ]
    for san in cert.sans:
        name = san.removeprefix("*.")
        rows.append(
            observation(
                NodeKind.CERTIFICATE,
                cert.sha256,
                "tls.san",
                NodeKind.IP if name.replace(".", "").isdigit() or ":" in name else NodeKind.DOMAIN,
                name,
                source,
                wildcard=san.startswith("*.") or None,
            )
        )
    issuer = cert.issuer_org or cert.issuer
    rows.append(
        observation(
            NodeKind.CERTIFICATE, cert.sha256, "tls.issuer", NodeKind.ORGANISATION, issuer, source
        )
    )
    if cert.subject_org:
        rows.append(
            observation(
                NodeKind.CERTIFICATE,
                cert.sha256,
                "tls.subject_org",
                NodeKind.ORGANISATION,
                cert.subject_org,
                source,
            )
        )
    return rows


def _covers(sans: tuple[str, ...], host: str) -> bool:
    parent = host.partition(".")[2]
    return host in sans or (bool(parent) and f"*.{parent}" in sans)
