"""The stored graph, operators that keep their ids, and relapse alerts naming the case."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from castwatch.attribute import store as db
from castwatch.attribute.collect import rebuild, record
from castwatch.attribute.tables import AttrEdgeRow, AttrNodeRow, AttrObservationRow
from castwatch.catalog.cases import CaseStatus
from castwatch.catalog.tables import ServiceRow
from castwatch.enforce import store as enforcement
from castwatch.storage.db import Store
from tests.attribute.operator_fixtures import ELECTRO, NOVA, relaunch, world


def _count(store: Store, column: object) -> int:
    with store.session() as session:
        return int(session.scalar(select(func.count(column))) or 0)  # type: ignore[arg-type]


def test_observations_are_stored_once_with_their_edges(store: Store) -> None:
    first = record(store, world())
    assert first.observations == len(world()) and first.seen == 0
    again = record(store, world())
    assert again.observations == 0 and again.seen == len(world()) and again.nodes == 0
    assert _count(store, AttrObservationRow.id) == len(world())
    with store.session() as session:
        # Every edge names the facts behind it; page titles stay on their node.
        unbacked = session.scalar(
            select(func.count(AttrEdgeRow.id)).where(
                ~AttrEdgeRow.id.in_(select(AttrObservationRow.edge_id))
            )
        )
        assert unbacked == 0
        node = session.scalars(
            select(AttrNodeRow).where(AttrNodeRow.key == "electrotv.example")
        ).one()
        assert node.attributes["http.title"] == "electro-tv - best IPTV"
        assert node.first_seen.replace(tzinfo=UTC) == datetime(2026, 3, 1, 12, tzinfo=UTC)
        evidence = db.evidence_of(session, [node.id])
        assert {row.relation for row in evidence} >= {"dns.a", "http.analytics", "tls.cert"}


def _actioned_case_on(store: Store, service: str) -> int:
    with store.session() as session:
        session.add(
            ServiceRow(name=service, kind="xtream", base_urls=[], created_at=datetime.now(UTC))
        )
    case = enforcement.open_case(store, "electro", [service], None)
    for status in (CaseStatus.EVIDENCE, CaseStatus.NOTICED, CaseStatus.ACTIONED):
        enforcement.update_case(store, str(case.id), status=status)
    return case.id


def test_operators_keep_their_ids_and_relapses_name_the_case(store: Store) -> None:
    record(store, world())
    first = rebuild(store)
    assert first.alerts == []
    operators = {tuple(o.services): o for o in db.list_operators(store)}
    electro = operators[tuple(ELECTRO)]
    nova = operators[tuple(NOVA)]
    assert {link["a"] for link in electro.links} | {link["b"] for link in electro.links} == set(
        ELECTRO
    )
    assert "electrotv.example" in electro.domains
    case_id = _actioned_case_on(store, "electro-tv")

    record(store, relaunch())
    second = rebuild(store)
    after = {o.id: o for o in db.list_operators(store)}
    assert sorted(after[electro.id].services) == sorted([*ELECTRO, "electro-tv-2"])
    assert after[nova.id].services == NOVA
    by_node = {alert.node: alert for alert in second.alerts}
    assert set(by_node) == {"electro-tv-2", "nova-new.example"}
    relapse = by_node["electro-tv-2"]
    assert relapse.kind == "relapse" and relapse.operator_id == electro.id
    assert (relapse.case_id, relapse.case_name, relapse.case_status) == (
        case_id,
        "electro",
        "actioned",
    )
    assert {p["key"] for p in relapse.pivots} >= {"G-ELECTRO1", "btc:1ElectroWallet9"}
    assert "G-ELECTRO1" in relapse.message and "'electro' is actioned" in relapse.message
    domain = by_node["nova-new.example"]
    assert domain.kind == "joined" and domain.node_kind == "domain" and domain.case_id is None
    assert domain.pivots[0]["key"] == "telegram:@novasupport"

    # Rebuilding again changes nothing and raises nothing twice.
    assert rebuild(store).alerts == []
    assert len(db.list_alerts(store)) == 2
    assert [o.id for o in db.list_operators(store)] == sorted(after)
