"""What castwatch already holds about a service, turned into collectors' starting points.

A stored service gives its base URLs (pages and panels), the Xtream ``server_info`` of its
latest snapshot and the stream hosts of that snapshot's endpoints; a name castwatch has not
ingested may be given as a URL, which becomes a page to fetch. ``--extra-url`` adds shop and
reseller pages an investigator found by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from castwatch.attribute.collectors import CollectTargets
from castwatch.catalog.store_queries import service_surface
from castwatch.errors import NotFound
from castwatch.storage.db import Store

#: Stream hosts resolved per service: the endpoints table is small, but bounded anyway.
MAX_STREAM_HOSTS = 20


def _is_url(text: str) -> bool:
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def targets_for(store: Store, service: str, extra_urls: Sequence[str] = ()) -> CollectTargets:
    """The targets of stored ``service``, or of the URL ``service`` (its host names it)."""
    extra = [url for url in extra_urls if url]
    try:
        surface = service_surface(store, service, MAX_STREAM_HOSTS)
    except NotFound:
        if not _is_url(service):
            raise
        host = (urlsplit(service).hostname or service).lower()
        return CollectTargets(service=host, pages=[service, *extra])
    panels = [u for u in surface.base_urls if "player_api.php" in u]
    pages = [u for u in surface.base_urls if u not in panels]
    return CollectTargets(
        service=surface.name,
        pages=[*pages, *extra],
        panels=panels,
        stream_urls=surface.stream_hosts,
        server_info=[surface.server_info] if surface.server_info else [],
    )
