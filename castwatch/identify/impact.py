"""Rights impact: for one snapshot, which holders' channels and works a service carries.

The ranking counts *distinct* channels and works per holder (a channel offered in SD, HD, FHD
and two backups is one channel carried, five entries of evidence), so a service cannot look
more harmful by repeating itself. Every number comes with the entries behind it.

Territories: a claim that holds only in some countries (``territories`` in the rights-holder
file) counts for a service only where the service's market overlaps them. The market is
read off the service's own names (:func:`market_of`: the country prefixes, ``FR|``, ``[UK]``,
that most of its entries carry); a claim outside it is counted apart (``outside_market``),
and a service whose market cannot be read counts every claim, saying so.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from castwatch.catalog.store_queries import entry_columns
from castwatch.identify.registries.holders import resolve_claims
from castwatch.identify.store import work_holders
from castwatch.storage.db import Store
from castwatch.storage.reference import load_channels, load_holders, load_identifications


@dataclass(slots=True)
class HolderImpact:
    """One rights holder's exposure on one snapshot of a service."""

    holder: str
    memberships: tuple[str, ...] = ()
    channels: set[str] = field(default_factory=set)
    works: set[str] = field(default_factory=set)
    by_category: Counter[str] = field(default_factory=Counter)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    #: Channels and works carried whose claim holds only in territories outside the market.
    outside_market: set[str] = field(default_factory=set)

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
            "outside_market": len(self.outside_market),
            "outside_market_ids": sorted(self.outside_market),
            "evidence": evidence,
        }


@dataclass(slots=True)
class ImpactReport:
    """The ranking for one snapshot, most harmed holder first."""

    service: str
    snapshot: int
    identified_entries: int
    holders: list[HolderImpact]
    #: The service's market (ISO country codes), empty when its names do not say.
    market: tuple[str, ...] = ()

    @property
    def territory_note(self) -> str:
        """One sentence for the text report on how territories were applied."""
        outside = sum(len(h.outside_market) for h in self.holders)
        if not self.market:
            return (
                "The service's market could not be read from its names: claims limited to "
                "some territories were counted everywhere."
            )
        note = f"Market of {self.service}: {', '.join(self.market)}."
        if outside:
            note += (
                f" {outside:,} channel(s) or work(s) whose claims hold only in other "
                "territories are not counted (outside_market)."
            )
        return note

    def to_dict(self) -> dict[str, Any]:
        """The ``castwatch impact --json`` document: every holder with all its evidence."""
        return {
            "service": self.service,
            "snapshot": self.snapshot,
            "identified_entries": self.identified_entries,
            "market": list(self.market),
            "territory_note": self.territory_note,
            "holders": [holder.as_dict() for holder in self.holders],
        }


def rights_impact(
    store: Store, service_name: str, snapshot_id: int | None = None, holder: str | None = None
) -> ImpactReport:
    """Rank holders by what the snapshot carries of theirs (run ``identify`` first)."""
    listed = entry_columns(
        store, service_name, snapshot_id, ("id", "key", "kind", "name", "group_name")
    )
    entries = {row.id: row for row in listed.rows}
    found = [
        (entry_id, ident)
        for entry_id, ident in load_identifications(store, listed.snapshot_id)
        if ident.target_id and entry_id in entries
    ]
    holders = load_holders(store)
    market = market_of(row.name for row in entries.values())
    channel_holders: dict[str, list[tuple[str, tuple[str, ...]]]] = defaultdict(list)
    for name, claims in resolve_claims(holders, load_channels(store)).items():
        for channel_id, territories in claims.items():
            channel_holders[channel_id].append((name, territories))
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
        for name, territories in owners:
            impact = impacts.setdefault(name, HolderImpact(name))
            if market and territories and not set(territories) & set(market):
                impact.outside_market.add(target)
                continue
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
    return ImpactReport(listed.service, listed.snapshot_id, len(found), ranked, market)


#: A panel's country prefix: ``FR|``, ``|UK|``, ``[DE]``, ``AR:``, ``ES -``, ``┃IT┃``.
_PREFIX = re.compile(r"^\W{0,3}([A-Z]{2,4})\s*(?:\||:|\]|┃|➤|-\s)")
#: Prefix codes that are not ISO country codes, and what they mean for territories.
_PREFIX_COUNTRIES: dict[str, tuple[str, ...]] = {
    "UK": ("GB", "UK"),
    "GB": ("GB", "UK"),
    # On pirate panels AR is Arabic (the Arab world), not Argentina.
    "AR": ("AE", "BH", "DZ", "EG", "IQ", "JO", "KW", "LB", "MA", "OM", "QA", "SA", "TN"),
    "EXYU": ("BA", "HR", "ME", "MK", "RS", "SI"),
    "USA": ("US",),
    "KSA": ("SA",),
}
#: Languages and labels, no country: they say nothing of a market.
_NOT_COUNTRIES = frozenset({"EN", "VOD", "VF", "VO", "VOST", "LAT", "LATAM", "MULTI", "HD", "4K"})
#: A prefix is part of the market when at least this share of the prefixed names carry it.
MARKET_SHARE = 0.15


def market_of(names: Iterable[str]) -> tuple[str, ...]:
    """The countries a service sells to, read off the prefixes of its entries' names.

    Empty when too few names carry a country prefix to say (under 20 of them).
    """
    counts: Counter[str] = Counter()
    for name in names:
        found = _PREFIX.match(name or "")
        if found and found.group(1) not in _NOT_COUNTRIES:
            counts[found.group(1)] += 1
    total = sum(counts.values())
    if total < 20:
        return ()
    countries: list[str] = []
    for code, count in counts.most_common():
        if count / total < MARKET_SHARE:
            break
        countries.extend(_PREFIX_COUNTRIES.get(code, (code,)))
    return tuple(dict.fromkeys(countries))


def _work_holders(
    store: Store, holders: list[Any], work_ids: set[str]
) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    """Work id -> (holder, territories), from work claims in the holders file and the works'
    own column (which holds everywhere)."""
    result: dict[str, list[tuple[str, tuple[str, ...]]]] = defaultdict(list)
    canonical = {}
    for h in holders:
        for alias in (h.name, *h.aliases):
            canonical[alias.casefold()] = h.name
        for claim in h.claims:
            if claim.kind == "work" and claim.value in work_ids:
                result[claim.value].append((h.name, tuple(claim.territories)))
    for work_id, name in work_holders(store, work_ids).items():
        if name:
            holder = canonical.get(name.casefold(), name)
            if all(holder != known for known, _ in result[work_id]):
                result[work_id].append((holder, ()))
    return result
