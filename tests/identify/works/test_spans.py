"""Shorter readings of a name whose tags the parser does not know: what may go, what stays."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from castwatch.identify.works.spans import MAX_DROPPED_WORDS, MAX_READINGS, trimmed_readings
from castwatch.identify.works.titles import parse_title


def readings(raw: str) -> list[tuple[str, int | None, int]]:
    parsed = parse_title(raw)
    return [tuple(reading) for reading in trimmed_readings(parsed.head, parsed.year)]  # type: ignore[misc]


@pytest.mark.parametrize(
    ("raw", "title", "dropped"),
    [
        # A bracket of words that are no title's (the parser keeps [Rec]).
        ("🎬 Rocky 2 720p HDTV (2 Liens)", "Rocky 2", 0),
        ("|NETFLIX| VF HQ [Uptobox] La Lettre Sauvage 1994", "La Lettre Sauvage", 0),
        # Odd capitals no title word has.
        ("«FR» The Hidden Promise iTunes", "The Hidden Promise", 0),
        ("🇫🇷 The Last Star iTALiAN", "The Last Star", 0),
        # Unknown words in capitals, in a mixed-case name, that touch a known tag.
        ("||AR|| The Magnificent Seven FULL HD 720p", "The Magnificent Seven", 1),
        ("ES| ULTRA HD NORDiC Train to Busan (2016)", "Train to Busan", 1),
        ("⟦FR⟧ Sweet Lions DOLBY VISION MULTI-Tlam", "Sweet Lions", 2),
        ("LEGENDADO VFF-Tlam Y Tu Mamá También", "Y Tu Mamá También", 1),
        # A glued release group and an age rating.
        ("FR| IMAX GERMAN LIGHT ★★★-EXTREME Prison Break {2005}", "Prison Break", 1),
        ("The Thing +18 [Uptobox]", "The Thing", 0),
    ],
)
def test_junk_the_parser_does_not_know_is_left_out(raw: str, title: str, dropped: int) -> None:
    found = {reading[0]: reading[2] for reading in readings(raw)}
    assert found.get(title) == dropped


@pytest.mark.parametrize(
    ("raw", "never"),
    [
        ("Toy.Story.4.VOST", "Toy Story"),  # a sequel number is never junk
        ("✪ Garden of the Widow 2 IMAX", "Garden of the Widow"),
        ("[MULTI] The Thief's Mountain 2024 | Remastered", "Mountain"),  # nor an article
        ("4K-FR ▸ Hunter & Wolf [10bit-W4F]", "Hunter"),  # nor half of "A & B"
        ("Love Kari Dorta (2003) MULTI", "Love Kari"),  # next to the year only: a title word
        ("Kari Dorta 2003 MULTI", "Kari"),
        # A word in the title's own case may be what makes it another title (issue 13).
        ("Wind.Chill.2007.1080p.BluRay.x264", "Wind"),
        ("Paper Heart (2009) MULTI", "Paper"),
        ("Big Little Lies [VOSTFR] HD", "Big"),
        ("Super Fuzz [VOSTFR] HD", "Super"),
        ("||AR|| The Magnificent Seven Full HD 720p", "The Magnificent Seven"),
        ("⟦FR⟧ Sweet Lions Dolby Vision MULTI-Tlam", "Sweet Lions"),
        # In a name all in capitals, capitals say nothing: nothing plain is left out.
        ("THE MAGNIFICENT SEVEN FULL HD 720P", "THE MAGNIFICENT SEVEN"),
    ],
)
def test_title_words_stay(raw: str, never: str) -> None:
    assert never not in [reading[0] for reading in readings(raw)]


def test_the_year_goes_with_the_reading_unless_the_reading_holds_it() -> None:
    assert ("Train to Busan", 2016, 1) in readings("ULTRA HD NORDiC Train to Busan (2016)")
    assert readings("Space 1999") == []  # nothing to trim: the parser's alternatives do it


def test_readings_are_ordered_fewest_dropped_words_then_most_words() -> None:
    found = readings("⟦FR⟧ Sweet Lions DOLBY VISION MULTI-Tlam")
    keys = [(reading[2], -len(reading[0].split())) for reading in found]
    assert keys == sorted(keys)


_WORD = st.text(alphabet="bgjkqwzaeiou", min_size=2, max_size=8)
_JUNK = st.sampled_from(["MULTI", "1080p", "(2 Liens)", "[Uptobox]", "iTunes", "+18", "|", "-"])


@given(words=st.lists(_WORD | _JUNK, max_size=14), year=st.none() | st.integers(1950, 2024))
@settings(max_examples=300, deadline=None)
def test_readings_are_spans_of_the_name_within_the_limits(
    words: list[str], year: int | None
) -> None:
    head = " ".join(words)
    found = trimmed_readings(head, year)
    assert len(found) <= MAX_READINGS
    assert len({reading.title for reading in found}) == len(found)
    for reading in found:
        assert reading.title and reading.title in head
        assert 0 <= reading.dropped_words <= MAX_DROPPED_WORDS
        assert reading.year in (year, None)


# Title words of letters no tag uses, and junk the parser's lists do not hold: shapes only.
_TITLE_WORD = st.text(alphabet="bgjkqwz", min_size=3, max_size=8).map(str.capitalize)
_UNKNOWN_JUNK = st.sampled_from(["iTunesX", "(Zz Liens)", "[Zupbox]", "+16", "NORDiCX", "-GrpX"])


@given(
    prefix=st.sampled_from(["", "FR - ", "|FR| ", "[FR] ", "VOD| "]),
    words=st.lists(_TITLE_WORD, min_size=1, max_size=4),
    year=st.none() | st.integers(1950, 2024),
    junk=st.lists(_UNKNOWN_JUNK, min_size=1, max_size=3),
    tags=st.lists(st.sampled_from(["MULTI", "1080p", "x265", "VFF"]), max_size=2, unique=True),
)
@settings(max_examples=200, deadline=None)
def test_a_title_with_unknown_junk_after_it_has_a_reading_of_the_title_alone(
    prefix: str, words: list[str], year: int | None, junk: list[str], tags: list[str]
) -> None:
    title = " ".join(words)
    raw = f"{prefix}{title}{f' ({year})' if year else ''} {' '.join(junk + tags)}"
    parsed = parse_title(raw)
    titles = [reading.title for reading in trimmed_readings(parsed.head, parsed.year)]
    assert parsed.title == title or title in titles
