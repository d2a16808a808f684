"""The identification stage's tables: reference registries and what entries were found to be.

Row classes only; :mod:`castwatch.identify.registries.imports` writes the registries and the
identify store modules read them. Every moment is a
:class:`~castwatch.storage.base.UtcDateTime`, read back aware.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from castwatch.storage.base import Base, UtcDateTime

__all__ = [
    "HolderClaimRow",
    "IdentificationRow",
    "RegistryChannelRow",
    "RegistryCountryRow",
    "RegistryFeedRow",
    "RegistryImportRow",
    "RegistryRegionRow",
    "RightsHolderRow",
    "WorkRow",
]


# --- Reference registries (issue 3): channels, rights holders, works, identifications ------
#
# The registry tables are replaced wholesale by each import (see ``storage/reference.py``), so
# they hold plain values and JSON lists rather than normalised link tables. Free-form values
# are Text: a malformed upstream cell must not fail a whole import on PostgreSQL's lengths.
# The readers in castwatch/identify/ skip rows whose ids exceed the String lengths here.


class RegistryChannelRow(Base):
    """One iptv-org channel, as of the last registry import."""

    __tablename__ = "registry_channel"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    alt_names: Mapped[list[str]] = mapped_column(JSON)
    network: Mapped[str | None] = mapped_column(Text, nullable=True)
    owners: Mapped[list[str]] = mapped_column(JSON)
    country: Mapped[str | None] = mapped_column(Text, nullable=True)
    categories: Mapped[list[str]] = mapped_column(JSON)
    is_nsfw: Mapped[bool] = mapped_column(Boolean)
    launched: Mapped[str | None] = mapped_column(Text, nullable=True)
    closed: Mapped[str | None] = mapped_column(Text, nullable=True)
    replaced_by: Mapped[str | None] = mapped_column(Text, nullable=True)
    website: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: ``dmca`` or ``nsfw`` when iptv-org's blocklist names the channel.
    blocked: Mapped[str | None] = mapped_column(Text, nullable=True)


class RegistryFeedRow(Base):
    """One feed (regional or quality variant) of a registry channel."""

    __tablename__ = "registry_feed"

    channel_id: Mapped[str] = mapped_column(ForeignKey("registry_channel.id"), primary_key=True)
    feed_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    alt_names: Mapped[list[str]] = mapped_column(JSON)
    is_main: Mapped[bool] = mapped_column(Boolean)
    broadcast_area: Mapped[list[str]] = mapped_column(JSON)
    languages: Mapped[list[str]] = mapped_column(JSON)
    format: Mapped[str | None] = mapped_column(Text, nullable=True)


class RegistryCountryRow(Base):
    """A country of the iptv-org registry, with its usual languages."""

    __tablename__ = "registry_country"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    languages: Mapped[list[str]] = mapped_column(JSON)


class RegistryRegionRow(Base):
    """An iptv-org region (``MENA``, ``EUR``...) and its countries: feeds broadcast to them."""

    __tablename__ = "registry_region"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    countries: Mapped[list[str]] = mapped_column(JSON)


class RegistryImportRow(Base):
    """One import of reference data: what, from where, when, how much, and its digest."""

    __tablename__ = "registry_import"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime)
    counts: Mapped[dict[str, int]] = mapped_column(JSON)
    digest: Mapped[str | None] = mapped_column(String(64), nullable=True)


class RightsHolderRow(Base):
    """A rights holder; what it claims is in ``holder_claim``."""

    __tablename__ = "rights_holder"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    aliases: Mapped[list[str]] = mapped_column(JSON)
    memberships: Mapped[list[str]] = mapped_column(JSON)
    website: Mapped[str | None] = mapped_column(Text, nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)


class HolderClaimRow(Base):
    """One claim of a holder: an iptv-org owner, network or channel, or a work."""

    __tablename__ = "holder_claim"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("rights_holder.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    value: Mapped[str] = mapped_column(Text)
    territories: Mapped[list[str]] = mapped_column(JSON)


class WorkRow(Base):
    """A film or series (from a castwatch works file or IMDb), upserted by id."""

    __tablename__ = "work"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    original_title: Mapped[str | None] = mapped_column(Text, nullable=True)
    kind: Mapped[str] = mapped_column(String(10))
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    external_ids: Mapped[dict[str, str]] = mapped_column(JSON)
    holder: Mapped[str | None] = mapped_column(String(200), nullable=True)


class IdentificationRow(Base):
    """What one entry version was identified as in one snapshot, by one engine."""

    __tablename__ = "identification"
    __table_args__ = (Index("ix_identification_target", "target_kind", "target_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshot.id"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id"))
    target_kind: Mapped[str] = mapped_column(String(10))
    target_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    feed_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    confidence: Mapped[float] = mapped_column(Float)
    why: Mapped[dict[str, Any]] = mapped_column(JSON)
    engine: Mapped[str] = mapped_column(String(40))
