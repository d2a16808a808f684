"""Identify every entry of a stored snapshot: channels for live entries, works for the rest.

Live entries go to the channel matcher with their group title as a hint ("FR | SPORTS"
makes the French feed likelier), and with the service's market (its dominant countries and
languages, :mod:`castwatch.identify.channels.market`) where an entry has no hint of its own.
Films and series go to the work matcher with the year and tmdb id the panel gave. Episodes
take their series' identification when the series was identified (episodes group under
their series), else their own title is matched as an episode. Abstentions are stored too
(``target_id`` NULL): "unknown" is a finding.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from castwatch import __version__
from castwatch.catalog.progress import Progress, no_progress
from castwatch.catalog.registry import Identification
from castwatch.catalog.store_queries import entry_columns
from castwatch.identify.channels.market import identify_with_market
from castwatch.identify.channels.matcher import ChannelQuery
from castwatch.identify.matchers import channel_matcher, work_matcher
from castwatch.identify.works.matcher import TitleQuery, WorkMatcher
from castwatch.storage.db import Store
from castwatch.storage.reference import save_identifications

ENGINE = f"castwatch-identify/{__version__}"
_CHUNK = 2000


@dataclass(slots=True)
class IdentifySummary:
    """What ``castwatch identify SERVICE`` found."""

    service: str
    snapshot: int
    entries: int = 0
    identified: Counter[str] = field(default_factory=Counter)
    unknown: Counter[str] = field(default_factory=Counter)
    works_available: bool = True
    #: The service's market hint (see :mod:`castwatch.identify.channels.market`).
    market: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "service": self.service,
            "snapshot": self.snapshot,
            "entries": self.entries,
            "identified": dict(self.identified),
            "unknown": dict(self.unknown),
            "works_registry": self.works_available,
            "market": self.market,
        }


def identify_snapshot(
    store: Store,
    service_name: str,
    snapshot_id: int | None = None,
    progress: Progress = no_progress,
) -> IdentifySummary:
    """Identify a snapshot's entries and store the results (replacing earlier ones)."""
    channels = channel_matcher(store)
    works = work_matcher(store)
    kinds = ("live", "film", "series", "episode") if works is not None else ("live",)
    listed = entry_columns(
        store, service_name, snapshot_id,
        ("id", "kind", "name", "group_name", "year", "tmdb_id", "series_id", "season",
         "episode_num"),
        kinds,
    )  # fmt: skip
    entries = listed.rows
    summary = IdentifySummary(
        listed.service, listed.snapshot_id, len(entries), works_available=bool(works)
    )
    results: dict[int, Identification] = {}
    total = len(entries)

    live = [e for e in entries if e.kind == "live"]
    queries = [ChannelQuery(e.name, group=e.group_name) for e in live]
    # The service's market (its dominant countries and languages) is every entry's fallback
    # hint: a panel for Mexico that writes "CNN" means the feed sold there.
    found_live, market = identify_with_market(channels, queries)
    summary.market = {"countries": sorted(market.countries),
                      "languages": sorted(market.languages)}  # fmt: skip
    results.update(zip((e.id for e in live), found_live, strict=True))
    progress("identify", len(results), total)

    if works is not None:
        titled = [e for e in entries if e.kind in ("film", "series")]
        for start in range(0, len(titled), _CHUNK):
            chunk = titled[start : start + _CHUNK]
            found = works.match_many(TitleQuery(e.name, e.kind, e.year, e.tmdb_id) for e in chunk)
            results.update(zip((e.id for e in chunk), found, strict=True))
            progress("identify", len(results), total)
        _identify_episodes(entries, results, works, progress, total)

    for entry in entries:
        result = results.get(entry.id)
        if result is None:
            continue
        bucket = summary.identified if result.target_id else summary.unknown
        bucket[entry.kind] += 1
    save_identifications(store, listed.snapshot_id, results.items(), ENGINE)
    progress("identify", total, total)
    return summary


def _identify_episodes(
    entries: list[Any],
    results: dict[int, Identification],
    works: WorkMatcher,
    progress: Progress,
    total: int,
) -> None:
    series_found = {
        e.series_id: results[e.id]
        for e in entries
        if e.kind == "series" and e.series_id and results.get(e.id) and results[e.id].target_id
    }
    pending: list[Any] = []
    for entry in (e for e in entries if e.kind == "episode"):
        parent = series_found.get(entry.series_id) if entry.series_id else None
        if parent is not None:
            results[entry.id] = Identification(
                "work",
                parent.target_id,
                parent.confidence,
                {
                    "rule": "episode of an identified series",
                    "series_id": entry.series_id,
                    "season": entry.season,
                    "episode": entry.episode_num,
                },
            )
        else:
            pending.append(entry)
    for start in range(0, len(pending), _CHUNK):
        chunk = pending[start : start + _CHUNK]
        found = works.match_many(TitleQuery(e.name, "episode", e.year, e.tmdb_id) for e in chunk)
        results.update(zip((e.id for e in chunk), found, strict=True))
        progress("identify", len(results), total)
