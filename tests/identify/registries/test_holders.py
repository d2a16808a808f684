"""Rights-holder files: the shipped example against the registry, the format, its errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from castwatch.catalog import Entry, EntryKind, Inventory, ServiceKind
from castwatch.catalog.registry import (
    ChannelRecord,
    Claim,
    ClaimKind,
    RightsHolder,
    WorkKind,
    WorkRecord,
)
from castwatch.catalog.store import save_inventory
from castwatch.errors import RegistryError
from castwatch.identify.impact import market_of, rights_impact
from castwatch.identify.registries.holders import (
    DEFAULT_HOLDERS,
    load_holders,
    parse_holders,
    resolve_claims,
    unmatched_claims,
)
from castwatch.identify.registries.iptv_org import load_iptv_org
from castwatch.identify.snapshot import identify_snapshot
from castwatch.storage import reference
from castwatch.storage.db import Store
from tests.identify.registries.test_iptv_org import SHARED_IPTV_ORG, needs_shared

EXAMPLE = """
version: 1
regions:
  BENELUX: [BE, NL, LU]
holders:
  - name: Groupe CANAL+
    aliases: [CANAL+, Canal Plus]
    memberships: [ACE]
    website: https://www.canalplusgroup.com/
    notes: an example
    territories: [FR, BENELUX]
    owners: [Canal+ Group, {value: Vivendi, territories: [NO, FR]}]
    networks: [Canal+]
    channels:
      - CanalPlus.fr
      - {value: CanalPlusSport.pl}
    works: [tt0111161]
  - name: Netflix
