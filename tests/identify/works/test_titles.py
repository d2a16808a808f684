"""Pirate film and episode names: every tag family, year and episode form, then properties."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from castwatch.identify.works.keys import strict_key, title_key
from castwatch.identify.works.titles import ParsedTitle, parse_title


def tags_of(parsed: ParsedTitle) -> set[str]:
    return {f"{tag.family}:{tag.text}" for tag in parsed.tags}


@pytest.mark.parametrize(
    ("raw", "title", "year"),
    [
        ("The Batman (2022)", "The Batman", 2022),
        ("The Batman [2022]", "The Batman", 2022),
        ("The Batman - 2022", "The Batman", 2022),
        ("The Batman 2022", "The Batman", 2022),
        ("The Batman {2022} MULTI", "The Batman", 2022),
        ("1917", "1917", None),
        ("1917 (2019)", "1917", 2019),
        ("2012 2009", "2012", 2009),
        ("1984 (1984)", "1984", 1984),
        ("Blade Runner 2049", "Blade Runner 2049", None),
        ("Blade Runner 2049 (2017) MULTI", "Blade Runner 2049", 2017),
        ("2001: A Space Odyssey (1968)", "2001: A Space Odyssey", 1968),
        ("IT - 2017", "IT", 2017),
        ("Apollo 13 1995 VF", "Apollo 13", 1995),
    ],
)
def test_years(raw: str, title: str, year: int | None) -> None:
    parsed = parse_title(raw)
    assert (parsed.title, parsed.year) == (title, year)


def test_a_bare_trailing_year_keeps_the_other_reading() -> None:
    parsed = parse_title("Space 1999")
    assert (parsed.title, parsed.year) == ("Space", 1999)
    assert ("Space 1999", None) in parsed.alternatives


@pytest.mark.parametrize(
    ("raw", "season", "episode"),
    [
        ("Lupin S01E03", 1, 3),
        ("Lupin S01 E03", 1, 3),
        ("Lupin s1e3", 1, 3),
        ("Lupin S01.E03", 1, 3),
        ("Lupin S01 EP03", 1, 3),
        ("Lupin S01E03E04", 1, 3),
        ("Lupin S01xE03", 1, 3),
        ("Lupin 1x03", 1, 3),
        ("Lupin Saison 1 Épisode 3", 1, 3),
        ("Lupin Season 1 Episode 3", 1, 3),
        ("Lupin Temporada 1 Capitulo 3", 1, 3),
        ("Lupin T1 E3", 1, 3),
        ("Lupin Staffel 1 Folge 3", 1, 3),
        ("Lupin EP03", None, 3),
        ("Lupin Episode 3", None, 3),
        ("Lupin [S01E03] MULTI", 1, 3),
        ("الهيبة الموسم 1 الحلقة 3", 1, 3),
        ("الهيبة الموسم الثاني الحلقة 5", 2, 5),
        ("الهيبة الحلقة ٣", None, 3),
    ],
)
def test_episode_markers(raw: str, season: int | None, episode: int) -> None:
    parsed = parse_title(raw)
    assert parsed.title in ("Lupin", "الهيبة")
    assert (parsed.season, parsed.episode, parsed.kind_hint) == (season, episode, "episode")


def test_episode_title_and_series_year() -> None:
    parsed = parse_title("Doctor Who (2005) S01E01 - Rose MULTI 1080p")
    assert (parsed.title, parsed.year, parsed.episode_title) == ("Doctor Who", 2005, "Rose")
    assert {"language:MULTI", "quality:1080p"} <= tags_of(parsed)


def test_season_alone_is_a_series() -> None:
    parsed = parse_title("Peaky Blinders Season 6 VOSTFR")
    assert (parsed.title, parsed.season, parsed.episode) == ("Peaky Blinders", 6, None)
    assert parsed.kind_hint == "series"


def test_a_name_that_only_looks_like_an_episode_stays_whole() -> None:
    assert parse_title("Episode 50").title == "Episode 50"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Dune MULTI VOSTFR VF VFF TRUEFRENCH SUBFRENCH", {"language:MULTI", "language:VFF"}),
        ("Dune 1080p 4K UHD HDR10 DV x265 HEVC WEB-DL", {"quality:HDR10", "quality:WEB-DL"}),
        ("Dune BluRay 720p AAC DDP5.1 Atmos", {"quality:BluRay", "quality:DDP5.1"}),
        ("Dune CAM", {"quality:CAM"}),
        ("Dune (2021) مترجم", {"language:مترجم", "year:2021"}),
        ("Dune 2021 1080p.x265-RARBG", {"group:RARBG", "year:2021"}),
        ('Dune "Extended Cut" (2021)', {"edition:Extended Cut"}),
        ("Dune Director's Cut 2021", {"edition:Director's Cut"}),
        ("Dune (2021) [MULTI 1080p]", {"language:MULTI", "quality:1080p"}),
    ],
)
def test_tag_families(raw: str, expected: set[str]) -> None:
    parsed = parse_title(raw)
    assert parsed.title == "Dune"
    assert expected <= tags_of(parsed)


@pytest.mark.parametrize(
    "raw",
    [
        "FR - Dune",
        "FR| Dune",
        "|FR| Dune",
        "[FR] Dune",
        "FR: Dune",
        "FR:Dune",
        "VOD| Dune",
        "VOD FR - Dune",
        "NF - Dune",
        "AMZ - Dune",
        "4K-FR - Dune",
        "★ FR ★ Dune ★",
        "FR ▸ Dune",
        "«FR» Dune",
        "MULTI 4K Dune",
        "EN| Dune 1080p",
    ],
)
def test_prefixes(raw: str) -> None:
    assert parse_title(raw).title == "Dune"


@pytest.mark.parametrize(
    ("raw", "title"),
    [
        ("Us (2019)", "Us"),
        ("US - Nope (2022)", "Nope"),
        ("It (2017)", "It"),
        ("Top Gun (1986)", "Top Gun"),
        ("New Amsterdam S01E01", "New Amsterdam"),
        ("The English (2022)", "The English"),
        ("The French Connection (1971) FRENCH", "The French Connection"),
        ("THE FRENCH CONNECTION", "THE FRENCH CONNECTION"),
        ("[Rec] (2007)", "[Rec]"),
        ("Serial (Bad) Weddings (2014)", "Serial (Bad) Weddings"),
        ("The.Batman.2022.MULTi.1080p.WEB-DL.x265-GROUP", "The Batman"),
        ("Dracula.VOSTFR", "Dracula"),
    ],
)
def test_words_that_look_like_tags_stay(raw: str, title: str) -> None:
    assert parse_title(raw).title == title


def test_kind_hints() -> None:
    assert parse_title("FILM: Dune (2021)").kind_hint == "film"
    assert parse_title("SERIES | Dune").kind_hint == "series"
    assert parse_title("Dune (2021)").kind_hint is None


def test_other_readings_for_the_matcher() -> None:
    bilingual = parse_title("Le Parrain / The Godfather (1972)")
    assert ("The Godfather", 1972) in bilingual.alternatives
    junk = parse_title("Emma. [Lien 2]")
    assert ("Emma.", None) in junk.alternatives


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("The Batman", "Batman, The"),
        ("The Batman", "BATMAN"),
        ("Fast & Furious", "Fast and Furious"),
        ("Fast & Furious", "Fast Furious"),  # the & stripped with the punctuation
        ("Song et Village", "Song y Village"),
        ("Amélie", "Amelie"),
        ("Spider-Man", "Spiderman"),
        ("Rocky II", "Rocky 2"),
        ("Dune: Part Two", "Dune Partie 2"),
        ("Ocean's Eleven", "Oceans 11"),
        ("L'Amour", "L Amour"),
        ("الْهَيْبَة", "الهيبة"),
        ("Alien³", "Alien 3"),
    ],
)
def test_title_keys_meet(one: str, other: str) -> None:
    assert title_key(one) == title_key(other)


def test_title_keys_keep_apart() -> None:
    assert title_key("Rocky II") != title_key("Rocky III")
    assert title_key("Alien") != title_key("Aliens")
    assert title_key("Hunter x Hunter") != title_key("Hunter 10 Hunter")
    assert strict_key("The Batman") != strict_key("Batman")


# Words made of letters no tag uses, so that a composed name's title is known exactly.
_TITLE_WORD = st.text(alphabet="bgjkqwz", min_size=3, max_size=8).map(str.capitalize)
_TAG = st.sampled_from(
    ["MULTI", "VOSTFR", "1080p", "x265", "WEB-DL", "TRUEFRENCH", "HDR", "4K", "VFF", "BluRay"]
)
_PREFIX = st.sampled_from(["", "FR - ", "|FR| ", "[FR] ", "VOD| ", "NF - ", "4K-FR - "])


@given(
    prefix=_PREFIX,
    words=st.lists(_TITLE_WORD, min_size=1, max_size=4),
    year=st.none() | st.integers(1950, 2024),
    tags=st.lists(_TAG, max_size=4, unique=True),
)
@settings(max_examples=200, deadline=None)
def test_composed_names_come_apart(
    prefix: str, words: list[str], year: int | None, tags: list[str]
) -> None:
    title = " ".join(words)
    raw = f"{prefix}{title}{f' ({year})' if year else ''} {' '.join(tags)}".strip()
    parsed = parse_title(raw)
    assert parsed.title == title
    assert parsed.year == year
    assert {tag.text for tag in parsed.tags} >= set(tags)


def _occurrences(text: str, word: str) -> int:
    pattern = rf"(?<![^\W_]){re.escape(word.casefold())}(?![^\W_])"
    return len(re.findall(pattern, text.casefold()))


@given(st.text(max_size=80))
@settings(max_examples=500, deadline=None)
def test_parse_never_fails_and_never_keeps_what_it_removed(raw: str) -> None:
    parsed = parse_title(raw)
    assert isinstance(parsed.title, str)
    assert parsed.year is None or 1888 <= parsed.year <= 2100
    # What the parser says it removed is gone: the title holds fewer of each tag than the
    # name did (the name read as the parser reads it: NFKC, underscores and stars as spaces).
    seen = unicodedata.normalize("NFKC", raw).replace("_", " ").replace("*", " ")
    removed: dict[str, int] = {}
    for tag in parsed.tags:
        if any(char.isalnum() for char in tag.text):
            removed[tag.text.casefold()] = removed.get(tag.text.casefold(), 0) + 1
    for text, count in removed.items():
        assert _occurrences(parsed.title, text) <= _occurrences(seen, text) - count


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
@settings(max_examples=300, deadline=None)
def test_keys_are_letters_and_digits_whatever_the_case(raw: str) -> None:
    key = title_key(raw)
    assert all(char.isalnum() for char in key)
    if raw.isascii():
        assert title_key(raw.upper()) == key == title_key(raw.lower())
