"""The Source interface and its registry.

A :class:`Source` reads one kind of service (M3U playlist, Xtream Codes API, Stalker portal)
into an :class:`~castwatch.catalog.Inventory`. To add a protocol, subclass ``Source``, set
``name``, implement :meth:`Source.probe` and :meth:`Source.fetch`, and decorate the class with
:func:`register_source`; the built-ins register the same way. Every registered source inherits
the shared contract tests in ``tests/sources/contract.py``.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import ClassVar

from castwatch.catalog import Credentials, Inventory
from castwatch.catalog.progress import Progress, no_progress

__all__ = [
    "FetchOptions",
    "Progress",
    "Source",
    "all_sources",
    "get_source",
    "no_progress",
    "register_source",
]


#: Environment variable that allows private networks for every read (a lab, the demo).
ALLOW_PRIVATE_ENV = "CASTWATCH_ALLOW_PRIVATE_NETWORKS"


def private_networks_allowed() -> bool:
    """Whether ``CASTWATCH_ALLOW_PRIVATE_NETWORKS`` is set to a true value (1, true, yes, on)."""
    return os.environ.get(ALLOW_PRIVATE_ENV, "").strip().lower() in ("1", "true", "yes", "on")


@dataclass(slots=True)
class FetchOptions:
    """How to read a service: who we are, and the limits that keep hostile servers harmless."""

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
    #: network policy, castwatch.sources.clients.netpolicy); default from the environment.
    allow_private_networks: bool = field(default_factory=private_networks_allowed)
    #: URLs the user gave for this service: private addresses are reached only on their
    #: host and port. ``None``: the first URL a client requests is the one the user gave.
    trusted_urls: tuple[str, ...] | None = None
    #: Share of one list (live streams, films, series, episodes, series answers) that may be
    #: unreadable and skipped before the read fails; see :mod:`castwatch.sources.budget`.
    max_bad_rows: float = 0.01
    user_agent: str = "Mozilla/5.0 (QtEmbedded; U; Linux; C) AppleWebKit/533.3 castwatch"


class Source(ABC):
    """Reads one protocol. Subclass, set ``name``, implement ``probe`` and ``fetch``, register."""

    #: Registry key and ``--kind`` value: ``m3u``, ``xtream``, ``stalker``.
    name: ClassVar[str]

    @classmethod
    @abstractmethod
    def probe(cls, target: str, head: bytes, content_type: str | None) -> bool:
        """Whether ``target`` looks like this protocol, from its URL or path and first bytes.

        ``head`` is up to the first 64 KiB of the body (or file); ``content_type`` is the HTTP
        header when ``target`` is a URL. Must be cheap and must not raise.
        """

    @abstractmethod
    def fetch(
        self, target: str, options: FetchOptions, progress: Progress = no_progress
    ) -> Inventory:
        """Read the whole service. Raises :class:`~castwatch.errors.SourceError` subclasses."""


_REGISTRY: dict[str, type[Source]] = {}


def register_source(cls: type[Source]) -> type[Source]:
    """Class decorator: make ``cls`` available as ``--kind cls.name``."""
    _REGISTRY[cls.name] = cls
    return cls


def get_source(name: str) -> type[Source]:
    """The source registered as ``name``; loads the built-ins on first use."""
    _load_builtins()
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise KeyError(f"unknown source kind {name!r} (known: {known})") from None


def all_sources() -> dict[str, type[Source]]:
    """Every registered source, by name."""
    _load_builtins()
    return dict(_REGISTRY)


def _load_builtins() -> None:
    # Imported for their registration side effect, like datasette's DEFAULT_PLUGINS.
    from castwatch.sources import m3u, stalker, xtream  # noqa: F401
