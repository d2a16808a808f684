"""The collector contract, its registry, and what every collector is given.

A collector reads one kind of source (DNS, TLS, web pages, an IP table, RDAP) about the
targets of one service and returns :class:`Observation` rows. To add one, subclass
:class:`Collector`, set ``name`` (and ``phase`` if it needs what earlier collectors found),
implement :meth:`Collector.collect`, and decorate the class with :func:`register_collector`;
the built-ins register the same way, and an outside package names its module in the
``castwatch.plugins`` entry-point group.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlsplit

from castwatch.attribute.collectors.clients.dns import Resolver
from castwatch.catalog.attribution import NodeKind, Observation
from castwatch.errors import CastwatchError
from castwatch.net.policy import private_networks_allowed
from castwatch.plugins import Registry

T = TypeVar("T")
C = TypeVar("C", bound="type[Collector]")


@dataclass(frozen=True, slots=True)
class CollectTargets:
    """What castwatch holds about one service, as collectors' starting points.

    ``pages`` are fetched and fingerprinted (shops, reseller pages, panel and player pages,
    portals); ``panels`` are Xtream ``player_api.php`` URLs whose ``server_info`` is read;
    ``stream_urls`` are only resolved, never fetched (a live stream never ends);
    ``server_info`` holds Xtream ``server_info`` objects already stored with snapshots.
    ``service`` names the brand: service-level observations (``service.*``,
    ``panel.server_info``) use it as their subject.
    """

    service: str | None = None
    pages: Sequence[str] = ()
    panels: Sequence[str] = ()
    stream_urls: Sequence[str] = ()
    server_info: Sequence[Mapping[str, Any]] = ()
    domains: Sequence[str] = ()
    ips: Sequence[str] = ()

    def hosts(self) -> list[str]:
        """Every host name or address named by the targets, lower case, in first-seen order."""
        found: dict[str, None] = {}
        for url in (*self.pages, *self.panels, *self.stream_urls):
            host = url_host(url)
            if host:
                found.setdefault(host)
        for info in self.server_info:
            host = str(info.get("url") or "").strip().lower().rstrip(".")
            if host:
                found.setdefault(host)
        for name in (*self.domains, *self.ips):
            found.setdefault(name.strip().lower().rstrip("."))
        return list(found)

    def tls_endpoints(self) -> list[tuple[str, int]]:
        """``(host, port)`` of every HTTPS URL among the targets."""
        found: dict[tuple[str, int], None] = {}
        for url in (*self.pages, *self.panels, *self.stream_urls):
            parts = urlsplit(url)
            if parts.scheme == "https" and parts.hostname:
                found.setdefault((parts.hostname.lower(), parts.port or 443))
        return list(found)


@dataclass(frozen=True, slots=True)
class CollectSettings:
    """How to collect: where to ask, and the limits that keep hostile servers harmless."""

    #: DNS server as ``host:port`` (``127.0.0.1:5353``) or ``host``; None: the system's.
    resolver: str | None = None
    #: Seconds for one DNS query, TLS handshake or HTTP exchange.
    timeout: float = 5.0
    #: Cap on one page body (bytes, after decompression); larger pages are cut, not read.
    max_bytes: int = 2 * 1024 * 1024
    #: Redirects followed per page (each hop is recorded).
    max_redirects: int = 5
    #: Network operations in flight at once, over all collectors.
    concurrency: int = 8
    #: ip2asn-style TSV (``range_start range_end AS_number country AS_description``), .gz ok.
    ip2asn: Path | None = None
    #: MaxMind database (GeoLite2-ASN, -Country, -City, or a combined one).
    mmdb: Path | None = None
    #: RDAP base URL (``https://rdap.example/``); None: RDAP is not asked.
    rdap_url: str | None = None
    #: Registered collector names to run; None: all of them.
    collectors: tuple[str, ...] | None = None
    user_agent: str = "Mozilla/5.0 (X11; Linux x86_64) castwatch-attribution"
    #: Let pages reach loopback/private addresses on any host (the net policy); otherwise
    #: only the targets' own origins may be private. Default from the environment
    #: (``CASTWATCH_ALLOW_PRIVATE_NETWORKS``).
    allow_private_networks: bool = field(default_factory=private_networks_allowed)


class CollectContext:
    """Shared by the collectors of one :func:`collect` run: clock, limits, resolver cache."""

    def __init__(self, settings: CollectSettings, prior: Sequence[Observation] = ()) -> None:
        self.settings = settings
        self.prior = list(prior)
        self.resolver = Resolver(settings.resolver, settings.timeout)
        self._slots = asyncio.Semaphore(max(1, settings.concurrency))

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)

    async def bounded(self, work: Awaitable[T]) -> T:
        """Await ``work`` holding one of the run's concurrency slots."""
        async with self._slots:
            return await work

    async def each(
        self,
        collector: str,
        items: Iterable[T],
        work: Callable[[T], Awaitable[list[Observation]]],
        subject: Callable[[T], tuple[NodeKind, str]],
    ) -> list[Observation]:
        """Run ``work`` on every item concurrently; a failing item becomes a ``.error`` row.

        One unreachable host must not cost the observations of the others, so errors are
        caught per item here rather than once per collector.
        """
        todo = list(items)

        async def one(item: T) -> list[Observation]:
            try:
                return await work(item)
            except CastwatchError as exc:
                kind, name = subject(item)
                return [self.error(collector, kind, name, str(exc))]

        results = await asyncio.gather(*(one(item) for item in todo))
        return [row for rows in results for row in rows]

    def error(self, collector: str, kind: NodeKind, subject: str, message: str) -> Observation:
        return Observation(
            subject_kind=kind,
            subject=subject,
            relation=f"{collector}.error",
            value_kind=None,
            value=message,
            source=collector,
            observed_at=self.now(),
        )


