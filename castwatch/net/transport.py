"""Where connections open: the network policy checked on the address actually reached.

:class:`PolicyBackend` is httpcore's network backend with :class:`~castwatch.net.policy.NetPolicy`
in ``connect_tcp``. With a :class:`PinnedResolver` (attribution: the investigation's own DNS
server) names resolve through it instead of the system; the URL keeps the real name, so TLS
sends it as SNI and HTTP as the Host header while the socket goes to the pinned address.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from typing import Any, Protocol

import httpcore

from castwatch.net.policy import Address, NetPolicy, Refused

__all__ = ["PinnedResolver", "PolicyBackend"]


class PinnedResolver(Protocol):
    """Answers a name with addresses (text), best first; the client connects to those only."""

    async def addresses(self, host: str) -> list[str]: ...


class PolicyBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend with the policy in ``connect_tcp``.

    Resolves the name once, checks every address, and connects to a checked address, so
    what was checked is what is reached. TLS still verifies and sends the name (httpcore
    takes the SNI name from the URL, not from the address connected to).
    """

    def __init__(
        self,
        policy: NetPolicy,
        inner: httpcore.AsyncNetworkBackend | None = None,
        resolver: PinnedResolver | None = None,
    ):
        self.policy = policy
        self.resolver = resolver
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        if self.resolver is None:
            addresses = await _resolve(host, port, timeout)
        else:
            addresses = await _pinned(self.resolver, host)
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


async def _pinned(resolver: PinnedResolver, host: str) -> list[Address]:
    """``host``'s addresses as the pinned resolver gives them (itself when it is one)."""
    literal = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        return [ipaddress.ip_address(literal)]
    except ValueError:
        pass
    addresses: list[Address] = []
    for text in await resolver.addresses(host):
        try:
            addresses.append(ipaddress.ip_address(text.split("%", 1)[0]))
        except ValueError:
            continue
    if not addresses:
        raise httpcore.ConnectError(f"cannot resolve {host}: no address")
    return addresses