"""


def test_the_format_reads_every_field() -> None:
    canal, netflix = parse_holders(EXAMPLE)
    assert canal.name == "Groupe CANAL+"
    assert canal.aliases == ("CANAL+", "Canal Plus")
    assert canal.memberships == ("ACE",)
    assert canal.website == "https://www.canalplusgroup.com/"
    assert canal.notes == "an example"
    default = ("FR", "BE", "NL", "LU")
    assert canal.claims == [
        Claim(ClaimKind.OWNER, "Canal+ Group", default),
        # "NO" is Norway, not YAML 1.1's false.
        Claim(ClaimKind.OWNER, "Vivendi", ("NO", "FR")),
        Claim(ClaimKind.NETWORK, "Canal+", default),
        Claim(ClaimKind.CHANNEL, "CanalPlus.fr", default),
        Claim(ClaimKind.CHANNEL, "CanalPlusSport.pl", default),
        Claim(ClaimKind.WORK, "tt0111161", default),
    ]
    assert netflix == RightsHolder(name="Netflix")


def test_load_holders_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "holders.yaml"
    path.write_text(EXAMPLE.replace("owners:", "owner:"), encoding="utf-8")
    with pytest.raises(RegistryError) as error:
        load_holders(path)
    assert str(error.value).startswith(f"{path}: holder 'Groupe CANAL+': unknown field 'owner'")
    with pytest.raises(RegistryError, match="cannot read"):
        load_holders(tmp_path / "missing.yaml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("holders: [1]", "holder #1: expected a mapping"),
        ("holders:\n  - aliases: [x]", "holder #1: field 'name': required text"),
        ("holders:\n  - name: A\n  - name: a", "holder 'a': field 'name': duplicate of 'A'"),
        (
            "holders:\n  - name: A\n    owners: Canal+",
            "holder 'A': field 'owners': expected a list",
        ),
        ("holders:\n  - name: A\n    channels: [12]", "holder 'A': field 'channels' item 1"),
        (
            "holders:\n  - name: A\n    channels: [{value: X, where: [FR]}]",
            "field 'channels' item 1: unknown key 'where'",
        ),
        ("holders:\n  - name: A\n    territories: [France]", "'France' is neither"),
        ("holders:\n  - name: A\n    website: [a]", "field 'website': expected text"),
        ("holders:\n  - name: A\n    aliases: [1.5]", "field 'aliases' item 1: expected text"),
        ("holders: {}", "'holders' must be a list"),
        ("- a\n- b", "expected a mapping with a 'holders' list"),
        ("holder: []", "unknown top-level field 'holder'"),
        ("version: 2\nholders: []", "unsupported version 2"),
        ("regions: [EU]\nholders: []", "'regions' must map"),
        ("regions: {E: [FR]}\nholders: []", "region 'E': a region code"),
        ('holders:\n  - name: "A\\0B"', "holds a NUL character"),
        ('holders:\n  - name: A\n    owners: ["\\ud800"]', "not valid Unicode text"),
        ("holders: [", "not valid YAML"),
        ("holders: !!python/object:os.system []", "not valid YAML"),
    ],
)
def test_errors_name_the_holder_and_the_field(text: str, message: str) -> None:
    with pytest.raises(RegistryError) as error:
        parse_holders(text, "holders.yaml")
    assert str(error.value).startswith("holders.yaml: ")
    assert message in str(error.value)


def _channel(
    channel_id: str, owners: tuple[str, ...] = (), network: str | None = None
) -> ChannelRecord:
    return ChannelRecord(id=channel_id, name=channel_id, owners=owners, network=network)


def test_claims_resolve_to_channels_with_their_territories() -> None:
    channels = [
        _channel("A.fr", owners=("Canal+ Group",)),
        _channel("B.fr", owners=("Other", "CANAL+  group")),
        _channel("C.sa", network="Shahid;MBC Mood"),
        _channel("D.fr", owners=("Canal+ Group",)),
        _channel("E.us"),
    ]
    holders = [
        RightsHolder(
            "Canal",
            claims=[
                Claim(ClaimKind.OWNER, "canal+ group", ("FR",)),
                Claim(ClaimKind.CHANNEL, "B.fr", ("BE",)),
                Claim(ClaimKind.CHANNEL, "D.fr"),
                Claim(ClaimKind.CHANNEL, "Missing.fr"),
                Claim(ClaimKind.WORK, "tt1"),
            ],
        ),
        RightsHolder("MBC", claims=[Claim(ClaimKind.NETWORK, "MBC Mood", ("SA",))]),
        RightsHolder("Nobody"),
    ]
    assert resolve_claims(holders, channels) == {
        # Owners match loosely; territories add up; a claim valid everywhere wins.
        "Canal": {"A.fr": ("FR",), "B.fr": ("FR", "BE"), "D.fr": ()},
        "MBC": {"C.sa": ("SA",)},
        "Nobody": {},
    }
    assert unmatched_claims(holders, channels) == [
        ("Canal", Claim(ClaimKind.CHANNEL, "Missing.fr"))
    ]


def test_the_shipped_file_is_valid() -> None:
    holders = load_holders(DEFAULT_HOLDERS)
    names = [holder.name for holder in holders]
    assert len(names) == len(set(names)) >= 30
    members = {holder.name for holder in holders if "ACE" in holder.memberships}
    assert {"Groupe CANAL+", "Netflix", "beIN Media Group", "DAZN", "Sky"} <= members
    # Membership that could not be confirmed is not recorded.
    assert {"Groupe TF1", "Groupe M6", "Fox Corporation"}.isdisjoint(members)
    assert all(holder.notes for holder in holders)


@needs_shared
def test_every_shipped_claim_exists_in_the_registry() -> None:
    holders = load_holders(DEFAULT_HOLDERS)
    channels = load_iptv_org(SHARED_IPTV_ORG).channels
    assert unmatched_claims(holders, channels) == []
    claimed = {name: len(found) for name, found in resolve_claims(holders, channels).items()}
    assert claimed["Groupe CANAL+"] >= 20
    assert claimed["beIN Media Group"] >= 20
    assert claimed["Sky"] >= 20
    assert claimed["DAZN"] >= 10
    assert claimed["MBC Group"] >= 20
    for name in ("Groupe TF1", "Groupe M6", "France Télévisions", "OSN", "RMC Sport"):
        assert claimed[name] >= 5, name


_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=12), st.sampled_from(["NO", "FR"])
)
_yaml_values = st.recursive(
    _scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "name",
                    "holders",
                    "owners",
                    "channels",
                    "territories",
                    "value",
                    "regions",
                    "aliases",
                ]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(document=_yaml_values)
def test_any_yaml_document_loads_or_fails_cleanly(document: object) -> None:
    text = yaml.safe_dump(document, allow_unicode=True)
    try:
        holders = parse_holders(text)
    except RegistryError:
        return
    for holder in holders:
        assert holder.name and all(isinstance(claim.value, str) for claim in holder.claims)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=200))
def test_any_text_loads_or_fails_cleanly(text: str) -> None:
    try:
        holders = parse_holders(text)
    except RegistryError as exc:
        assert str(exc).startswith("<text>: ")
        return
    assert all(isinstance(holder, RightsHolder) for holder in holders)


# --- territories in the impact ranking (issue 13) -----------------------------------------


@pytest.mark.parametrize(
    ("names", "market"),
    [
        ([f"FR| Channel {n}" for n in range(30)], ("FR",)),
        ([f"|UK| Film {n}" for n in range(15)] + [f"[DE] Film {n}" for n in range(15)],
         ("GB", "UK", "DE")),
        ([f"AR: Film {n}" for n in range(25)], market_of([f"AR: x{n}" for n in range(25)])),
        ([f"Film {n} (2001)" for n in range(100)], ()),  # no prefixes: no market
        ([f"EN| Film {n}" for n in range(40)], ()),  # a language is no market
        ([f"FR| C{n}" for n in range(10)], ()),  # too few to say
    ],
)  # fmt: skip
def test_the_market_is_read_off_the_country_prefixes(
    names: list[str], market: tuple[str, ...]
) -> None:
    assert market_of(names) == market
    if names[0].startswith("AR"):
        assert "SA" in market and "AR" not in market  # Arabic on a panel, not Argentina


@settings(max_examples=200, deadline=None)
@given(names=st.lists(st.text(max_size=30), max_size=60))
def test_market_of_never_fails(names: list[str]) -> None:
    market = market_of(names)
    assert all(code.isupper() and 2 <= len(code) <= 4 for code in market)


def test_a_claim_outside_the_service_market_is_counted_apart(store: Store) -> None:
    from tests.identify.test_snapshot import Registry

    holders = [
        RightsHolder("Sky Deutschland", claims=[Claim(ClaimKind.CHANNEL, "CanalPlus.fr", ("DE",))]),
        RightsHolder("Groupe CANAL+", claims=[Claim(ClaimKind.CHANNEL, "CanalPlusSport.fr")]),
        RightsHolder("French Studio", claims=[Claim(ClaimKind.WORK, "tt0001", ("FR", "BE"))]),
    ]
    inventory = Inventory(ServiceKind.XTREAM, "http://panel.test/", ["http://panel.test/"])
    names = [f"FR| CANAL+ SPORT {q}" for q in ("HD", "FHD", "SD", "4K")] + ["FR| CANAL+ HD"]
    names += [f"FR| ZENITH {n} HD" for n in range(20)]
    for number, name in enumerate(names):
        inventory.entries.append(Entry(EntryKind.LIVE, f"live:{number}", name, group="FR"))
    inventory.entries.append(Entry(EntryKind.FILM, "film:1", "FR| The Silent Harbor (2021)"))
    reference.replace_iptv_org(store, Registry(), "test")
    reference.replace_holders(store, holders, "test")
    reference.import_works(
        store, [WorkRecord("tt0001", "The Silent Harbor", WorkKind.FILM, 2021)], "test"
    )
    save_inventory(store, inventory, "panel")
    identify_snapshot(store, "panel")
    report = rights_impact(store, "panel")
    assert report.market == ("FR",)
    by_name = {h.holder: h for h in report.holders}
    assert by_name["Groupe CANAL+"].channels == {"CanalPlusSport.fr"}
    assert by_name["French Studio"].works == {"tt0001"}  # FR is in its territories
    # Sky's claim holds in Germany only: the French panel's CANAL+ is not Sky's harm there.
    assert "Sky Deutschland" not in by_name
    assert "Market of panel: FR." in report.territory_note


def test_the_outside_market_count_is_reported(store: Store) -> None:
    from tests.identify.test_snapshot import Registry

    holders = [
        RightsHolder(
            "Split Holder",
            claims=[
                Claim(ClaimKind.CHANNEL, "CanalPlus.fr", ("DE",)),
                Claim(ClaimKind.CHANNEL, "CanalPlusSport.fr"),
            ],
        )
    ]
    inventory = Inventory(ServiceKind.XTREAM, "http://panel.test/", ["http://panel.test/"])
    names = ["FR| CANAL+ HD", "FR| CANAL+ SPORT HD"] + [f"FR| ZENITH {n} HD" for n in range(20)]
    for number, name in enumerate(names):
        inventory.entries.append(Entry(EntryKind.LIVE, f"live:{number}", name, group="FR"))
    reference.replace_iptv_org(store, Registry(), "test")
    reference.replace_holders(store, holders, "test")
    save_inventory(store, inventory, "panel")
    identify_snapshot(store, "panel")
    (split,) = rights_impact(store, "panel").holders
    assert split.channels == {"CanalPlusSport.fr"}
    assert split.outside_market == {"CanalPlus.fr"}
    assert split.as_dict()["outside_market"] == 1
    assert "outside_market" in rights_impact(store, "panel").territory_note
