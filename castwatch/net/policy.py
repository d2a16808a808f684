"""The net policy: how every castwatch request is made, and where URLs from data may lead.

:class:`FetchOptions` is the policy a client is built from (who we are, TLS verification,
redirects, size cap, timeouts, retries, request rate, private networks); :class:`NetPolicy`
is its address rule, applied where connections open (:mod:`castwatch.net.transport`).

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

import ipaddress
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from castwatch.catalog import Credentials

__all__ = [
    "ALLOW_PRIVATE_ENV",
    "Address",
    "FetchOptions",
    "NetPolicy",
    "Refused",
    "address_kind",
    "origin_of",
    "private_networks_allowed",
]

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Origin = tuple[str, int]

_DEFAULT_PORTS = {"http": 80, "https": 443}

#: Environment variable that allows private networks for every read (a lab, the demo).
ALLOW_PRIVATE_ENV = "CASTWATCH_ALLOW_PRIVATE_NETWORKS"


def private_networks_allowed() -> bool:
    """Whether ``CASTWATCH_ALLOW_PRIVATE_NETWORKS`` is set to a true value (1, true, yes, on)."""
    return os.environ.get(ALLOW_PRIVATE_ENV, "").strip().lower() in ("1", "true", "yes", "on")


@dataclass(slots=True)
class FetchOptions:
    """How to make requests: who we are, and the limits that keep hostile servers harmless.

    One policy for every stage: the sources read services with it, capture reads streams,
    attribution visits shops and panels and the watch re-checks targets, each through an
    :class:`~castwatch.net.client.HttpClient` built from it.
    """

    credentials: Credentials | None = None
    #: Seconds to wait for a connection or for the next bytes of an answer.
    timeout: float = 30.0
    #: Seconds one whole exchange may take, body included: a slow-drip server stops here.
    deadline: float = 300.0
    #: Cap on one response body; an enormous or endless body fails with ResponseTooLarge.
    max_bytes: int = 512 * 1024 * 1024
    #: Requests in flight at once against one service.
    concurrency: int = 8
    #: Ceiling on requests per second (0: none). Real panels ban clients that go too fast.
    max_rps: float = 0.0
    #: Attempts per request on 5xx, timeouts and dropped connections, with backoff.
    retries: int = 3
    #: First backoff delay in seconds; doubles on each retry.
    backoff: float = 0.25
    #: Xtream/Stalker: fetch every series' episodes (one request per series).
    episodes: bool = True
    #: Let URLs from data reach loopback/private/link-local addresses on any host (the
    #: address rule, :class:`NetPolicy`); default from the environment.
    allow_private_networks: bool = field(default_factory=private_networks_allowed)
    #: URLs the user gave for this service: private addresses are reached only on their
    #: host and port. ``None``: the first URL a client requests is the one the user gave.
    trusted_urls: tuple[str, ...] | None = None
    #: Share of one list (live streams, films, series, episodes, series answers) that may be
    #: unreadable and skipped before the read fails; see :mod:`castwatch.sources.budget`.
    max_bad_rows: float = 0.01
    user_agent: str = "Mozilla/5.0 (QtEmbedded; U; Linux; C) AppleWebKit/533.3 castwatch"
    #: Verify TLS certificates. Attribution and re-checks do not: they record what a pirate
    #: server presents, and a self-signed certificate must not read as "gone".
    verify_tls: bool = True
    #: Follow redirects (up to ``max_redirects``); off, each hop is answered to the caller,
    #: which records it (attribution: an old brand pointing at its relaunch is evidence).
    follow_redirects: bool = True
    max_redirects: int = 10


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
