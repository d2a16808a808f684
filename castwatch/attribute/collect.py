"""Store observations, rebuild operators, raise relapse alerts: what the CLI and demo call.

:func:`record` folds collector observations into the stored graph; :func:`rebuild` reads the
whole graph back, clusters services into operators (``operators.py``), keeps each operator's
id across rebuilds, and raises an alert for every service or domain that joined a known
operator, naming the pivots and the operator's case (``alerts.py``). Both run in one
transaction each, so a failed rebuild leaves the previous operators in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from castwatch.attribute import store as db
from castwatch.attribute.alerts import AlertKind, Join, joins, match_operators
from castwatch.attribute.graph import Graph, Node, own_domains
from castwatch.attribute.operators import Analysis, Cluster, analyse, domain_pivots
from castwatch.attribute.settings import AttributeSettings
from castwatch.attribute.weights import PivotWeight, WeightTable
from castwatch.catalog.attribution import Observation
from castwatch.storage.db import Store

_LABEL_SERVICES = 3


@dataclass(slots=True)
class RebuildResult:
    """What a rebuild found: operator ids in cluster order, and the alerts it raised."""

    analysis: Analysis
    operator_ids: list[int]
    alerts: list[db.AlertRecord] = field(default_factory=list)


def record(store: Store, observations: list[Observation]) -> db.StoredCounts:
    """Store ``observations`` (deduplicated by fact) and their nodes and edges."""
    return db.store_observations(store, observations)


def _label(cluster: Cluster) -> str:
    names = [s.key for s in cluster.services]
    label = ", ".join(names[:_LABEL_SERVICES])
    if len(names) > _LABEL_SERVICES:
        label += f" +{len(names) - _LABEL_SERVICES}"
    return label[:200]


def _link_rows(cluster: Cluster, ids: dict[Node, int]) -> list[dict[str, Any]]:
    return [
        {
            "service_a_id": ids[link.a],
            "service_b_id": ids[link.b],
            "score": round(link.score, 6),
            "pivots": [p.as_dict() for p in link.pivots],
        }
        for link in cluster.links
    ]


def rebuild(store: Store, table: WeightTable | None = None) -> RebuildResult:
    """Recluster every service, keep operator ids, store links and raise join alerts."""
    table = table or WeightTable()
    now = datetime.now(UTC)
    with store.session() as session:
        graph, ids = db.load_graph(session)
        analysis = analyse(graph, table)
        previous = db.memberships(session)
        chosen = match_operators(analysis.clusters, previous, ids)
        domains_of = {s: own_domains(graph, s) for c in analysis.clusters for s in c.services}
        found = joins(analysis.clusters, chosen, previous, ids, domains_of)
        # The operator's case is judged on what it held before the join, not on the newcomer.
        cases = {
            operator_id: db.case_for(
                session,
                operator_id,
                [n.key for n, i in ids.items() if i in previous[operator_id].services],
                [n.key for n, i in ids.items() if i in previous[operator_id].domains],
            )
            for operator_id in {j.operator_id for j in found}
        }
        claimed: set[int] = set()
        rows = []
        for cluster, operator_id in zip(analysis.clusters, chosen, strict=True):
            domains = [ids[d] for d in cluster.domains if ids[d] not in claimed]
            claimed.update(domains)
            services = [ids[s] for s in cluster.services]
            rows.append((operator_id, _label(cluster), services, domains, _link_rows(cluster, ids)))
        operator_ids = db.replace_operators(session, rows, now)
        raised = []
        for join in found:
            pivots = _join_pivots(graph, table, analysis, join)
            alert_id = db.add_alert(
                session, **_alert_fields(join, ids, pivots, cases[join.operator_id], now)
            )
            if alert_id is not None:
                raised.append(alert_id)
        alerts = db.alerts(session, raised) if raised else []
    return RebuildResult(analysis, operator_ids, alerts)


def _join_pivots(
    graph: Graph, table: WeightTable, analysis: Analysis, join: Join
) -> list[PivotWeight]:
    if join.role == "domain":
        cluster = next(c for c in analysis.clusters if join.node in c.domains)
        others = {
            s: analysis.footprints[s]
            for s in cluster.services
            if join.node not in own_domains(graph, s)
        }
        return domain_pivots(graph, table, join.node, others)
    strongest: dict[Node, PivotWeight] = {}
    for link in analysis.links:
        if join.node in (link.a, link.b) and link.score >= table.threshold:
            for pivot in link.pivots:
                if pivot.node not in strongest or strongest[pivot.node].weight < pivot.weight:
                    strongest[pivot.node] = pivot
    return sorted(strongest.values(), key=lambda p: (-p.weight, p.node))


def _alert_fields(
    join: Join,
    ids: dict[Node, int],
    pivots: list[PivotWeight],
    case: db.CaseRef | None,
    now: datetime,
) -> dict[str, Any]:
    acted = case is not None and case.status in db.ACTED
    kind = AlertKind.RELAPSE if acted else AlertKind.JOINED
    via = ", ".join(f"{p.node} ({p.weight:.2f})" for p in pivots[:4]) or "no single pivot"
    what = f"new {join.role} {join.node.key}"
    message = f"{what} joins operator {join.operator_id} via {via}"
    if case is not None:
        message += f"; case {case.name!r} is {case.status}"
    return {
        "raised_at": now, "kind": kind.value, "operator_id": join.operator_id,
        "node_id": ids[join.node], "case_id": case.id if case else None,
        "case_status": case.status if case else None,
        "pivots": [p.as_dict() for p in pivots], "message": message,
    }  # fmt: skip


@dataclass(slots=True)
class AttributionSummary:
    """What ``castwatch attribute SERVICE`` found: facts, errors, the operator, alerts."""

    service: str
    stored: db.StoredCounts
    errors: list[str]
    operator: db.OperatorRecord | None
    alerts: list[db.AlertRecord]

    def as_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "observations": self.stored.observations,
            "seen_again": self.stored.seen,
            "new_nodes": self.stored.nodes,
            "new_edges": self.stored.edges,
            "errors": self.errors,
            "operator": self.operator.as_dict() if self.operator else None,
            "alerts": [alert.as_dict() for alert in self.alerts],
        }


def attribute_service(
    store: Store,
    service: str,
    settings: AttributeSettings | None = None,
    extra_urls: list[str] | None = None,
) -> AttributionSummary:
    """Collect ``service``'s infrastructure, store it, rebuild operators, report what changed.

    ``service`` is a stored service's name (its URLs, server_info and stream hosts are the
    targets) or a URL. Collection happens before anything is written, so a run that fails
    stores nothing.
    """
    from castwatch.attribute.collectors import collect
    from castwatch.attribute.targets import targets_for

    settings = settings or AttributeSettings()
    targets = targets_for(store, service, extra_urls or [])
    observations = collect(targets, settings.collect)
    errors = [f"{o.relation}: {o.subject}: {o.value}" for o in observations if _is_error(o)]
    stored = record(store, observations)
    result = rebuild(store, settings.weights)
    name = targets.service or service
    operator = next(
        (o for o in db.list_operators(store) if name in o.services),
        None,
    )
    return AttributionSummary(name, stored, errors, operator, result.alerts)


def _is_error(observation: Observation) -> bool:
    return observation.relation.endswith((".error", ".unavailable"))
