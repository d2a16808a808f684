"""The attribution graph in the database: observations, nodes, edges, operators and alerts.

Storing observations upserts their nodes and edges in the same transaction, so an edge never
lacks the facts behind it and a fact seen again only moves ``last_seen``. Operators, their
members and links are replaced by each rebuild (``castwatch/attribute/collect.py``), which
reads and writes them through the session-level functions here; alerts are only inserted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, tuple_
from sqlalchemy.orm import Session

from castwatch.attribute.graph import Edge, Graph
from castwatch.attribute.tables import (
    AttrAlertRow,
    AttrEdgeRow,
    AttrNodeRow,
    AttrObservationRow,
    AttrOperatorLinkRow,
    AttrOperatorMemberRow,
    AttrOperatorRow,
)
from castwatch.catalog.attribution import NodeKind, Observation
from castwatch.catalog.cases import SubjectKind
from castwatch.catalog.nodes import Node, fact_key
from castwatch.enforce.tables import CaseRow, CaseSubjectRow
from castwatch.storage.db import Store

_BATCH = 400


@dataclass(slots=True)
class StoredCounts:
    """What storing a batch of observations added (re-observed facts count as ``seen``)."""

    observations: int = 0
    seen: int = 0
    nodes: int = 0
    edges: int = 0
    new_nodes: list[Node] = field(default_factory=list)


def _load_nodes(session: Session, wanted: set[Node]) -> dict[Node, AttrNodeRow]:
    found: dict[Node, AttrNodeRow] = {}
    pairs = sorted(wanted)
    for start in range(0, len(pairs), _BATCH):
        chunk = [(node.kind.value, node.key) for node in pairs[start : start + _BATCH]]
        rows = session.scalars(
            select(AttrNodeRow).where(tuple_(AttrNodeRow.kind, AttrNodeRow.key).in_(chunk))
        )
        for row in rows:
            found[Node(NodeKind(row.kind), row.key)] = row
    return found


def store_observations(store: Store, observations: Sequence[Observation]) -> StoredCounts:
    """Store ``observations`` and fold them into the graph, all in one transaction."""
    counts = StoredCounts()
    with store.session() as session:
        wanted: set[Node] = set()
        for obs in observations:
            wanted.add(Node.of(obs.subject_kind, obs.subject))
            if obs.value_kind is not None:
                wanted.add(Node.of(obs.value_kind, obs.value))
        nodes = _load_nodes(session, wanted)
        for node in sorted(wanted - nodes.keys()):
            moment = min(
                o.observed_at
                for o in observations
                if Node.of(o.subject_kind, o.subject) == node
                or (o.value_kind is not None and Node.of(o.value_kind, o.value) == node)
            )
            row = AttrNodeRow(
                kind=node.kind.value, key=node.key, attributes={},
                first_seen=moment, last_seen=moment,
            )  # fmt: skip
            session.add(row)
            nodes[node] = row
            counts.nodes += 1
            counts.new_nodes.append(node)
        session.flush()
        edges: dict[tuple[int, int, str], AttrEdgeRow] = {}
        for obs in observations:
            _store_one(session, obs, nodes, edges, counts)
    return counts


def _store_one(
    session: Session,
    obs: Observation,
    nodes: dict[Node, AttrNodeRow],
    edges: dict[tuple[int, int, str], AttrEdgeRow],
    counts: StoredCounts,
) -> None:
    subject = nodes[Node.of(obs.subject_kind, obs.subject)]
    subject.last_seen = max(subject.last_seen, obs.observed_at)
    edge: AttrEdgeRow | None = None
    if obs.value_kind is None:
        # A reassigned dict, not a mutation: the JSON column only notices new objects.
        subject.attributes = {**subject.attributes, obs.relation: obs.value}
    else:
        target = nodes[Node.of(obs.value_kind, obs.value)]
        target.last_seen = max(target.last_seen, obs.observed_at)
        edge = _edge(session, edges, subject, target, obs, counts)
    key = fact_key(obs)
    known = session.scalars(
        select(AttrObservationRow).where(AttrObservationRow.fact_key == key)
    ).one_or_none()
    if known is not None:
        known.last_seen = max(known.last_seen, obs.observed_at)
        known.detail = obs.detail
        counts.seen += 1
        return
    session.add(
        AttrObservationRow(
            fact_key=key, subject_kind=obs.subject_kind.value, subject=obs.subject,
            relation=obs.relation, value_kind=obs.value_kind.value if obs.value_kind else None,
            value=obs.value, source=obs.source, first_seen=obs.observed_at,
            last_seen=obs.observed_at, detail=obs.detail,
            edge_id=edge.id if edge is not None else None,
        )
    )  # fmt: skip
    counts.observations += 1
    if edge is not None:
        edge.observations += 1


def _edge(
    session: Session,
    edges: dict[tuple[int, int, str], AttrEdgeRow],
    subject: AttrNodeRow,
    target: AttrNodeRow,
    obs: Observation,
    counts: StoredCounts,
) -> AttrEdgeRow:
    key = (subject.id, target.id, obs.relation)
    row = edges.get(key)
    if row is None:
        row = session.scalars(
            select(AttrEdgeRow).where(
                AttrEdgeRow.source_id == subject.id,
                AttrEdgeRow.target_id == target.id,
                AttrEdgeRow.relation == obs.relation,
            )
        ).one_or_none()
    if row is None:
        row = AttrEdgeRow(
            source_id=subject.id, target_id=target.id, relation=obs.relation,
            collector=obs.source, first_seen=obs.observed_at, last_seen=obs.observed_at,
            observations=0,
        )  # fmt: skip
        session.add(row)
        session.flush()
        counts.edges += 1
    else:
        row.first_seen = min(row.first_seen, obs.observed_at)
        row.last_seen = max(row.last_seen, obs.observed_at)
    edges[key] = row
    return row


def graph_rows(session: Session) -> tuple[list[AttrNodeRow], list[AttrEdgeRow]]:
    """Every node and edge row, in id order (``attribute/collect.py`` builds the graph)."""
    nodes = list(session.scalars(select(AttrNodeRow).order_by(AttrNodeRow.id)))
    edges = list(session.scalars(select(AttrEdgeRow).order_by(AttrEdgeRow.id)))
    return nodes, edges


def evidence_of(session: Session, node_ids: Iterable[int]) -> list[AttrObservationRow]:
    """The observations behind the edges touching ``node_ids``, oldest first."""
    ids = list(node_ids)
    edge_ids = select(AttrEdgeRow.id).where(
        AttrEdgeRow.source_id.in_(ids) | AttrEdgeRow.target_id.in_(ids)
    )
    return list(
        session.scalars(
            select(AttrObservationRow)
            .where(AttrObservationRow.edge_id.in_(edge_ids))
            .order_by(AttrObservationRow.first_seen, AttrObservationRow.id)
        )
    )


@dataclass(slots=True)
class Membership:
    """An operator as last stored: its services and domains (node ids)."""

    operator_id: int
    label: str
    services: set[int] = field(default_factory=set)
    domains: set[int] = field(default_factory=set)


def memberships(session: Session) -> dict[int, Membership]:
    """Every active operator with its members."""
    found = {
        row.id: Membership(row.id, row.label)
        for row in session.scalars(select(AttrOperatorRow).where(AttrOperatorRow.active))
    }
    for member in session.scalars(select(AttrOperatorMemberRow)):
        held = found.get(member.operator_id)
        if held is not None:
            (held.services if member.role == "service" else held.domains).add(member.node_id)
    return found


def replace_operators(
    session: Session,
    operators: list[tuple[int | None, str, list[int], list[int], list[dict[str, Any]]]],
    now: datetime,
) -> list[int]:
    """Write the new operator set: ``(id or None, label, services, domains, links)`` each.

    Members keep their ``joined_at`` when they stay with their operator. Operators missing
    from the list become inactive. Returns the ids, new ones created, in the given order.
    """
    previous = {
        (m.operator_id, m.node_id): m.joined_at
        for m in session.scalars(select(AttrOperatorMemberRow))
    }
    session.execute(delete(AttrOperatorMemberRow))
    session.execute(delete(AttrOperatorLinkRow))
    kept: set[int] = set()
    ids: list[int] = []
    for operator_id, label, services, domains, links in operators:
        row = session.get(AttrOperatorRow, operator_id) if operator_id is not None else None
        if row is None:
            row = AttrOperatorRow(label=label, active=True, created_at=now, updated_at=now)
            session.add(row)
            session.flush()
        row.label, row.active, row.updated_at = label, True, now
        kept.add(row.id)
        ids.append(row.id)
        for role, node_ids in (("service", services), ("domain", domains)):
            for node_id in node_ids:
                joined = previous.get((row.id, node_id), now)
                session.add(
                    AttrOperatorMemberRow(
                        operator_id=row.id, node_id=node_id, role=role, joined_at=joined
                    )
                )
        for link in links:
            session.add(AttrOperatorLinkRow(operator_id=row.id, **link))
    for row in session.scalars(select(AttrOperatorRow).where(AttrOperatorRow.active)):
        if row.id not in kept:
            row.active, row.updated_at = False, now
    session.flush()
    return ids


#: Case statuses meaning the target was acted against: a comeback is a relapse.
ACTED = ("actioned", "closed", "relapsed")
_PRIORITY = {"actioned": 0, "relapsed": 1, "closed": 2, "noticed": 3, "evidence": 4, "open": 5}


@dataclass(slots=True, frozen=True)
class CaseRef:
    """The case an alert cites: which one, and how far it got."""

    id: int
    name: str
    status: str


def case_for(
    session: Session, operator_id: int | None, services: list[str], domains: list[str]
) -> CaseRef | None:
    """The most acted-on case naming one of the services, domains, or the operator."""
    refs: dict[str, list[str]] = defaultdict(list)
    refs[SubjectKind.SERVICE.value] = services
    refs[SubjectKind.DOMAIN.value] = domains
    if operator_id is not None:
        refs[SubjectKind.OPERATOR.value] = [str(operator_id)]
    cases: list[CaseRow] = []
    for kind, values in refs.items():
        if not values:
            continue
        case_ids = select(CaseSubjectRow.case_id).where(
            CaseSubjectRow.kind == kind, CaseSubjectRow.ref.in_(values)
        )
        cases += session.scalars(select(CaseRow).where(CaseRow.id.in_(case_ids)))
    if not cases:
        return None
    case = min(cases, key=lambda c: (_PRIORITY.get(c.status, 9), -c.id))
    return CaseRef(case.id, case.name, case.status)


def add_alert(session: Session, **fields: Any) -> int | None:
    """Insert an alert (``attr_alert`` columns as keywords) unless the same (operator, node,
    kind) was raised before; its id, or None when it was."""
    row = AttrAlertRow(**fields)
    known = session.scalars(
        select(AttrAlertRow.id).where(
            AttrAlertRow.operator_id == row.operator_id,
            AttrAlertRow.node_id == row.node_id,
            AttrAlertRow.kind == row.kind,
        )
    ).first()
    if known is not None:
        return None
    session.add(row)
    session.flush()
    return row.id


# --- Reading back: operators, alerts, a node's neighbourhood --------------------------------


@dataclass(slots=True, frozen=True)
class AlertRecord:
    """An alert as listed: what joined which operator, the pivots, and the case."""

    id: int
    raised_at: datetime
    kind: str
    operator_id: int
    node_kind: str
    node: str
    case_id: int | None
    case_name: str | None
    case_status: str | None
    pivots: list[dict[str, Any]]
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "raised_at": self.raised_at,
            "kind": self.kind,
            "operator": self.operator_id,
            "node": {"kind": self.node_kind, "key": self.node},
            "case": (
                {"id": self.case_id, "name": self.case_name, "status": self.case_status}
                if self.case_id is not None
                else None
            ),
            "pivots": self.pivots,
            "message": self.message,
        }


def alerts(session: Session, ids: Sequence[int] | None = None) -> list[AlertRecord]:
    """Alerts, newest first (only ``ids`` when given)."""
    query = (
        select(AttrAlertRow, AttrNodeRow, CaseRow)
        .join(AttrNodeRow, AttrNodeRow.id == AttrAlertRow.node_id)
        .outerjoin(CaseRow, CaseRow.id == AttrAlertRow.case_id)
        .order_by(AttrAlertRow.id.desc())
    )
    if ids is not None:
        query = query.where(AttrAlertRow.id.in_(list(ids)))
    return [
        AlertRecord(
            alert.id,
            alert.raised_at,
            alert.kind,
            alert.operator_id,
            node.kind,
            node.key,
            alert.case_id,
            case.name if case else None,
            alert.case_status,
            alert.pivots,
            alert.message,
        )
        for alert, node, case in session.execute(query)
    ]


def list_alerts(store: Store) -> list[AlertRecord]:
    with store.session() as session:
        return alerts(session)


@dataclass(slots=True)
class OperatorRecord:
    """An operator as stored: services, domains, and the links that join the services."""

    id: int
    label: str
    active: bool
    created_at: datetime
    updated_at: datetime
    services: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "active": self.active,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "services": self.services,
            "domains": self.domains,
            "links": self.links,
        }


def list_operators(store: Store, operator_id: int | None = None) -> list[OperatorRecord]:
    """Active operators (or the one asked for, active or not), with members and links."""
    with store.session() as session:
        query = select(AttrOperatorRow).order_by(AttrOperatorRow.id)
        if operator_id is None:
            query = query.where(AttrOperatorRow.active)
        else:
            query = query.where(AttrOperatorRow.id == operator_id)
        found = {
            row.id: OperatorRecord(row.id, row.label, row.active, row.created_at, row.updated_at)
            for row in session.scalars(query)
        }
        names = {row.id: row.key for row in session.scalars(select(AttrNodeRow))}
        members = select(AttrOperatorMemberRow).where(
            AttrOperatorMemberRow.operator_id.in_(list(found))
        )
        for member in session.scalars(members.order_by(AttrOperatorMemberRow.id)):
            record = found[member.operator_id]
            (record.services if member.role == "service" else record.domains).append(
                names[member.node_id]
            )
        links = select(AttrOperatorLinkRow).where(AttrOperatorLinkRow.operator_id.in_(list(found)))
        for link in session.scalars(links.order_by(AttrOperatorLinkRow.id)):
            found[link.operator_id].links.append(
                {
                    "a": names[link.service_a_id],
                    "b": names[link.service_b_id],
                    "score": link.score,
                    "pivots": link.pivots,
                }
            )
    return list(found.values())


def operator_of(session: Session, node_ids: Iterable[int]) -> dict[int, int]:
    """Node id -> operator id, for those of ``node_ids`` that are members of one."""
    rows = session.scalars(
        select(AttrOperatorMemberRow).where(AttrOperatorMemberRow.node_id.in_(list(node_ids)))
    )
    return {row.node_id: row.operator_id for row in rows}


def find_nodes(session: Session, text: str) -> list[AttrNodeRow]:
    """Nodes whose key is ``text`` (any kind), or ``kind:key`` exactly, or a unique prefix."""
    kind, _, key = text.partition(":")
    if key and kind in {k.value for k in NodeKind}:
        normalised = Node.of(NodeKind(kind), key)
        return list(
            session.scalars(
                select(AttrNodeRow).where(
                    AttrNodeRow.kind == normalised.kind.value, AttrNodeRow.key == normalised.key
                )
            )
        )
    exact = [
        row
        for row in session.scalars(select(AttrNodeRow).where(AttrNodeRow.key.in_(_spellings(text))))
    ]
    if exact:
        return exact
    return list(
        session.scalars(
            select(AttrNodeRow).where(AttrNodeRow.key.startswith(text.strip().lower())).limit(20)
        )
    )


def _spellings(text: str) -> list[str]:
    return sorted({Node.of(kind, text).key for kind in NodeKind})


def node_edges(session: Session, node_id: int) -> list[tuple[AttrEdgeRow, AttrNodeRow, str]]:
    """The edges of one node with the node at the other end and ``out`` / ``in``."""
    found: list[tuple[AttrEdgeRow, AttrNodeRow, str]] = []
    outgoing = select(AttrEdgeRow, AttrNodeRow).join(
        AttrNodeRow, AttrNodeRow.id == AttrEdgeRow.target_id
    )
    for edge, other in session.execute(outgoing.where(AttrEdgeRow.source_id == node_id)):
        found.append((edge, other, "out"))
    incoming = select(AttrEdgeRow, AttrNodeRow).join(
        AttrNodeRow, AttrNodeRow.id == AttrEdgeRow.source_id
    )
    for edge, other in session.execute(incoming.where(AttrEdgeRow.target_id == node_id)):
        found.append((edge, other, "in"))
    return sorted(found, key=lambda item: (item[2] != "out", item[0].relation, item[1].key))


def counts(session: Session) -> dict[str, Any]:
    """Nodes by kind, edges, active operators and alerts."""
    by_kind = dict(
        session.execute(
            select(AttrNodeRow.kind, func.count(AttrNodeRow.id)).group_by(AttrNodeRow.kind)
        ).all()
    )
    return {
        "nodes": {kind.value: int(by_kind.get(kind.value, 0)) for kind in NodeKind},
        "edges": int(session.scalar(select(func.count(AttrEdgeRow.id))) or 0),
        "observations": int(session.scalar(select(func.count(AttrObservationRow.id))) or 0),
        "operators": int(
            session.scalar(select(func.count(AttrOperatorRow.id)).where(AttrOperatorRow.active))
            or 0
        ),
        "alerts": int(session.scalar(select(func.count(AttrAlertRow.id))) or 0),
    }


def load_graph(session: Session) -> tuple[Graph, dict[Node, int]]:
    """The stored graph in memory, and each node's row id."""
    node_rows, edge_rows = graph_rows(session)
    graph = Graph()
    by_id: dict[int, Node] = {}
    for row in node_rows:
        node = Node(NodeKind(row.kind), row.key)
        by_id[row.id] = node
        graph.add_node(node, row.first_seen)
        graph.attributes[node].update({k: str(v) for k, v in row.attributes.items()})
    for edge in edge_rows:
        graph.add_edge(
            Edge(
                by_id[edge.source_id], by_id[edge.target_id], edge.relation, edge.collector,
                edge.first_seen, edge.last_seen, edge.observations,
            )
        )  # fmt: skip
    return graph, {node: node_id for node_id, node in by_id.items()}
