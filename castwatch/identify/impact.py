"""Rights impact: for one snapshot, which holders' channels and works a service carries.

The ranking counts *distinct* channels and works per holder (a channel offered in SD, HD, FHD
and two backups is one channel carried, five entries of evidence), so a service cannot look
more harmful by repeating itself. Every number comes with the entries behind it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from castwatch.identify.holders import resolve_claims
from castwatch.storage.db import Store
from castwatch.storage.queries import find_service, find_snapshot, in_snapshot
from castwatch.storage.reference import load_channels, load_holders, load_identifications
from castwatch.storage.tables import EntryRow, WorkRow


@dataclass(slots=True)
class HolderImpact:
    """One rights holder's exposure on one snapshot of a service."""

    holder: str
    memberships: tuple[str, ...] = ()
    channels: set[str] = field(default_factory=set)
    works: set[str] = field(default_factory=set)
    by_category: Counter[str] = field(default_factory=Counter)
    evidence: list[dict[str, Any]] = field(default_factory=list)

    @property
    def score(self) -> int:
        """Distinct channels plus distinct works carried: the ranking key."""
        return len(self.channels) + len(self.works)

    def as_dict(self, evidence_limit: int | None = None) -> dict[str, Any]:
        evidence = self.evidence if evidence_limit is None else self.evidence[:evidence_limit]
        return {
            "holder": self.holder,
            "memberships": list(self.memberships),
            "score": self.score,
            "channels": len(self.channels),
            "works": len(self.works),
            "entries": len(self.evidence),
            "channel_ids": sorted(self.channels),
            "work_ids": sorted(self.works),
            "by_category": dict(self.by_category.most_common()),
            "evidence": evidence,
        }


@dataclass(slots=True)
class ImpactReport:
    """The ranking for one snapshot, most harmed holder first."""

    service: str
    snapshot: int
    identified_entries: int
    holders: list[HolderImpact]


def rights_impact(
    store: Store, service_name: str, snapshot_id: int | None = None, holder: str | None = None
) -> ImpactReport:
    """Rank holders by what the snapshot carries of theirs (run ``identify`` first)."""
    with store.session() as session:
        service = find_service(session, service_name)
        snapshot = find_snapshot(session, service, snapshot_id)
        entries = {
            row.id: row
            for row in session.execute(
                select(
                    EntryRow.id, EntryRow.key, EntryRow.kind, EntryRow.name, EntryRow.group_name
                ).where(in_snapshot(snapshot))
            )
        }
    found = [
        (entry_id, ident)
        for entry_id, ident in load_identifications(store, snapshot.id)
        if ident.target_id and entry_id in entries
    ]
    holders = load_holders(store)
    channel_holders: dict[str, list[str]] = defaultdict(list)
    for name, claims in resolve_claims(holders, load_channels(store)).items():
        for channel_id in claims:
            channel_holders[channel_id].append(name)
    work_holders = _work_holders(
        store, holders, {i.target_id for _, i in found if i.target_kind == "work" and i.target_id}
    )
    impacts: dict[str, HolderImpact] = {
        h.name: HolderImpact(h.name, tuple(h.memberships)) for h in holders
    }
    for entry_id, ident in found:
        target = ident.target_id or ""
        owners = (channel_holders if ident.target_kind == "channel" else work_holders).get(
            target, []
        )
        row = entries[entry_id]
        for name in owners:
            impact = impacts.setdefault(name, HolderImpact(name))
            (impact.channels if ident.target_kind == "channel" else impact.works).add(target)
            impact.by_category[row.group_name or "(no group)"] += 1
            impact.evidence.append(
                {
                    "key": row.key,
                    "kind": row.kind,
                    "name": row.name,
                    "group": row.group_name,
                    "target_kind": ident.target_kind,
                    "target_id": target,
                    "confidence": round(ident.confidence, 3),
                }
            )
    ranked = sorted(
        (i for i in impacts.values() if i.score),
        key=lambda i: (-i.score, -len(i.evidence), i.holder),
    )
    if holder:
        wanted = holder.casefold()
        aliases = {h.name: {h.name.casefold(), *(a.casefold() for a in h.aliases)} for h in holders}
        ranked = [i for i in ranked if wanted in aliases.get(i.holder, {i.holder.casefold()})]
    return ImpactReport(service.name, snapshot.id, len(found), ranked)


def _work_holders(store: Store, holders: list[Any], work_ids: set[str]) -> dict[str, list[str]]:
    """Work id -> holder names, from work claims in the holders file and the works' own column."""
    result: dict[str, list[str]] = defaultdict(list)
    canonical = {}
    for h in holders:
        for alias in (h.name, *h.aliases):
            canonical[alias.casefold()] = h.name
        for claim in h.claims:
            if claim.kind == "work" and claim.value in work_ids:
                result[claim.value].append(h.name)
    ids = sorted(work_ids)
    with store.session() as session:
        for start in range(0, len(ids), 500):
            rows = session.execute(
                select(WorkRow.id, WorkRow.holder).where(WorkRow.id.in_(ids[start : start + 500]))
            )
            for work_id, name in rows:
                if name:
                    holder = canonical.get(name.casefold(), name)
                    if holder not in result[work_id]:
                        result[work_id].append(holder)
    return result
