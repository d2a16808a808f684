"""The channel matcher on a small hand-built registry, and on the real one when present."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from castwatch.catalog.registry import ChannelRecord, FeedRecord
from castwatch.errors import RegistryError
from castwatch.identify.channels.matcher import ChannelMatcher, ChannelQuery
from tests.identify.registries.test_iptv_org import SHARED_IPTV_ORG as REGISTRY


def _feed(channel: str, feed: str, area: str, languages: str, main: bool = False) -> FeedRecord:
    return FeedRecord(channel, feed, feed if feed != "Plus1" else "+1", (), main,
                      tuple(area.split()), tuple(languages.split()))  # fmt: skip


def _channel(channel_id: str, name: str, *alts: str, feeds: list[FeedRecord] | None = None,
             closed: str | None = None) -> ChannelRecord:  # fmt: skip
    country = channel_id.rsplit(".", 1)[1].upper()
    return ChannelRecord(id=channel_id, name=name, alt_names=alts, country=country,
                         closed=closed, feeds=feeds or [])  # fmt: skip


def small_registry() -> list[ChannelRecord]:
    bein = "beINSports1.qa"
    return [
        _channel(bein, "beIN Sports 1", feeds=[
            _feed(bein, "MENA", "r/MENA", "ara", main=True), _feed(bein, "France", "c/FR", "fra"),
            _feed(bein, "Turkiye", "c/TR", "tur")]),
        _channel("beINSports2.qa", "beIN Sports 2"),
        _channel("beINSports1Turk.tr", "beIN Sports 1 Turk"),
        _channel("CanalPlusSport.fr", "Canal+ Sport"),
        _channel("CanalPlusSport.pl", "Canal+ Sport"),
        _channel("CanalPlusFoot.fr", "Canal+ Foot"),
        _channel("TF1.fr", "TF1", "Télévision française 1", feeds=[
            _feed("TF1.fr", "SD", "c/FR", "fra", main=True), _feed("TF1.fr", "HD", "c/FR", "fra")]),
        _channel("M6.fr", "M6"),
        _channel("E4.uk", "E4", feeds=[_feed("E4.uk", "SD", "c/UK", "eng", main=True),
                                       _feed("E4.uk", "Plus1", "c/UK", "eng")]),
        _channel("SkySportsMainEvent.uk", "Sky Sports Main Event"),
        _channel("SkySportsFootball.uk", "Sky Sports Football"),
        _channel("NationalGeographicWild.fr", "National Geographic Wild"),
        _channel("NationalGeographicWild.de", "National Geographic Wild"),
        _channel("AlJazeera.qa", "Al Jazeera", "الجزيرة\u200e"),
        _channel("TNTSports1.uk", "TNT Sports 1", "BT Sport 1"),
        _channel("OldSport.fr", "Old Sport", closed="2010-01-01"),
        _channel("Rossiya1.ru", "Rossiya 1", "Россия 1"),
        _channel("RotanaCinemaKSA.sa", "Rotana Cinema KSA"),
        _channel("RotanaCinemaEgypt.eg", "Rotana Cinema Egypt"),
    ]  # fmt: skip


COUNTRIES = {"FR": ("France", ("fra",)), "PL": ("Poland", ("pol",)), "DE": ("Germany", ("deu",)),
             "UK": ("United Kingdom", ("eng",)), "QA": ("Qatar", ("ara",))}  # fmt: skip


@pytest.fixture(scope="module")
def matcher() -> ChannelMatcher:
    return ChannelMatcher.build(small_registry(), COUNTRIES)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("FR| CANAL+ SPORT FHD ᴿᴬᵂ", "CanalPlusSport.fr"),
        ("PL: CANAL+ SPORT", "CanalPlusSport.pl"),
        ("FR: TF1 HEVC", "TF1.fr"), ("┃UK┃ SKY SPORTS MAIN EVENT ᵁᴴᴰ", "SkySportsMainEvent.uk"),
        ("UK| SS FOOTBALL", "SkySportsFootball.uk"), ("UK: BT SPORT 1", "TNTSports1.uk"),
        ("FR| C+ FOOT", "CanalPlusFoot.fr"), ("AR - الجزيرة", "AlJazeera.qa"),
        ("RU| ROSSIYA 1 HD", "Rossiya1.ru"), ("RU| РОССИЯ 1", "Rossiya1.ru"),
        ("FR| BEINSPORTS 2", "beINSports2.qa"),
        ("UK| SKY SPORTS MAIN EVNT", "SkySportsMainEvent.uk"),
        ("TR| BEIN SPORTS 1 TURK", "beINSports1Turk.tr"),
        ("AR| ROTANA CINEMA KSA", "RotanaCinemaKSA.sa"),
    ],
)  # fmt: skip
def test_known_names(matcher: ChannelMatcher, name: str, expected: str) -> None:
    result = matcher.match(name)
    assert result.target_kind == "channel"
    assert result.target_id == expected, result.why
    assert 0.5 <= result.confidence <= 1.0


def test_country_hint_chooses_between_same_name_channels(matcher: ChannelMatcher) -> None:
    assert matcher.match("CANAL+ SPORT", country="FR").target_id == "CanalPlusSport.fr"
    assert matcher.match("CANAL+ SPORT", group="POLSKA | SPORT").target_id == "CanalPlusSport.pl"
    wild = matcher.match("NAT GEO WILD HD", group="DE | DOKU")
    assert wild.target_id == "NationalGeographicWild.de"
    assert wild.why["rules"] == ["nat geo -> national geographic"]
    # With nothing to choose by, the matcher says so instead of guessing.
    alone = matcher.match("CANAL+ SPORT")
    assert alone.target_id is None
    assert alone.why["margin"] == 0.0
    assert alone.why["runner_up"]["id"] in {"CanalPlusSport.fr", "CanalPlusSport.pl"}


def test_feeds_implied_by_country_timeshift_and_quality(matcher: ChannelMatcher) -> None:
    france = matcher.match("FR| BEIN SPORTS 1")
    assert (france.target_id, france.feed_id) == ("beINSports1.qa", "France")
    assert matcher.match("TR| BEIN SPORTS 1").feed_id == "Turkiye"
    assert matcher.match("AR| BEIN SPORTS 1").feed_id is None  # the main feed: nothing implied
    shifted = matcher.match("UK| E4 +1")
    assert (shifted.target_id, shifted.feed_id) == ("E4.uk", "Plus1")
    assert matcher.match("UK| E4").feed_id is None
    assert matcher.match("FR| TF1 FHD").feed_id == "HD"


@pytest.mark.parametrize(
    "name",
    ["FR| ZENITH SPORTS 3 HD", "FR| BEIN SPORTS 14", "24/7 FRIENDS", "UK| HALCYON MOVIES 2",
     "##### FRANCE #####", "", "HD", "|FR|", "PPV EVENT 12"],
)  # fmt: skip
def test_unknown_names_get_no_answer(matcher: ChannelMatcher, name: str) -> None:
    result = matcher.match(name)
    assert result.target_id is None, result.why
    assert "abstained" in result.why


def test_explanation_says_what_matched(matcher: ChannelMatcher) -> None:
    why = matcher.match("|FR| BEIN SPORTS 1 HD").why
    assert why["best"] == "beINSports1.qa"
    assert why["matched_tokens"] == ["1", "bein", "sports"]
    assert why["hints"]["countries"] == ["FR"] and why["hints"]["from"]["name"] == ["prefix:FR"]
    assert why["hint_match"] == "country"
    assert why["runner_up"]["id"] != "beINSports1.qa"
    assert why["margin"] > 0.1
    json.dumps(why)  # JSON-able, as storage needs


def test_closed_channels_lose_ties() -> None:
    channels = [_channel("Gold.uk", "Gold", closed="2019-01-01"), _channel("Gold.ie", "Gold")]
    result = ChannelMatcher.build(channels).match("GOLD")
    assert result.why["best"] == "Gold.ie"
    assert result.why["adjustments"] == {}


def test_serialize_round_trip_gives_the_same_answers(matcher: ChannelMatcher) -> None:
    loaded = ChannelMatcher.deserialize(matcher.serialize())
    names = ["FR| CANAL+ SPORT", "UK| E4 +1", "FR| BEIN SPORTS 1", "ZENITH 3", "NAT GEO WILD"]
    assert loaded.match_many(names) == matcher.match_many(names)
    with pytest.raises(RegistryError, match="rebuilt"):
        ChannelMatcher.deserialize(b"not a matcher")
    damaged = matcher.serialize()[:-100]
    with pytest.raises(RegistryError, match="damaged"):
        ChannelMatcher.deserialize(damaged)


def test_match_many_is_match_for_each(matcher: ChannelMatcher) -> None:
    items: list[str | ChannelQuery] = [
        "FR| TF1", ChannelQuery("CANAL+ SPORT", country="PL"), "FR| TF1", "M6 HD",
        ChannelQuery("NATIONAL GEOGRAPHIC WILD", group="FRANCE DOCS"),
    ]  # fmt: skip
    expected = [matcher.match(*(ChannelQuery(i) if isinstance(i, str) else i)) for i in items]
    assert matcher.match_many(items) == expected
    assert [r.target_id for r in expected] == [
        "TF1.fr", "CanalPlusSport.pl", "TF1.fr", "M6.fr", "NationalGeographicWild.fr"]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(name=st.text(max_size=60), group=st.one_of(st.none(), st.text(max_size=30)))
def test_match_never_fails(matcher: ChannelMatcher, name: str, group: str | None) -> None:
    result = matcher.match(name, group=group)
    assert 0.0 <= result.confidence <= 1.0
    assert result.target_id is None or result.confidence >= matcher.calibration.threshold
    json.dumps(result.why)


@pytest.fixture(scope="module")
def full_matcher() -> ChannelMatcher:
    if not (REGISTRY / "channels.csv").is_file():
        pytest.skip(f"the shared iptv-org registry is not at {REGISTRY}")
    from castwatch.identify.registries.iptv_org import load_iptv_org

    data = load_iptv_org(REGISTRY)
    regions = {code: region.countries for code, region in data.regions.items()}
    return ChannelMatcher.build(data.channels, data.countries, regions=regions)


@pytest.mark.parametrize(
    ("name", "expected", "feed"),
    [
        ("FR| CANAL+ SPORT FHD ᴿᴬᵂ", "CanalPlusSport.fr", None),
        ("|AR| BEIN SPORTS 1 HD", "beINSports1.qa", None),
        ("FR| BEIN SPORTS 1", "beINSports1.qa", "France"),
        ("┃UK┃ SKY SPORTS MAIN EVENT ᵁᴴᴰ", "SkySportsMainEvent.uk", None),
        ("FR: TF1 HEVC", "TF1.fr", None),
        ("UK: BT SPORT 1", "TNTSports1.uk", None),
        ("UK| E4 +1", "E4.uk", "Plus1"),
        ("AR - الجزيرة", "AlJazeera.qa", None),
        ("ES| DAZN 1", "DAZN1.uk", "Spain"),
        ("UK| BBC ONE UHD", "BBCOne.uk", None),
        ("DE| DAS ERSTE HD", "DasErste.de", "HD"),
        ("ES| ANTENA 3", "Antena3.es", None),
        ("RU| ПЕРВЫЙ КАНАЛ", "ChannelOne.ru", None),
    ],
)
def test_famous_names_in_the_full_registry(
    full_matcher: ChannelMatcher, name: str, expected: str, feed: str | None
) -> None:
    result = full_matcher.match(name)
    assert (result.target_id, result.feed_id) == (expected, feed), result.why


def test_invented_names_abstain_in_the_full_registry(full_matcher: ChannelMatcher) -> None:
    for name in ("FR| ZENITH SPORTS 3 HD", "FR| BEIN SPORTS 14", "24/7 FRIENDS", "EVENT 12 ⚽"):
        assert full_matcher.match(name).target_id is None, name
