"""DNS over dnspython, against a chosen server (``host:port``) or the system's resolver.

The chosen server is what makes attribution testable offline and repeatable: the simulated
ecosystem answers for its zones on 127.0.0.1, and an investigator can point at a resolver
they trust instead of whatever the machine is configured with. Address lookups are cached
per run, so the TLS and page collectors pin a host to the same addresses DNS reported.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass

import dns.asyncresolver
import dns.exception
import dns.name
import dns.rdatatype
import dns.resolver

from castwatch.errors import CollectorError, ConfigError


@dataclass(frozen=True, slots=True)
class DnsAnswer:
    """One query's records as text; ``status`` is ``ok``, ``nodata`` or ``nxdomain``."""

    name: str
    rdtype: str
    records: tuple[str, ...]
    ttl: int | None
    status: str = "ok"


def parse_server(spec: str) -> tuple[str, int]:
    """``("127.0.0.1", 5353)`` from ``127.0.0.1:5353``, ``[::1]:53`` or a bare address."""
    text = spec.strip()
    host, port = text, 53
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = int(rest[1:]) if rest.startswith(":") else 53
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
        if not port_text.isdigit():
            raise ConfigError(f"resolver {spec!r}: the port must be a number (host:port)")
        port = int(port_text)
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise ConfigError(
            f"resolver {spec!r}: give the DNS server as an IP address (host:port)"
        ) from None
    return host, port


def is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


class Resolver:
    """Async DNS queries with typed failures and a per-run address cache."""

    def __init__(self, server: str | None, timeout: float) -> None:
        self.server = server
        self.timeout = timeout
        self._resolver: dns.asyncresolver.Resolver | None = None
        self._addresses: dict[str, asyncio.Future[list[str]]] = {}
        self._target = parse_server(server) if server else None

    @property
    def label(self) -> str:
        """Where answers come from, for an observation's ``source``."""
        return f"dns@{self.server}" if self.server else "dns@system"

    def _engine(self) -> dns.asyncresolver.Resolver:
        if self._resolver is None:
            if self._target is None:
                try:
                    resolver = dns.asyncresolver.Resolver()
                except dns.resolver.NoResolverConfiguration:
                    raise ConfigError(
                        "no system DNS resolver is configured; pass one as host:port"
                    ) from None
            else:
                resolver = dns.asyncresolver.Resolver(configure=False)
                resolver.nameservers = [self._target[0]]
                resolver.port = self._target[1]
            resolver.timeout = self.timeout
            resolver.lifetime = self.timeout
            self._resolver = resolver
        return self._resolver

    async def query(self, name: str, rdtype: str) -> DnsAnswer:
        """Records of ``rdtype`` at ``name``; SERVFAIL and timeouts raise CollectorError."""
        try:
            answer = await self._engine().resolve(name, rdtype, raise_on_no_answer=False)
        except dns.resolver.NXDOMAIN:
            return DnsAnswer(name, rdtype, (), None, "nxdomain")
        except dns.resolver.LifetimeTimeout:
            raise CollectorError(
                f"no DNS answer for {rdtype} within {self.timeout:g} s", "dns", name
            ) from None
        except dns.resolver.NoNameservers as exc:
            # dnspython's message lists each server's answer (SERVFAIL, REFUSED...): keep it.
            raise CollectorError(f"DNS server failed: {exc}", "dns", name) from None
        except dns.exception.DNSException as exc:
            raise CollectorError(f"DNS query {rdtype} failed: {exc}", "dns", name) from None
        rrset = answer.rrset
        if rrset is None:
            return DnsAnswer(name, rdtype, (), None, "nodata")
        records = tuple(_text(rdata, rdtype) for rdata in rrset)
        return DnsAnswer(name, rdtype, records, rrset.ttl)

    async def zone(self, name: str) -> str:
        """The zone (apex) that holds ``name``, found by walking up to an SOA."""
        try:
            zone = await dns.asyncresolver.zone_for_name(
                name, resolver=self._engine(), lifetime=self.timeout
            )
        except dns.exception.DNSException as exc:
            raise CollectorError(f"no zone found: {exc}", "dns", name) from None
        return zone.to_text(omit_final_dot=True).lower()

    async def addresses(self, host: str) -> list[str]:
        """IPv4 (else IPv6) addresses of ``host``, cached for the run; a literal is itself."""
        if is_ip(host):
            return [host]
        pending = self._addresses.get(host)
        if pending is None:
            pending = self._addresses[host] = asyncio.ensure_future(self._lookup(host))
        return list(await asyncio.shield(pending))

    async def _lookup(self, host: str) -> list[str]:
        if self._target is None:
            # No chosen server: resolve as every other program here would (/etc/hosts too).
            loop = asyncio.get_running_loop()
            try:
                infos = await asyncio.wait_for(
                    loop.getaddrinfo(host, None, type=socket.SOCK_STREAM), self.timeout
                )
            except (OSError, TimeoutError) as exc:
                raise CollectorError(f"cannot resolve: {exc}", "dns", host) from None
            return list(dict.fromkeys(str(info[4][0]) for info in infos))
        for rdtype in ("A", "AAAA"):
            answer = await self.query(host, rdtype)
            if answer.status == "nxdomain":
                raise CollectorError("no such domain (NXDOMAIN)", "dns", host)
            if answer.records:
                return list(answer.records)
        raise CollectorError("the name has no A or AAAA record", "dns", host)


def _text(rdata: object, rdtype: str) -> str:
    if rdtype == "TXT":
        strings = getattr(rdata, "strings", ())
        return b"".join(strings).decode("utf-8", "replace")
    if rdtype == "MX":
        exchange = getattr(rdata, "exchange", None)
        if isinstance(exchange, dns.name.Name):
            return exchange.to_text(omit_final_dot=True).lower()
    if rdtype in ("CNAME", "NS"):
        target = getattr(rdata, "target", None)
        if isinstance(target, dns.name.Name):
            return target.to_text(omit_final_dot=True).lower()
    return str(rdata)
