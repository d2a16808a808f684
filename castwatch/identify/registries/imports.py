"""Import the reference registries: each ``castwatch registry`` action as one function.

:func:`import_iptv_org` (a folder of iptv-org tables), :func:`update_iptv_org` (download
them first), :func:`import_holders` (a rights-holder YAML file, its claims checked against
the channel registry), :func:`import_works` (a works file, IMDb's layout included, with
localized titles from IMDb's akas) and :func:`registry_status`. Each reads its input, stores
it through ``castwatch.storage.reference`` and returns a typed result whose ``to_dict()`` is
the command's ``--json`` document; the demo and the job engine call the same functions.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from castwatch.catalog.progress import Progress, no_progress
from castwatch.identify.registries.works import WorksReport
from castwatch.storage.db import Store

#: Misses of holder claims a result keeps for people (``--json`` has them all).
CLAIM_MISSES_SHOWN = 20


@dataclass(frozen=True, slots=True)
class ChannelImport:
    """What one import of the iptv-org tables stored."""

    source: str
    #: channels, feeds, blocked, countries (and the other tables' row counts).
    counts: dict[str, int]
    warnings: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "counts": self.counts, "warnings": self.warnings}


@dataclass(frozen=True, slots=True)
class HolderSummary:
    """One imported rights holder; ``channels`` is None while no channel registry exists."""

    name: str
    memberships: list[str]
    claims: int
    channels: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "memberships": self.memberships,
            "claims": self.claims,
            "channels": self.channels,
        }


@dataclass(frozen=True, slots=True)
class HolderImport:
    """What one import of rights holders stored, and which claims reach no channel."""

    source: str
    counts: dict[str, int]
    holders: list[HolderSummary]
    #: False when no channel registry was there to check the claims against.
    channels_checked: bool
    #: One line per owner, network or channel claim that matches no channel.
    misses: list[str] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        if not self.channels_checked:
            return ["no channel registry yet: claims not checked"]
        return self.misses

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "counts": self.counts,
            "holders": [holder.to_dict() for holder in self.holders],
            "warnings": self.warnings,
        }


@dataclass(frozen=True, slots=True)
class WorksImport:
    """What one works import read (the file's layout, its ignored and malformed rows) and
    stored (read, new, updated, total)."""

    source: str
    counts: dict[str, int]
    report: WorksReport

    def to_dict(self) -> dict[str, Any]:
        report = self.report
        return {
            "source": self.source,
            "layout": report.layout,
            "counts": self.counts,
            "rows": report.rows,
            "ignored": report.ignored,
            "skipped": report.skipped,
            "problems": [{"line": line, "reason": reason} for line, reason in report.problems],
        }


def import_iptv_org(store: Store, directory: Path | None = None) -> ChannelImport:
    """Replace the channel registry with the iptv-org tables in ``directory`` (default:
    the copy castwatch ships)."""
    from castwatch.identify.registries.iptv_org import BUNDLED, load_iptv_org
    from castwatch.storage import reference

    directory = directory or BUNDLED
    data = load_iptv_org(directory)
    counts = reference.replace_iptv_org(store, data, str(directory.resolve()))
    return ChannelImport(str(directory), counts, data.warnings)


def update_iptv_org(store: Store, cache: Path, url: str | None = None) -> ChannelImport:
    """Download the current iptv-org tables from ``url`` into ``cache``, then import them."""
    from castwatch.identify.registries.iptv_org import (
        DEFAULT_BASE_URL,
        download_iptv_org,
        load_iptv_org,
    )
    from castwatch.storage import reference

    url = url or DEFAULT_BASE_URL
    download_iptv_org(cache, url)
    data = load_iptv_org(cache)
    counts = reference.replace_iptv_org(store, data, url)
    return ChannelImport(url, counts, data.warnings)


def import_holders(store: Store, path: Path | None = None) -> HolderImport:
    """Replace the rights holders with those of ``path`` (default: the shipped example);
    check each owner, network and channel claim against the channel registry."""
    from castwatch.identify.registries.holders import (
        DEFAULT_HOLDERS,
        load_holders,
        resolve_claims,
        unmatched_claims,
    )
    from castwatch.storage import reference

    path = path or DEFAULT_HOLDERS
    holders = load_holders(path)
    digest = hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    counts = reference.replace_holders(store, holders, str(path), digest)
    has_channels = bool(reference.registry_status(store)["channels"])
    channels = reference.load_channels(store) if has_channels else []
    claimed = resolve_claims(holders, channels)
    misses = [
        f"{holder}: {claim.kind.value} {claim.value!r} matches no channel"
        for holder, claim in unmatched_claims(holders, channels)
    ]
    summaries = [
        HolderSummary(
            name=holder.name,
            memberships=list(holder.memberships),
            claims=len(holder.claims),
            channels=len(claimed[holder.name]) if channels else None,
        )
        for holder in holders
    ]
    return HolderImport(str(path), counts, summaries, bool(channels), misses)


def import_works(
    store: Store,
    path: Path | None = None,
    *,
    akas: Path | None = None,
    akas_region: str | None = None,
    progress: Progress = no_progress,
) -> WorksImport:
    """Add or update the works in ``path`` (default: the works castwatch ships), upserted by
    id; with ``akas``, each work's title in ``akas_region`` from IMDb's title.akas table."""
    from castwatch.identify.registries.bundled import BUNDLED_WORKS, read_akas, with_akas
    from castwatch.identify.registries.works import read_works
    from castwatch.storage import reference

    path = path or BUNDLED_WORKS
    report = WorksReport()
    records = read_works(path, report)
    if akas is not None:
        # Two passes over the works file: the ids first, so only their akas are kept.
        wanted = {work.id for work in read_works(path)}
        records = with_akas(records, read_akas(akas, wanted, akas_region))
    counts = reference.import_works(store, records, str(path.resolve()), progress)
    return WorksImport(str(path), counts, report)


def registry_status(store: Store) -> dict[str, Any]:
    """What each registry holds and its last import: the ``registry status --json`` document."""
    from castwatch.storage import reference

    return reference.registry_status(store)
