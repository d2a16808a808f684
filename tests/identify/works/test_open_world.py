"""Open-world abstention (issue 13): most of a pirate catalogue is in no registry.

The registries here are written for the tests: a few hundred filler titles of invented words
(so that word frequencies mean something) and the titles each rule is about.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from castwatch.catalog.registry import WorkKind, WorkRecord
from castwatch.identify.works.matcher import WorkMatcher
from castwatch.identify.works.rules import MIN_TITLE_BITS

FILM = WorkKind.FILM
_SYLLABLES = ("ka", "lo", "mi", "ren", "tu", "zor", "vel", "qui", "bra", "nox", "pel", "dri")


def _filler(count: int, seed: int = 5) -> list[WorkRecord]:
    rng = random.Random(seed)
    works = []
    for number in range(count):
        words = [
            "".join(rng.choice(_SYLLABLES) for _ in range(3)).capitalize()
            for _ in range(rng.randint(1, 4))
        ]
        works.append(WorkRecord(f"filler-{number}", " ".join(words), FILM, 1950 + number % 70))
    return works


NAMED = [
    WorkRecord("the-web", "The Web", FILM, 1947),
    WorkRecord("wind", "Wind", FILM, 1992),
    WorkRecord("the-paper", "The Paper", FILM, 1994),
    WorkRecord("alien", "Alien", FILM, 1979),
    WorkRecord("upgrade", "Upgrade", FILM, 2018),
    WorkRecord("convoy", "Convoy", FILM, 1978),
    WorkRecord("island-2005", "The Island", FILM, 2005),
    WorkRecord("hunger", "Hunger", FILM, 2008),
    WorkRecord(
        "assassination", "The Assassination of Jesse James by the Coward Robert Ford", FILM, 2007
    ),
]


@pytest.fixture(scope="module")
def matcher() -> WorkMatcher:
    return WorkMatcher.build([*_filler(600), *NAMED])


@pytest.mark.parametrize(
    ("name", "never"),
    [
        # A release tag is never a title word.
        ("Departures.FRENCH.2160p.WEB.x264", "the-web"),
        ("Departures (2008) MULTi WEB-DL", "the-web"),
        # Title words are never dropped to reach a shorter title.
        ("Wind.Chill.2007.1080p.BluRay.x264", "wind"),
        ("Wind Chill (1992) [VOSTFR] HD", "wind"),
        ("Paper Heart (1994) MULTI", "the-paper"),
        ("Alien from L.A. (1979)", "alien"),
        ("Alien from L.A. 1979 NF WEB-DL", "alien"),
        # A typo of a short common title is another film: Hanger is not Hunger.
        ("Hanger.2008.FRENCH.720p.HDTV", "hunger"),
    ],
)
def test_names_of_absent_works_get_no_answer(matcher: WorkMatcher, name: str, never: str) -> None:
    found = matcher.match(name)
    assert found.target_id != never
    assert found.target_id is None


@pytest.mark.parametrize("name", ["Upgrade", "FR| Convoy MULTi 1080p", "The Island HDTV"])
def test_a_common_title_without_a_year_is_only_a_candidate(matcher: WorkMatcher, name: str) -> None:
    found = matcher.match(name)
    assert found.target_id is None
    assert found.why["candidate"] is not None
    assert found.confidence < matcher.threshold
    assert "common" in found.why["note"]


def test_a_year_that_disagrees_confirms_nothing(matcher: WorkMatcher) -> None:
    assert matcher.match("The Island (2005)").target_id == "island-2005"
    off = matcher.match("The Island (2006)")  # another film of that name
    assert (off.target_id, off.why["candidate"]) == (None, "island-2005")
    assert matcher.match("Upgrade", "film", 2018).target_id == "upgrade"


def test_a_rare_long_title_is_answered_without_a_year(matcher: WorkMatcher) -> None:
    name = "FR| The Assassination of Jesse James by the Coward Robert Ford MULTi"
    assert matcher.match(name).target_id == "assassination"


def test_specificity_grows_with_rare_words_and_shrinks_with_namesakes(
    matcher: WorkMatcher,
) -> None:
    one = matcher.specificity("Upgrade")
    assert one < MIN_TITLE_BITS
    assert matcher.specificity("Upgrade Kalomi Zorvel") > one
    long = matcher.specificity("The Assassination of Jesse James by the Coward Robert Ford")
    assert long >= MIN_TITLE_BITS
    twins = WorkMatcher.build(
        [*_filler(600), WorkRecord("a", "Zzq", FILM, 1990), WorkRecord("b", "Zzq", FILM, 2000)]
    )
    assert twins.specificity("Zzq") < matcher.specificity("Zzq")


_TAGS = st.sampled_from(
    ["MULTi", "1080p", "WEB", "NF", "AMZN", "HDTV", "x264", "FRENCH", "2160p", "VOSTFR", "HEVC"]
)
_WORD = st.text(alphabet="bdfgklmnprstvz", min_size=3, max_size=7).map(str.capitalize)


@given(extra=_WORD, tags=st.lists(_TAGS, min_size=1, max_size=4), dotted=st.booleans())
@settings(max_examples=150, deadline=None)
def test_a_longer_title_never_resolves_to_its_first_words(
    matcher: WorkMatcher, extra: str, tags: list[str], dotted: bool
) -> None:
    # "Wind <Word>" is not "Wind", whatever tags follow and however the name is written.
    words = ["Wind", extra, "1992", *tags]
    name = ".".join(words) if dotted else " ".join(words)
    assert matcher.match(name).target_id != "wind"


@given(tags=st.lists(_TAGS, min_size=1, max_size=4), prefix=st.sampled_from(["", "FR| ", "[EN] "]))
@settings(max_examples=150, deadline=None)
def test_tags_are_never_title_words(matcher: WorkMatcher, tags: list[str], prefix: str) -> None:
    # A name that is only tags names no work, however many of them there are.
    assert matcher.match(prefix + " ".join(tags)).target_id is None
    # And a known title keeps its answer whatever tags surround it.
    name = (
        f"{prefix}The Assassination of Jesse James by the Coward Robert Ford 2007 {' '.join(tags)}"
    )
    assert matcher.match(name).target_id == "assassination"
