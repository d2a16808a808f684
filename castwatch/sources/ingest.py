"""Read a service and store it as a snapshot: the whole of ``castwatch ingest``."""

from __future__ import annotations

from urllib.parse import urlsplit

from castwatch.catalog.progress import Progress, no_progress
from castwatch.catalog.store import SnapshotSummary, save_inventory
from castwatch.net.policy import FetchOptions
from castwatch.storage.db import Store


def default_service_name(target: str, kind: str) -> str:
    """``HOST[:PORT]-KIND`` for URLs, ``FILESTEM-KIND`` for files: stable across re-ingests."""
    parts = urlsplit(target)
    if parts.scheme in ("http", "https") and parts.hostname:
        base = parts.hostname + (f":{parts.port}" if parts.port else "")
    else:
        base = target.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0] or "playlist"
    return f"{base}-{kind}"


def ingest(
    store: Store,
    target: str,
    kind: str = "auto",
    options: FetchOptions | None = None,
    name: str | None = None,
    progress: Progress = no_progress,
) -> SnapshotSummary:
    """Fetch everything first, then write one snapshot in one transaction.

    Nothing touches the database until the whole service has been read, so a failed or
    interrupted read leaves every stored snapshot exactly as it was.
    """
    from castwatch.sources.detect import read_service

    inventory = read_service(target, kind, options or FetchOptions(), progress)
    service_name = name or default_service_name(target, inventory.kind.value)
    return save_inventory(store, inventory, service_name, progress)
