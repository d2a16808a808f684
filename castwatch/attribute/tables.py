"""The attribution stage's tables: observations, the graph, operators and relapse alerts.

Row classes only; :mod:`castwatch.attribute.store` reads and writes them. Every moment is a
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
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from castwatch.storage.base import Base, UtcDateTime

__all__ = [
    "AttrAlertRow",
    "AttrEdgeRow",
    "AttrNodeRow",
    "AttrObservationRow",
    "AttrOperatorLinkRow",
    "AttrOperatorMemberRow",
    "AttrOperatorRow",
]


# --- Attribution (issue 6, part B): observations, the graph, operators and relapse alerts ---
#
# Observations are the evidence; nodes and edges are upserted in the same transaction that
# stores them, so every edge can name the observations behind it. Operators are recomputed
# from the graph by ``castwatch/attribute/collect.py`` and keep their ids across rebuilds
# (matched by the services they share), so an alert can say "joins operator 3".


class AttrNodeRow(Base):
    """A typed node of the attribution graph: a service, domain, IP, certificate, panel..."""

    __tablename__ = "attr_node"
    __table_args__ = (UniqueConstraint("kind", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    #: The normalised value (lower-case domain, compressed IP, ``AS13335``...).
    key: Mapped[str] = mapped_column(String(512))
    #: Facts about the node itself (``asn.org``, ``http.title``...): relation -> last value.
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON)
    first_seen: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime)


class AttrEdgeRow(Base):
    """A typed edge ``source -relation-> target``, seen by ``collector`` between two times."""

    __tablename__ = "attr_edge"
    __table_args__ = (UniqueConstraint("source_id", "target_id", "relation"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("attr_node.id"))
    target_id: Mapped[int] = mapped_column(ForeignKey("attr_node.id"), index=True)
    relation: Mapped[str] = mapped_column(String(40))
    collector: Mapped[str] = mapped_column(String(60))
    first_seen: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime)
    observations: Mapped[int] = mapped_column(Integer)


class AttrObservationRow(Base):
    """One collector fact as stored; the same fact seen again only moves ``last_seen``."""

    __tablename__ = "attr_observation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: BLAKE2b of (subject kind, subject, relation, value kind, value, source).
    fact_key: Mapped[str] = mapped_column(String(32), unique=True)
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(Text)
    relation: Mapped[str] = mapped_column(String(40))
    value_kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    value: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(60))
    first_seen: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: The edge this fact supports; NULL for facts about one node (a page title, a country).
    edge_id: Mapped[int | None] = mapped_column(
        ForeignKey("attr_edge.id"), nullable=True, index=True
    )


class AttrOperatorRow(Base):
    """A cluster of services believed to be run by one operator."""

    __tablename__ = "attr_operator"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    #: False once a rebuild found none of its services together any more.
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AttrOperatorMemberRow(Base):
    """A service (``role`` service) or one of its domains (``role`` domain) of an operator."""

    __tablename__ = "attr_operator_member"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("attr_operator.id"), index=True)
    node_id: Mapped[int] = mapped_column(ForeignKey("attr_node.id"), unique=True)
    role: Mapped[str] = mapped_column(String(10))
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AttrOperatorLinkRow(Base):
    """Why two services of an operator belong together: the shared pivots and the score."""

    __tablename__ = "attr_operator_link"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("attr_operator.id"), index=True)
    service_a_id: Mapped[int] = mapped_column(ForeignKey("attr_node.id"))
    service_b_id: Mapped[int] = mapped_column(ForeignKey("attr_node.id"))
    score: Mapped[float] = mapped_column(Float)
    #: ``[{"kind", "key", "weight", "shared_by", "weak"}]``, strongest first.
    pivots: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class AttrAlertRow(Base):
    """A service or domain that joined a known operator; ``relapse`` when its case was acted on."""

    __tablename__ = "attr_alert"
    __table_args__ = (UniqueConstraint("operator_id", "node_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(20))
    operator_id: Mapped[int] = mapped_column(ForeignKey("attr_operator.id"), index=True)
    node_id: Mapped[int] = mapped_column(ForeignKey("attr_node.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"), nullable=True)
    case_status: Mapped[str | None] = mapped_column(String(12), nullable=True)
    pivots: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    message: Mapped[str] = mapped_column(Text)
