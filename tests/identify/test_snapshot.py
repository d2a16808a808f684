"""Identify a stored snapshot and rank rights holders, on SQLite and PostgreSQL."""

from __future__ import annotations

from castwatch.catalog import Entry, EntryKind, Inventory, ServiceKind
from castwatch.catalog.registry import (
    ChannelRecord,
    Claim,
    ClaimKind,
    FeedRecord,
    RightsHolder,
    WorkKind,
    WorkRecord,
)
from castwatch.catalog.store import save_inventory
from castwatch.identify.impact import rights_impact
from castwatch.identify.snapshot import identify_snapshot
from castwatch.storage import reference
from castwatch.storage.db import Store


class Registry:
    """A small channel registry shaped like an iptv-org import."""

    def __init__(self) -> None:
        def channel(cid: str, name: str, owner: str, country: str, lang: str) -> ChannelRecord:
            feed = FeedRecord(
                cid, "SD", "SD", is_main=True, broadcast_area=(f"c/{country}",), languages=(lang,)
            )
            return ChannelRecord(cid, name, owners=(owner,), country=country, feeds=[feed])

        self.channels = [
            channel("CanalPlusSport.fr", "Canal+ Sport", "Groupe Canal+", "FR", "fra"),
            channel("CanalPlus.fr", "Canal+", "Groupe Canal+", "FR", "fra"),
            channel("beINSports1.qa", "beIN Sports 1", "beIN Media Group", "QA", "ara"),
            channel("TF1.fr", "TF1", "Groupe TF1", "FR", "fra"),
        ]
        self.countries = {"FR": ("France", ("fra",)), "QA": ("Qatar", ("ara",))}
        self.regions: dict[str, tuple[str, tuple[str, ...]]] = {}
        self.digest = "test-registry"

    def counts(self) -> dict[str, int]:
        return {"channels": len(self.channels)}


HOLDERS = [
    RightsHolder(
        "Groupe CANAL+",
        aliases=("Canal Plus",),
        claims=[Claim(ClaimKind.OWNER, "Groupe Canal+")],
        memberships=("ACE",),
    ),
    RightsHolder("beIN Media Group", claims=[Claim(ClaimKind.OWNER, "beIN Media Group")]),
    RightsHolder("Example Studio", claims=[Claim(ClaimKind.WORK, "tt0001")]),
]
WORKS = [
    WorkRecord("tt0001", "The Silent Harbor", WorkKind.FILM, year=2021),
    WorkRecord("tt0002", "The Glass Kingdom", WorkKind.SERIES, year=2020, holder="Canal Plus"),
]


def _inventory() -> Inventory:
    inventory = Inventory(ServiceKind.XTREAM, "http://panel.test/", ["http://panel.test/"])
    rows = [
        (EntryKind.LIVE, "live:1", "FR| CANAL+ SPORT FHD ᴿᴬᵂ", "FR | SPORTS", None),
        (EntryKind.LIVE, "live:2", "FR| CANAL+ SPORT HD", "FR | SPORTS", None),
        (EntryKind.LIVE, "live:3", "|AR| BEIN SPORTS 1 HD", "AR | BEIN", None),
        (EntryKind.LIVE, "live:4", "FR| ZENITH ULTRA 9 HD", "FR | DIVERS", None),
        (EntryKind.FILM, "film:1", "VOD| The Silent Harbor (2021) 4K HDR", "VOD | ACTION", None),
        (EntryKind.SERIES, "series:7", "The Glass Kingdom (2020) [MULTI]", "SERIES", "7"),
        (EntryKind.EPISODE, "episode:70", "The Glass Kingdom S01 E03", "SERIES", "7"),
    ]
    for kind, key, name, group, series_id in rows:
        inventory.entries.append(Entry(kind, key, name, group=group, series_id=series_id))
    return inventory


def _prepare(store: Store) -> None:
    reference.replace_iptv_org(store, Registry(), "test")
    reference.replace_holders(store, HOLDERS, "test")
    reference.import_works(store, WORKS, "test")
    save_inventory(store, _inventory(), "panel")


def test_identify_snapshot_stores_matches_and_abstentions(store: Store) -> None:
    _prepare(store)
    summary = identify_snapshot(store, "panel")
    assert summary.identified["live"] == 3 and summary.unknown["live"] == 1
    assert summary.identified["film"] == 1
    assert summary.identified["series"] == 1 and summary.identified["episode"] == 1
    stored = reference.load_identifications(store, summary.snapshot)
    assert len(stored) == 7
    targets = sorted(i.target_id or "-" for _, i in stored)
    assert targets == sorted(
        [
            "CanalPlusSport.fr",
            "CanalPlusSport.fr",
            "beINSports1.qa",
            "-",
            "tt0001",
            "tt0002",
            "tt0002",
        ]
    )
    episode = [i for _, i in stored if i.why.get("rule") == "episode of an identified series"]
    assert len(episode) == 1 and episode[0].target_id == "tt0002"


def test_identify_again_replaces_previous_results(store: Store) -> None:
    _prepare(store)
    first = identify_snapshot(store, "panel")
    identify_snapshot(store, "panel")
    assert len(reference.load_identifications(store, first.snapshot)) == 7


def test_impact_ranks_by_distinct_channels_and_works(store: Store) -> None:
    _prepare(store)
    identify_snapshot(store, "panel")
    report = rights_impact(store, "panel")
    ranked = [(h.holder, len(h.channels), len(h.works), len(h.evidence)) for h in report.holders]
    # CANAL+: one channel in two qualities (one channel, two entries) plus a series and its
    # episode via the works' holder column, named by an alias.
    assert ranked[0] == ("Groupe CANAL+", 1, 1, 4)
    assert ("beIN Media Group", 1, 0, 1) in ranked
    assert ("Example Studio", 0, 1, 1) in ranked
    canal = report.holders[0]
    assert canal.by_category["FR | SPORTS"] == 2
    assert {e["name"] for e in canal.evidence} >= {
        "FR| CANAL+ SPORT FHD ᴿᴬᵂ",
        "FR| CANAL+ SPORT HD",
    }
    only = rights_impact(store, "panel", holder="canal plus")
    assert [h.holder for h in only.holders] == ["Groupe CANAL+"]
