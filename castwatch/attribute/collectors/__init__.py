"""Collectors: what DNS, TLS, web pages, IP tables and RDAP say about a service's hosts.

Entry point: :func:`collect` (:func:`acollect` from async code) over
:class:`CollectTargets` with :class:`CollectSettings`; it returns
:class:`~castwatch.catalog.attribution.Observation` rows. The built-in collectors
(``service``, ``dns``, ``tls``, ``http``, ``panel``, ``asn``, ``rdap``) register on import,
the way a new one would: subclass :class:`Collector` and decorate with
:func:`register_collector`.
"""

from __future__ import annotations

from castwatch.attribute.collectors import asn, dns, http, panel, rdap, tls
from castwatch.attribute.collectors.base import (
    CollectContext,
    Collector,
    CollectSettings,
    CollectTargets,
    register_collector,
    registered_collectors,
)
from castwatch.attribute.collectors.run import acollect, collect

# Imported for their registration; the order here is the registry's (and the run's) order.
_BUILTINS = (panel, dns, tls, http, asn, rdap)

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
