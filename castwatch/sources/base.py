"""The Source interface and its registry.

A :class:`Source` reads one kind of service (M3U playlist, Xtream Codes API, Stalker portal)
into an :class:`~castwatch.catalog.Inventory`. To add a protocol, subclass ``Source``, set
``name``, implement :meth:`Source.probe` and :meth:`Source.fetch`, and decorate the class with
:func:`register_source`; the built-ins register the same way, and an outside package adds
its module to the ``castwatch.plugins`` entry-point group (:mod:`castwatch.plugins`). Every
registered source inherits the shared contract tests in ``tests/sources/contract.py``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar, TypeVar

from castwatch.catalog import Inventory
from castwatch.catalog.progress import Progress, no_progress
from castwatch.net.policy import FetchOptions
from castwatch.plugins import Registry

__all__ = [
    "SOURCES",
    "Progress",
    "Source",
    "all_sources",
    "get_source",
    "no_progress",
    "register_source",
]


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


#: Every source by name; the built-ins register with the decorator below, like a plugin.
SOURCES: Registry[type[Source]] = Registry(
    "source kind",
    key=lambda cls: cls.name,
    builtins=("castwatch.sources.m3u", "castwatch.sources.stalker", "castwatch.sources.xtream"),
)
S = TypeVar("S", bound=type[Source])


def register_source(cls: S) -> S:
    """Class decorator: make ``cls`` available as ``--kind cls.name``."""
    SOURCES.register(cls)
    return cls


def get_source(name: str) -> type[Source]:
    """The source registered as ``name``; raises UnknownPlugin listing the known kinds."""
    return SOURCES.get(name)


def all_sources() -> dict[str, type[Source]]:
    """Every registered source (built-ins, then outside plugins), by name."""
    return SOURCES.items()