class Collector(ABC):
    """Reads one kind of source about a service's targets. Subclass and register to add one.

    ``phase`` orders the run: collectors of phase 1 see, in ``context.prior``, everything the
    phase-0 collectors observed (the ASN table needs the addresses DNS found).
    """

    name: ClassVar[str]
    phase: ClassVar[int] = 0

    @abstractmethod
    async def collect(self, targets: CollectTargets, context: CollectContext) -> list[Observation]:
        """Observations about ``targets``; raise :class:`CastwatchError` subclasses only."""


#: Every collector by name, in the run's order: the built-in modules in this order, then
#: outside plugins; the built-ins register with :func:`register_collector` like a plugin.
COLLECTORS: Registry[type[Collector]] = Registry(
    "collector",
    key=lambda cls: cls.name,
    builtins=tuple(
        f"castwatch.attribute.collectors.{module}"
        for module in ("asn", "dns", "http", "panel", "rdap", "tls")
    ),
)


def register_collector(cls: C) -> C:
    """Class decorator: make ``cls`` available to :func:`collect` under ``cls.name``."""
    COLLECTORS.register(cls)
    return cls


def registered_collectors() -> dict[str, type[Collector]]:
    """Every registered collector by name (built-ins, then outside plugins)."""
    return COLLECTORS.items()


def chosen_collectors(names: Sequence[str] | None) -> list[Collector]:
    """Instances of the collectors ``names`` asks for (all when None), in registry order."""
    if names is None:
        return [cls() for cls in COLLECTORS.items().values()]
    return [COLLECTORS.get(name)() for name in names]


def url_host(url: str) -> str:
    """The host of ``url`` (or of a bare ``host[:port]``), lower case; "" if none."""
    parts = urlsplit(url if "://" in url else f"//{url}")
    return (parts.hostname or "").lower().rstrip(".")


def observation(
    subject_kind: NodeKind,
    subject: str,
    relation: str,
    value_kind: NodeKind | None,
    value: str,
    source: str,
    /,
    **detail: Any,
) -> Observation:
    """An :class:`Observation` stamped now (UTC); ``detail`` keeps the raw evidence."""
    return Observation(
        subject_kind=subject_kind,
        subject=subject,
        relation=relation,
        value_kind=value_kind,
        value=value,
        source=source,
        observed_at=datetime.now(UTC),
        detail={key: value for key, value in detail.items() if value is not None},
    )
