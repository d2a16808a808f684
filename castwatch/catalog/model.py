"""The catalog model: what a pirate service offers, as plain typed data.

A source adapter turns a service's answers into an :class:`Inventory`: the service's
self-description and one :class:`Entry` per live channel, film, series or episode.
Storage turns inventories into snapshots; later stages (identify, verify) read entries.
Nothing here does I/O.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from castwatch.catalog.credentials import Credentials


class EntryKind(StrEnum):
    """What an entry is. Series are containers; their episodes are entries of their own."""

    LIVE = "live"
    FILM = "film"
    SERIES = "series"
    EPISODE = "episode"


class ServiceKind(StrEnum):
    """The protocol a service was read over."""

    M3U = "m3u"
    XTREAM = "xtream"
    STALKER = "stalker"


@dataclass(slots=True)
class Entry:
    """One item a service offers, with the source's own identifiers kept as given.

    ``key`` identifies the entry within its service across snapshots (``live:1234``,
    ``episode:98765``); a change of name under the same key is a rename. ``url`` never holds
    credentials: they are replaced by ``{username}`` / ``{password}`` placeholders and
    ``credential`` points into :attr:`Inventory.credentials`.
    """

    kind: EntryKind
    key: str
    name: str
    group: str | None = None
    url: str | None = None
    credential: int | None = None
    tvg_id: str | None = None
    tvg_name: str | None = None
    tvg_logo: str | None = None
    stream_id: str | None = None
    series_id: str | None = None
    episode_id: str | None = None
    season: int | None = None
    episode_num: int | None = None
    category_id: str | None = None
    container: str | None = None
    added: datetime | None = None
    year: int | None = None
    rating: float | None = None
    tmdb_id: str | None = None
    duration: float | None = None
    #: Everything else the source said (M3U attributes such as ``catchup``, ``#EXTVLCOPT``
    #: options, ``#KODIPROP`` properties): kept verbatim, as strings.
    extra: dict[str, str] = field(default_factory=dict)

    def digest(self, salt: str = "") -> bytes:
        """A 16-byte hash of every field but ``key``: equal digests mean an unchanged entry.

        ``salt`` mixes in context the entry itself does not hold (storage adds the stored
        credential's id, since the inventory-local ``credential`` index means nothing later).
        """
        # One repr of one tuple: hashing 200,000 entries must stay well under a second.
        state = (
            str(self.kind), self.name, self.group, self.url, self.credential, self.tvg_id,
            self.tvg_name, self.tvg_logo, self.stream_id, self.series_id, self.episode_id,
            self.season, self.episode_num, self.category_id, self.container,
            self.added.timestamp() if self.added else None, self.year, self.rating,
            self.tmdb_id, self.duration, sorted(self.extra.items()) if self.extra else None, salt,
        )  # fmt: skip
        return hashlib.blake2b(repr(state).encode(), digest_size=16).digest()


@dataclass(slots=True, frozen=True)
class Endpoint:
    """Where entries are served from: one (scheme, host, port, path pattern) and its use count.

    ``path_pattern`` replaces the varying parts of a path with placeholders
    (``/live/{username}/{password}/{id}.ts``) so that 6,000 channel URLs collapse to one row.
    """

    scheme: str
    host: str
    port: int | None
    path_pattern: str
    entries: int


@dataclass(slots=True)
class Inventory:
    """Everything one read of a service produced, ready to be stored as a snapshot."""

    kind: ServiceKind
    #: The URL the read started from, credentials redacted.
    source_url: str
    #: The service's base URLs (portal, API, playlist host), credentials redacted.
    base_urls: list[str]
    entries: list[Entry] = field(default_factory=list)
    #: Credentials found in the source or used to read it; ``Entry.credential`` indexes here.
    credentials: list[Credentials] = field(default_factory=list)
    #: The server's self-description: Xtream ``server_info``, a Stalker profile, M3U header
    #: attributes. Secrets removed.
    server_info: dict[str, Any] = field(default_factory=dict)
    #: Non-fatal oddities met while reading (dropped lines, broken URLs), for the analyst.
    warnings: list[str] = field(default_factory=list)
    _credential_index: dict[Credentials, int] = field(
        default_factory=dict, repr=False, compare=False
    )

    def counts(self) -> dict[str, int]:
        """How many entries of each kind, every kind present as a key."""
        counts = {kind.value: 0 for kind in EntryKind}
        for entry in self.entries:
            counts[entry.kind.value] += 1
        return counts

    def add_credentials(self, credentials: Credentials) -> int:
        """Register credentials once and return their index for ``Entry.credential``."""
        # A dict, not list.index: a playlist with a token per URL has an account per entry.
        index = self._credential_index
        if len(index) != len(self.credentials):
            index.clear()
            for number, known in enumerate(self.credentials):
                index.setdefault(known, number)
        found = index.get(credentials)
        if found is None:
            found = index[credentials] = len(self.credentials)
            self.credentials.append(credentials)
        return found
