"""Collectors: what DNS, TLS, web pages, IP tables and RDAP say about a service's hosts.

Entry point: :func:`collect` (:func:`acollect` from async code) over
:class:`CollectTargets` with :class:`CollectSettings`; it returns
:class:`~castwatch.catalog.attribution.Observation` rows. The built-in collectors
(``service``, ``dns``, ``tls``, ``http``, ``panel``, ``asn``, ``rdap``) register the way a new
one would, when the registry is first asked: subclass :class:`Collector` and decorate with
:func:`register_collector`.
"""

from __future__ import annotations

from castwatch.attribute.collectors.base import (
    CollectContext,
    Collector,
    CollectSettings,
    CollectTargets,
    register_collector,
    registered_collectors,
)
from castwatch.attribute.collectors.run import acollect, collect

__all__ = [
    "CollectContext",
    "CollectSettings",
    "CollectTargets",
    "Collector",
    "acollect",
    "collect",
    "register_collector",
    "registered_collectors",
]
