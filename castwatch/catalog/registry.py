"""Reference data as plain records: channels and feeds, rights holders, works, identifications.

Importers (``identify/registries/``: ``iptv_org.py``, ``holders.py``, ``works.py``) produce
these records, storage keeps them, and the matchers in ``identify/`` index them. Nothing here
does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


@dataclass(slots=True, frozen=True)
class FeedRecord:
    """One feed of a channel (iptv-org ``feeds.csv``): a regional or quality variant."""

    channel_id: str
    feed_id: str
    name: str
    alt_names: tuple[str, ...] = ()
    is_main: bool = False
    #: iptv-org area codes: ``c/FR`` (country), ``r/MENA`` (region), ``s/US-CA``, ``ww``.
    broadcast_area: tuple[str, ...] = ()
    #: ISO 639-3 codes (``fra``, ``ara``, ``eng``).
    languages: tuple[str, ...] = ()
    format: str | None = None


@dataclass(slots=True)
class ChannelRecord:
    """One channel (iptv-org ``channels.csv``), with its feeds and any blocklist reason."""

    id: str
    name: str
    alt_names: tuple[str, ...] = ()
    network: str | None = None
    owners: tuple[str, ...] = ()
    #: ISO 3166-1 alpha-2 (``FR``; iptv-org writes the UK as ``UK``).
    country: str | None = None
    categories: tuple[str, ...] = ()
    is_nsfw: bool = False
    launched: str | None = None
    closed: str | None = None
    replaced_by: str | None = None
    website: str | None = None
    feeds: list[FeedRecord] = field(default_factory=list)
    #: ``dmca`` or ``nsfw`` when iptv-org's blocklist names the channel.
    blocked: str | None = None


class WorkKind(StrEnum):
    FILM = "film"
    SERIES = "series"


@dataclass(slots=True, frozen=True)
class WorkRecord:
    """A film or a series that someone holds rights to."""

    id: str
    title: str
    kind: WorkKind
    year: int | None = None
    original_title: str | None = None
    #: External identifiers by scheme: ``{"imdb": "tt1877830", "tmdb": "414906"}``.
    external_ids: dict[str, str] = field(default_factory=dict)
    #: Name of the rights holder, as in the rights-holder file, when the source says.
    holder: str | None = None


class ClaimKind(StrEnum):
    """What a rights-holder claim points at in the channel registry or the works."""

    OWNER = "owner"  # an iptv-org ``owners`` value: every channel of that owner
    NETWORK = "network"  # an iptv-org ``network`` value
    CHANNEL = "channel"  # one iptv-org channel id
    WORK = "work"  # one work id


@dataclass(slots=True, frozen=True)
class Claim:
    """One thing a holder holds rights to, optionally only in some territories."""

    kind: ClaimKind
    value: str
    #: ISO 3166-1 alpha-2 codes; empty means everywhere.
    territories: tuple[str, ...] = ()


@dataclass(slots=True)
class RightsHolder:
    """A company or coalition member whose rights a pirate service may infringe."""

    name: str
    aliases: tuple[str, ...] = ()
    claims: list[Claim] = field(default_factory=list)
    #: Coalitions the holder belongs to, e.g. ``("ACE",)``.
    memberships: tuple[str, ...] = ()
    website: str | None = None
    notes: str | None = None


@dataclass(slots=True)
class Identification:
    """What an entry was identified as, how sure, and why.

    ``target_id`` is a channel id (``CanalPlusSport.fr``) or a work id, or ``None`` when the
    matcher abstained. ``why`` explains the decision in a JSON-able form (tokens, rules, hints).
    """

    target_kind: str  # "channel" | "work"
    target_id: str | None
    confidence: float
    why: dict[str, Any] = field(default_factory=dict)
    feed_id: str | None = None
