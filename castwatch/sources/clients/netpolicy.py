"""Where URLs that come from data may lead: the network policy every castwatch request obeys.

castwatch reads servers run by the people it investigates, and follows URLs they wrote:
playlist entries, redirects, HLS variants and segments, panel links. Unchecked, a playlist
entry ``http://127.0.0.1:5432/`` makes castwatch probe the investigator's own database, and a
redirect reaches the coalition server's internal network (server-side request forgery).

The rule: an address that is loopback, private, link-local, multicast, reserved or
unspecified is reached only

* on the origin (host and port) of a URL the user gave for the service, or
* when the deployment allows private networks (``--allow-private-networks``, or
  ``CASTWATCH_ALLOW_PRIVATE_NETWORKS=1``; the tests and the demo do for their simulator).

Public addresses are always allowed. The check runs in the connect path, on the addresses
the name resolved to, and castwatch connects to exactly the address it checked: a name that
resolves to a public address for the check and to ``127.0.0.1`` for the connection (DNS
rebinding) cannot slip through. Every redirect hop opens its connection here, so every hop
is checked. A refusal happens before any packet is sent, so it reads the same whether the
port is open or closed: it cannot be used to scan.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpcore

__all__ = ["NetPolicy", "PolicyBackend", "Refused", "address_kind", "origin_of"]

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Origin = tuple[str, int]

_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> Origin | None:
    """``(host, port)`` of an http(s) URL, host lower-cased and the port made explicit."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").rstrip(".").lower()
    scheme = parts.scheme.lower()
    if not host or scheme not in _DEFAULT_PORTS:
        return None
    return host, port or _DEFAULT_PORTS[scheme]


def address_kind(address: Address) -> str | None:
    """What makes ``address`` non-public (``"loopback"``, ``"private"``...); None if public."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        # ::ffff:127.0.0.1 is 127.0.0.1 to the kernel.
        address = address.ipv4_mapped
    if address.is_loopback:
        return "loopback"
    if address.is_unspecified:
        return "unspecified"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address.is_private:
        return "private"
    if address.is_reserved or not address.is_global:
        # Carrier-grade NAT (100.64/10), benchmarking and documentation ranges: not the
        # public internet either.
        return "reserved"
    return None


class Refused(Exception):
    """Raised in the connect path; :class:`HttpClient` turns it into ``BlockedByPolicy``."""

    def __init__(self, host: str, port: int, address: str, kind: str) -> None:
        self.host, self.port, self.address, self.kind = host, port, address, kind
        at = host if host == address else f"{host} ({address})"
        super().__init__(
            f"refused to connect to {at} port {port}: a {kind} address, and only the host the "
            "service was given on may be reached there (network policy; allow it with "
            "--allow-private-networks or CASTWATCH_ALLOW_PRIVATE_NETWORKS=1 if this network "
            "is yours)"
        )


@dataclass(slots=True)
class NetPolicy:
    """Which origins may reach non-public addresses. One per service read, shared by clients.

    ``trusted`` holds the origins of the URLs the user gave. With ``trust_first`` (the
    default when the caller named none), the first URL the client is asked for becomes the
    trusted one: the sources request the user's URL first. A caller following URLs from
    data (verification of a service's entries) names the service's URLs instead.
    """

    allow_private: bool = False
    trusted: set[Origin] = field(default_factory=set)
    trust_first: bool = True

    @classmethod
    def for_urls(cls, urls: Iterable[str] | None, allow_private: bool = False) -> NetPolicy:
        """A policy trusting ``urls``' origins; ``None`` trusts the first URL requested."""
        if urls is None:
            return cls(allow_private=allow_private)
        trusted = {origin for origin in map(origin_of, urls) if origin is not None}
        return cls(allow_private=allow_private, trusted=trusted, trust_first=False)

    def note_request(self, url: str) -> None:
        """Record a URL the caller asked for (the user's, when it is the first)."""
        if self.trust_first:
            self.trust_first = False
            origin = origin_of(url)
            if origin is not None:
                self.trusted.add(origin)

    def check(self, host: str, port: int, address: Address) -> None:
        """Raise :class:`Refused` unless ``host:port`` may reach ``address``."""
        if self.allow_private:
            return
        kind = address_kind(address)
        if kind is None:
            return
        if (host.rstrip(".").lower(), port) in self.trusted:
            return
        raise Refused(host, port, str(address), kind)


class PolicyBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend with the policy in ``connect_tcp``.

    Resolves the name once, checks every address, and connects to a checked address, so
    what was checked is what is reached. TLS still verifies and sends the name (httpcore
    takes the SNI name from the URL, not from the address connected to).
    """

    def __init__(self, policy: NetPolicy, inner: httpcore.AsyncNetworkBackend | None = None):
        self.policy = policy
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await _resolve(host, port, timeout)
        allowed: list[Address] = []
        refusal: Refused | None = None
        for address in addresses:
            try:
                self.policy.check(host, port, address)
            except Refused as exc:
                refusal = refusal or exc
            else:
                allowed.append(address)
        if not allowed:
            assert refusal is not None  # _resolve returns at least one address
            raise refusal
        last: Exception | None = None
        for address in allowed:
            try:
                return await self._inner.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not reachable through castwatch")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


async def _resolve(host: str, port: int, timeout: float | None) -> list[Address]:
    """The addresses ``host`` stands for (itself when it is one), in the resolver's order."""
    literal = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        return [ipaddress.ip_address(literal)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(timeout):
            found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except TimeoutError:
        raise httpcore.ConnectTimeout(f"resolving {host} took too long") from None
    except OSError as exc:
        raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from None
    addresses: list[Address] = []
    for _family, _type, _proto, _name, sockaddr in found:
        try:
            # An IPv6 sockaddr may carry a zone ("fe80::1%eth0"): link-local, so kept.
            address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        except ValueError:
            continue
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise httpcore.ConnectError(f"cannot resolve {host}: no address")
    return addresses
