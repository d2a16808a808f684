"""What castwatch already holds about a service, turned into collectors' starting points.

A stored service gives its base URLs (pages and panels), the Xtream ``server_info`` of its
latest snapshot and the stream hosts of that snapshot's endpoints; a name castwatch has not
ingested may be given as a URL, which becomes a page to fetch. ``--extra-url`` adds shop and
reseller pages an investigator found by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from castwatch.attribute.collectors import CollectTargets
from castwatch.errors import NotFound
from castwatch.storage.db import Store
from castwatch.storage.queries import find_service, snapshots_of
from castwatch.storage.tables import EndpointRow

#: Stream hosts resolved per service: the endpoints table is small, but bounded anyway.
MAX_STREAM_HOSTS = 20


def _is_url(text: str) -> bool:
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def targets_for(store: Store, service: str, extra_urls: Sequence[str] = ()) -> CollectTargets:
    """The targets of stored ``service``, or of the URL ``service`` (its host names it)."""
    extra = [url for url in extra_urls if url]
    with store.session() as session:
        try:
            row = find_service(session, service)
        except NotFound:
            if not _is_url(service):
                raise
            host = (urlsplit(service).hostname or service).lower()
            return CollectTargets(service=host, pages=[service, *extra])
        snapshots = snapshots_of(session, row)
        latest = snapshots[-1] if snapshots else None
        server_info: list[dict[str, Any]] = []
        streams: list[str] = []
        if latest is not None:
            info = latest.server_info.get("server_info")
            if isinstance(info, dict) and info:
                server_info.append(info)
            endpoints = session.scalars(
                select(EndpointRow)
                .where(EndpointRow.snapshot_id == latest.id)
                .order_by(EndpointRow.entries.desc())
                .limit(MAX_STREAM_HOSTS)
            )
            for endpoint in endpoints:
                port = f":{endpoint.port}" if endpoint.port else ""
                streams.append(f"{endpoint.scheme}://{endpoint.host}{port}/")
        panels = [u for u in row.base_urls if "player_api.php" in u]
        pages = [u for u in row.base_urls if u not in panels]
        return CollectTargets(
            service=row.name,
            pages=[*pages, *extra],
            panels=panels,
            stream_urls=streams,
            server_info=server_info,
        )
