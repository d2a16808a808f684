"""Channel-name normalisation: prefixes, tags, letter styles, scripts, abbreviations."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from castwatch.identify.channels.abbreviations import ABBREVIATIONS, ANY_NUMBER, expand
from castwatch.identify.channels.names import (
    normalize_channel_name,
    normalize_registry_name,
    transliterate,
)


@pytest.mark.parametrize(
    "raw",
    [
        "FR| TF1", "|FR| TF1", "FR: TF1", "FR:TF1", "[FR] TF1", "FR - TF1", "┃FR┃ TF1",
        "FR ➤ TF1", "(FR) TF1", "FR▎TF1", "🇫🇷 TF1", "FR_TF1", "FR •| TF1", "«FR» TF1",
        "FR » TF1", "FRANCE | TF1", "FRA: TF1", "FR TF1", "TF1 FR", "TF1 (FR)", "TF1 [FR]",
        "#FR TF1", "【FR】TF1", "FR-TF1",
    ],
)  # fmt: skip
def test_every_prefix_form_gives_the_country(raw: str) -> None:
    name = normalize_channel_name(raw)
    assert name.tokens == ("tf1",)
    assert "FR" in name.countries


def test_language_and_region_codes() -> None:
    arabic = normalize_channel_name("|AR| BEIN SPORTS 1")
    assert arabic.tokens == ("bein", "sports", "1")
    assert "ara" in arabic.languages and "ARAB" in arabic.regions
    assert normalize_channel_name("EN| BBC ONE").languages == ("eng",)
    balkan = normalize_channel_name("EX-YU: RTS 1")
    assert balkan.tokens == ("rts", "1") and "RS" in balkan.countries
    assert normalize_channel_name("«UNITED KINGDOM» ITV 1").countries == ("UK",)
    assert normalize_channel_name("ITV3 (UNITED KINGDOM)").countries == ("UK",)


@pytest.mark.parametrize(
    ("raw", "tags"),
    [
        ("TF1 HD", ("HD",)), ("TF1 FHD HEVC", ("FHD", "HEVC")), ("TF1 H.265", ("H265",)),
        ("TF1 ᴴᴰ", ("HD",)), ("TF1 ᵁᴴᴰ", ("UHD",)), ("TF1 ᴿᴬᵂ", ("RAW",)),
        ("TF1 50FPS", ("50FPS",)), ("TF1 1080P", ("1080P",)), ("TF1 (BACKUP 2)", ("BACKUP",)),
        ("TF1 FULL HD", ("FHD",)), ("TF1 4K", ("4K",)), ("TF1 B", ("BACKUP",)),
        ("VIP| TF1 MULTI-AUDIO", ("VIP", "MULTIAUDIO")), ("TF1 S2", ("SERVER",)),
        ("TF1 [LIVE]", ("LIVE",)), ("TF1 ʜᴅ", ("HD",)), ("TF1 🅷🅳", ("HD",)),
    ],
)  # fmt: skip
def test_quality_and_copy_tags_are_removed_and_kept(raw: str, tags: tuple[str, ...]) -> None:
    name = normalize_channel_name(raw)
    assert name.tokens == ("tf1",)
    assert name.tags == tags


def test_tags_only_count_where_they_are_tags() -> None:
    assert normalize_channel_name("WWE RAW TV").tokens == ("wwe", "raw", "tv")
    assert normalize_channel_name("beIN 4K").tokens == ("bein",)
    # A name that is nothing but a tag keeps it as its name.
    assert normalize_channel_name("HD").tokens == ("hd",)


def test_timeshift_is_a_flag_not_a_token() -> None:
    for raw in ("M6 +1", "[FR] M6 +1", "M6 (+1)", "M6+1 HD"):
        name = normalize_channel_name(raw)
        assert name.tokens == ("m6",) and name.timeshift == 1, raw
    assert normalize_channel_name("E4 +2").timeshift == 2
    one_plus_one = normalize_channel_name("1+1")
    assert one_plus_one.timeshift is None
    assert one_plus_one.tokens == ("1", "plus", "1")


@pytest.mark.parametrize(
    "raw",
    ["ᴄᴀɴᴀʟ+ ꜱᴘᴏʀᴛ", "𝐂𝐀𝐍𝐀𝐋+ 𝐒𝐏𝐎𝐑𝐓", "ＣＡＮＡＬ+ ＳＰＯＲＴ", "ⓒⓐⓝⓐⓛ+ ⓢⓟⓞⓡⓣ", "🅲🅰🅽🅰🅻+ 🆂🅿🅾🆁🆃",
     "Canal+ Sport", "CANAL PLUS SPORT", "canal + sport", "CANAL+ SPORT ᴴᴰ"],
)  # fmt: skip
def test_letter_styles_fold_to_the_same_tokens(raw: str) -> None:
    assert normalize_channel_name(raw).tokens == ("canal", "plus", "sport")


def test_accents_case_and_joined_words() -> None:
    assert normalize_channel_name("L'ÉQUIPE").tokens == ("lequipe",)
    assert normalize_channel_name("L EQUIPE").key == "lequipe"
    assert normalize_channel_name("CANALPLUS").key == normalize_channel_name("Canal +").key
    assert normalize_channel_name("Movistar Plus+").tokens == ("movistar", "plus")
    assert normalize_channel_name("La Chaîne Météo").tokens == ("la", "chaine", "meteo")


def test_arabic_letter_variants_meet() -> None:
    plain = normalize_channel_name("الجزيره").tokens
    for raw in ("الجزيرة", "الجـزيرة", "الْجَزِيرَة", "ٱلجزيرة"):
        assert normalize_channel_name(raw).tokens == plain, raw
    assert normalize_channel_name("أبوظبي").tokens == normalize_channel_name("ابوظبي").tokens
    assert normalize_channel_name("إم بي سي").tokens == ("ام", "بي", "سي")
    assert normalize_channel_name("بي ان سبورت ١").tokens[-1] == "1"
    # The LRM that iptv-org leaves after some Arabic names is not part of them.
    assert normalize_channel_name("الجزيرة\u200e").tokens == plain


def test_cyrillic_is_kept_and_transliterated() -> None:
    name = normalize_channel_name("Россия 1")
    assert name.tokens == ("россия", "1")
    assert ("rossiya", "1") in [v.tokens for v in name.variants]
    assert transliterate(("первыи", "канал")) == ("pervyi", "kanal")


@pytest.mark.parametrize(
    ("raw", "expanded"),
    [
        ("NAT GEO WILD", ("national", "geographic", "wild")),
        ("SS FOOTBALL", ("sky", "sports", "football")),
        ("C+ SPORT", ("canal", "plus", "sport")),
        ("BT 1", ("bt", "sport", "1")),
        ("SKY SPORTS PL", ("sky", "sports", "premier", "league")),
        ("FR 2", ("france", "2")),
        ("بي ان سبورت 1", ("bein", "sports", "1")),
    ],
)
def test_abbreviations_become_variants(raw: str, expanded: tuple[str, ...]) -> None:
    assert expanded in [v.tokens for v in normalize_channel_name(raw).variants]


@pytest.mark.parametrize("rule", ABBREVIATIONS, ids=lambda rule: rule.name)
def test_every_abbreviation_fires_and_says_why(rule: object) -> None:
    from castwatch.identify.channels.abbreviations import Abbreviation

    assert isinstance(rule, Abbreviation)
    assert rule.reason.endswith(".") and len(rule.reason) > 15
    tokens = tuple("7" if t == ANY_NUMBER else t for t in rule.pattern)
    expanded, applied = expand(tokens)
    assert rule.name in applied
    assert expanded != tokens


def test_bare_codes_are_tried_both_ways() -> None:
    name = normalize_channel_name("TF1 FR")
    assert name.tokens == ("tf1",) and name.countries == ("FR",)
    assert ("tf1", "fr") in [v.tokens for v in name.variants]
    # A hyphen with no space glues words; "AL" here is no country.
    assert normalize_channel_name("AL-JAZEERA").tokens == ("al", "jazeera")
    assert normalize_channel_name("FR 2").tokens == ("fr", "2")
    # Registry names keep their country words: they are part of the name there.
    assert normalize_registry_name("Rotana Cinema KSA").tokens == ("rotana", "cinema", "ksa")
    assert normalize_channel_name("Rotana Cinema KSA").tokens == ("rotana", "cinema")


def test_section_headers_are_recognised() -> None:
    for raw in ("##### FRANCE #####", "===== UK SPORTS =====", "★★★ ARABIC ★★★", "|| KIDS ||"):
        assert normalize_channel_name(raw).header, raw
    for raw in ("** TF1 HD **", "★ FR ★ BEIN SPORTS 1 ★", "TF1"):
        assert not normalize_channel_name(raw).header, raw


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=80))
def test_normalize_never_fails(raw: str) -> None:
    name = normalize_channel_name(raw)
    assert all(token and " " not in token for token in name.tokens)
    assert all(variant.tokens for variant in name.variants)
    assert name.timeshift is None or 0 < name.timeshift <= 72


_PANEL_TEXT = st.text(
    alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyz0123456789 +|:-[]()ᴀᴴᴰéالجزيرة")),
    max_size=40,
)


@settings(max_examples=400, deadline=None)
@given(_PANEL_TEXT)
def test_normalized_tokens_are_a_fixed_point(raw: str) -> None:
    # The tokens of a name are already normal: normalising them again changes nothing.
    tokens = normalize_channel_name(raw).tokens
    assert normalize_channel_name(" ".join(tokens)).tokens == tokens


def test_camel_case_is_also_read_split() -> None:
    # Guides short of columns run words together: the split reading is a variant, with its
    # rule, and the name as written stays the first reading.
    name = normalize_channel_name("SkySpMainEv")
    assert name.tokens == ("skyspmainev",)
    readings = {v.tokens: v.rules for v in name.variants}
    assert readings[("sky", "sp", "main", "ev")] == ("camel case split",)
    assert ("sky", "sports", "main", "ev") in readings
    assert normalize_channel_name("ComedyCentHD").tags == ("HD",)
    assert not normalize_channel_name("SKY NEWS").variants  # no case change, no split


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aAbBcCdD xX+1")), max_size=30))
def test_camel_split_variants_are_never_empty(raw: str) -> None:
    name = normalize_channel_name(raw)
    assert all(variant.tokens and variant.rules for variant in name.variants)
