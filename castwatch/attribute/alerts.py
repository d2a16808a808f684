"""Relapse detection: which services and domains joined a known operator since last time.

A rebuild clusters services afresh; :func:`match_operators` gives each new cluster the id of
the stored operator it overlaps most (so operators keep their ids while they grow), and
:func:`joins` lists what each matched operator gained: a new service (a new brand, or a
brand relaunched under a new name) or a new domain of a service it already had (the same
brand back on a fresh domain after a takedown). A brand-new operator raises nothing: there
is nothing for it to relapse from. Whether a join is a *relapse* depends on the operator's
case (``storage.attribution.ACTED``), decided in ``service.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from castwatch.attribute.graph import Node
from castwatch.attribute.operators import Cluster
from castwatch.attribute.store import Membership


class AlertKind(StrEnum):
    """``relapse``: joined an operator whose case was acted on; ``joined``: any other."""

    RELAPSE = "relapse"
    JOINED = "joined"


@dataclass(slots=True, frozen=True)
class Join:
    """``node`` (a service or a domain) is new to operator ``operator_id``."""

    operator_id: int
    node: Node
    role: str


def match_operators(
    clusters: list[Cluster], previous: dict[int, Membership], ids: dict[Node, int]
) -> list[int | None]:
    """The stored operator id each cluster continues, or None for a new operator.

    Greedy on the number of shared services, largest first, each stored operator used once:
    when two operators merge, the larger keeps its id and the other's services *join* it.
    """
    candidates: list[tuple[int, int, int]] = []
    for index, found in enumerate(clusters):
        members = {ids[s] for s in found.services if s in ids}
        for operator_id, held in previous.items():
            overlap = len(members & held.services)
            if overlap:
                candidates.append((overlap, operator_id, index))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    chosen: list[int | None] = [None] * len(clusters)
    used: set[int] = set()
    for _overlap, operator_id, index in candidates:
        if chosen[index] is None and operator_id not in used:
            chosen[index] = operator_id
            used.add(operator_id)
    return chosen


def joins(
    clusters: list[Cluster],
    chosen: list[int | None],
    previous: dict[int, Membership],
    ids: dict[Node, int],
    domains_of: dict[Node, list[Node]],
) -> list[Join]:
    """Services and domains each continued operator did not hold before, in cluster order."""
    found: list[Join] = []
    for members, operator_id in zip(clusters, chosen, strict=True):
        if operator_id is None:
            continue
        held = previous[operator_id]
        for service in members.services:
            if ids.get(service) not in held.services:
                found.append(Join(operator_id, service, "service"))
                continue
            for domain in domains_of.get(service, []):
                if ids.get(domain) not in held.domains:
                    found.append(Join(operator_id, domain, "domain"))
    return found
