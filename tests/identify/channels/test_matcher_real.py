"""Channel rules for real guide names: families and feeds, markets, call signs, scripts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from castwatch.catalog.registry import ChannelRecord, FeedRecord
from castwatch.identify.channels.callsigns import CallSign, parse_call_sign, station_key
from castwatch.identify.channels.hints import Hint
from castwatch.identify.channels.market import identify_with_market, market_hint
from castwatch.identify.channels.matcher import ChannelMatcher, ChannelQuery
from castwatch.identify.channels.ranking import EVIDENCE, Calibration


def _feed(channel: str, feed: str, area: str, languages: str, main: bool = False) -> FeedRecord:
    return FeedRecord(channel, feed, feed, (), main, tuple(area.split()), tuple(languages.split()))


def _channel(channel_id: str, name: str, *alts: str, feeds: list[FeedRecord] | None = None,
             network: str | None = None) -> ChannelRecord:  # fmt: skip
    country = channel_id.rsplit(".", 1)[1].upper()
    return ChannelRecord(id=channel_id, name=name, alt_names=alts, country=country,
                         network=network, feeds=feeds or [])  # fmt: skip


def registry() -> list[ChannelRecord]:
    latam = "r/LATAM"
    return [
        _channel("NewsNet.us", "NewsNet", feeds=[_feed("NewsNet.us", "SD", "c/US", "eng", True)]),
        _channel("NewsNetLatinAmerica.us", "NewsNet Latin America",
                 feeds=[_feed("NewsNetLatinAmerica.us", "SD", latam, "spa", True)]),
        _channel("NewsNetAsia.sg", "NewsNet Asia",
                 feeds=[_feed("NewsNetAsia.sg", "SD", "r/ASIA", "eng", True)]),
        _channel("NewsNetDrama.mx", "NewsNet Drama",
                 feeds=[_feed("NewsNetDrama.mx", "SD", "c/MX", "spa", True)]),
        _channel("Kanal9.mx", "Kanal 9", feeds=[_feed("Kanal9.mx", "SD", "c/MX", "spa", True)]),
        _channel("Kanal7.mx", "Kanal 7", feeds=[_feed("Kanal7.mx", "SD", "c/MX", "spa", True)]),
        _channel("Kanal9.ug", "Kanal 9", feeds=[_feed("Kanal9.ug", "SD", "c/UG", "eng", True)]),
        _channel("Sol.mx", "Sol TV", feeds=[_feed("Sol.mx", "SD", "c/MX", "spa", True)]),
        _channel("Luna.mx", "Luna TV", feeds=[_feed("Luna.mx", "SD", "c/MX", "spa", True)]),
        _channel("WXYZ71.us", "WXYZ-TV 7.1", network="ABC"),
        _channel("WXYZ72.us", "WXYZ-TV 7.2", network="Bounce"),
        _channel("KQRSDT3.us", "KQRS-DT3", network="Grit"),
        _channel("Sport24.ru", "Спорт 24", "Sport 24"),
        _channel("Hadashot.il", "חדשות 12", "Hadashot 12"),
        _channel("Beijing.cn", "北京卫视", "Beijing Satellite TV"),
        _channel("Wanasa.ae", "وناسة", "Wanasa"),
        _channel("Regio.de", "Regio"),
        _channel("Saga.us", "Saga", feeds=[_feed("Saga.us", "SD", "c/US", "eng", True)]),
        _channel("SagaHU.hu", "Saga Channel",
                 feeds=[_feed("SagaHU.hu", "SD", "c/HU", "hun", True)]),
        _channel("OtherBrand.us", "Other Brand", "Saga Channel International",
                 feeds=[_feed("OtherBrand.us", "SD", "c/US", "eng", True)]),
        _channel("RegioBayern.de", "Regio Bayern"),
    ]  # fmt: skip


COUNTRIES = {"US": ("United States", ("eng",)), "MX": ("Mexico", ("spa",)),
             "UG": ("Uganda", ("eng",)), "SG": ("Singapore", ("eng",))}  # fmt: skip
REGIONS = {"LATAM": ("MX", "AR", "CO"), "ASIA": ("SG",), "HISPAM": ("MX", "CO")}


@pytest.fixture(scope="module")
def matcher() -> ChannelMatcher:
    return ChannelMatcher.build(registry(), COUNTRIES, regions=REGIONS)


def test_family_member_chosen_only_with_evidence(matcher: ChannelMatcher) -> None:
    # No hint: the parent. A Mexican market: the family's Latin American feed, never the
    # Mexican "NewsNet Drama", which is another channel and not a where-feed.
    assert matcher.match("NewsNet").target_id == "NewsNet.us"
    mexico = matcher.match("NewsNet", country="MX")
    assert mexico.target_id == "NewsNetLatinAmerica.us"
    assert "family member chosen" in mexico.why["evidence"]
    assert matcher.match("NewsNet", country="SG").target_id == "NewsNetAsia.sg"
    assert matcher.match("NewsNet", country="US").target_id == "NewsNet.us"


def test_no_jump_to_a_member_past_a_shorter_name_that_fits(matcher: ChannelMatcher) -> None:
    # "Saga" (US) fits a US hint; "Saga Channel International" (another brand's old name)
    # must not take the answer from it.
    assert matcher.match("US| SAGA CHANNEL").target_id != "OtherBrand.us"


def test_country_hint_of_identify_names_chooses_between_homonyms(matcher: ChannelMatcher) -> None:
    assert matcher.match("Kanal 9", country="UG").target_id == "Kanal9.ug"
    assert matcher.match("Kanal 9", country="MX").target_id == "Kanal9.mx"
    spanish = matcher.rank("Kanal 9", language="es")
    assert spanish.best is not None and spanish.best.area == "language"


def test_market_hint_is_read_off_the_service(matcher: ChannelMatcher) -> None:
    queries = [ChannelQuery(n) for n in ("Kanal 7", "Sol TV", "Luna TV", "Kanal 9")]
    market = market_hint(matcher, queries)
    assert market.countries == frozenset({"MX"})
    found, same = identify_with_market(matcher, queries)
    assert same == market
    assert found[3].target_id == "Kanal9.mx"
    assert found[3].why["hints"]["from"]["market"] == ["MX"]


def test_market_gives_way_to_an_entry_s_own_hint(matcher: ChannelMatcher) -> None:
    market = Hint(frozenset({"MX"}))
    own = matcher.match("Kanal 9", country="UG", market=market)
    assert own.target_id == "Kanal9.ug" and "market" not in own.why["hints"]["from"]


def test_no_market_from_a_service_of_shared_names(matcher: ChannelMatcher) -> None:
    # Names that channels of several countries bear say nothing of the market.
    assert not market_hint(matcher, [ChannelQuery("Kanal 9")] * 5).countries


def test_market_counts_where_answers_are_broadcast_not_their_id(matcher: ChannelMatcher) -> None:
    # NewsNetLatinAmerica.us is sold in r/LATAM: a guide of it is no US market.
    market = market_hint(matcher, [ChannelQuery("NewsNet Latin America")] * 3)
    assert market.regions == frozenset({"LATAM"})
    assert "US" not in market.countries


def test_market_country_of_another_language_is_dropped(matcher: ChannelMatcher) -> None:
    # A Mexican market says nothing of an English-language name on the same guide.
    found = matcher.match("Kanal 9", language="en", market=Hint(frozenset({"MX"})))
    assert "MX" not in found.why["hints"]["countries"]
    assert found.target_id != "Kanal9.mx"
    spanish = matcher.match("Kanal 9", language="es", market=Hint(frozenset({"MX"})))
    assert spanish.target_id == "Kanal9.mx"


def test_regions_overlap_by_their_countries(matcher: ChannelMatcher) -> None:
    # A Hispanic-American market (MX, CO) is where the r/LATAM feed is broadcast.
    found = matcher.match("NewsNet", market=Hint(regions=frozenset({"HISPAM"})))
    assert found.target_id == "NewsNetLatinAmerica.us"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ABC (WXYZ) Detroit, MI HD", "WXYZ71.us"),
        ("Bounce (WXYZ-DT2) Detroit, MI", "WXYZ72.us"),
        ("WXYZ-DT2", "WXYZ72.us"),
        ("WXYZ", "WXYZ71.us"),
        ("Grit (KQRS-DT3)", "KQRSDT3.us"),
    ],
)
def test_call_signs_resolve_to_stations(matcher: ChannelMatcher, name: str, expected: str) -> None:
    result = matcher.match(name)
    assert result.target_id == expected
    assert "call sign" in result.why["evidence"]


def test_unknown_call_sign_is_no_answer(matcher: ChannelMatcher) -> None:
    assert matcher.match("CBS (WAAA) Nowhere, ZZ").target_id is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Спорт 24", "Sport24.ru"), ("חדשות 12", "Hadashot.il"), ("北京卫视", "Beijing.cn"),
     ("وناسة", "Wanasa.ae")],
)  # fmt: skip
def test_names_in_other_scripts(matcher: ChannelMatcher, name: str, expected: str) -> None:
    assert matcher.match(name).target_id == expected


def test_sub_channel_is_not_its_parent(matcher: ChannelMatcher) -> None:
    assert matcher.match("Regio Bayern").target_id == "RegioBayern.de"
    assert matcher.match("Regio").target_id == "Regio.de"


def test_evidence_weights_change_the_confidence(matcher: ChannelMatcher) -> None:
    ranking = matcher.rank("Kanal 9")
    evidence = ranking.evidence(matcher.index)
    assert len(evidence) == len(EVIDENCE)
    assert evidence[EVIDENCE.index("same name elsewhere (log)")] > 0
    plain = Calibration(10.0, 10.0, -8.0, 0.5)
    doubtful = Calibration(10.0, 10.0, -8.0, 0.5, weight_evidence=(0.0,) * 5 + (-3.0,))
    args = (ranking.score, ranking.margin, 1, evidence)
    assert doubtful.confidence(*args) < plain.confidence(*args)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("NBC (WCAU) Philadelphia, PA HD", CallSign("WCAU", 1, True)),
        ("ABC (WXYZ-DT2) Detroit, MI", CallSign("WXYZ", 2, True)),
        ("WPBN-DT2", CallSign("WPBN", 2, True)),
        ("KNXV", CallSign("KNXV", 1, False)),
        ("WGN (WGN-TV) Chicago", CallSign("WGN", 1, True)),
        ("CNN", None),
        ("Kiss TV", None),
        ("KIDSCO", None),
    ],
)
def test_parse_call_sign(name: str, expected: CallSign | None) -> None:
    assert parse_call_sign(name) == expected


def test_station_key_reads_registry_names() -> None:
    assert station_key("WCAU 10.3") == ("WCAU", 3, 10)
    assert station_key("KABC-TV 7.1") == ("KABC", 1, 7)
    assert station_key("WZZM-DT8") == ("WZZM", 8, 0)
    assert station_key("KISS") is None
    assert station_key("Canal 10") is None


_LETTERS = st.sampled_from("KWC")
_CAPS = st.text(alphabet=st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), min_size=3, max_size=3)


@given(_LETTERS, _CAPS, st.integers(1, 99), st.text(max_size=30))
def test_parse_call_sign_reads_any_marked_sub_channel(
    first: str, rest: str, sub: int, around: str
) -> None:
    call = first + rest
    found = parse_call_sign(f"NET ({call}-DT{sub}) {around}")
    assert found == CallSign(call, sub, True)


@given(st.text(max_size=60))
def test_parse_call_sign_never_fails(text: str) -> None:
    found = parse_call_sign(text)
    assert found is None or (found.call[0] in "KWC" and found.subchannel >= 0)


def test_rebroadcast_transmitter_is_no_sub_channel() -> None:
    # Canadian "CHBC-DT-1" is a transmitter of its own in iptv-org, not sub-channel 1.
    assert parse_call_sign("CAN: CHBC-DT-1 HD") is None


def test_guide_calibration_weighs_every_evidence_feature() -> None:
    from castwatch.identify.channels.ranking import GUIDE_CALIBRATION

    assert len(GUIDE_CALIBRATION.weight_evidence) == len(EVIDENCE)
    matcher = ChannelMatcher.build(registry(), COUNTRIES, regions=REGIONS,
                                   calibration=GUIDE_CALIBRATION)  # fmt: skip
    assert matcher.match("Sol TV", country="MX").target_id == "Sol.mx"
