"""The works matcher: years, remakes, kinds, ids, episodes, abstention, storage, properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from castwatch.catalog.registry import WorkKind, WorkRecord
from castwatch.errors import RegistryError
from castwatch.identify.works import forked as works_forked
from castwatch.identify.works import index as works_index
from castwatch.identify.works.entries import within_edits
from castwatch.identify.works.matcher import TitleQuery, WorkMatcher

FILM, SERIES = WorkKind.FILM, WorkKind.SERIES
WORKS = [
    WorkRecord("dune-1984", "Dune", FILM, 1984),
    WorkRecord("dune-2021", "Dune: Part One", FILM, 2021, external_ids={"tmdb": "438631"}),
    WorkRecord("dune-2024", "Dune: Part Two", FILM, 2024),
    WorkRecord("batman-1989", "Batman", FILM, 1989),
    WorkRecord("the-batman-2022", "The Batman", FILM, 2022, external_ids={"imdb": "tt1877830"}),
    WorkRecord("kong-1976", "King Kong", FILM, 1976),
    WorkRecord("kong-2005", "King Kong", FILM, 2005),
    WorkRecord("fargo-film", "Fargo", FILM, 1996),
    WorkRecord("fargo-series", "Fargo", SERIES, 2014, external_ids={"tmdb": "60622"}),
    WorkRecord("rocky-2", "Rocky II", FILM, 1979),
    WorkRecord("amelie", "Amélie", FILM, 2001, "Le Fabuleux Destin d'Amélie Poulain"),
    WorkRecord("hayba", "Al Hayba", SERIES, 2017, "الهيبة"),
    WorkRecord("lupin", "Lupin", SERIES, 2021),
    WorkRecord("harry", "Harry Potter and the Sorcerer's Stone", FILM, 2001),
    WorkRecord("winter", "Winter of the Mountain", FILM, 2009),
    WorkRecord("no-year", "The Undated", FILM, None),
]


@pytest.fixture(scope="module")
def matcher() -> WorkMatcher:
    return WorkMatcher.build(iter(WORKS))  # any iterable: a generator streams through


def answer(matcher: WorkMatcher, *query: object) -> str | None:
    return matcher.match(*query).target_id  # type: ignore[arg-type]


def test_exact_title_and_year(matcher: WorkMatcher) -> None:
    found = matcher.match("VOD| The Batman (2022) [MULTI] 1080p")
    assert (found.target_kind, found.target_id) == ("work", "the-batman-2022")
    assert found.confidence >= matcher.threshold
    assert found.why["rule"] == "title"
    assert found.why["parsed"]["title"] == "The Batman"
    assert "language:MULTI" in found.why["tags"]


def test_year_tolerance(matcher: WorkMatcher) -> None:
    exact = matcher.match("King Kong (2005)")
    off_by_one = matcher.match("King Kong (2006)")
    assert exact.target_id == off_by_one.why["candidate"] == "kong-2005"
    assert off_by_one.why["year_delta"] == 1
    assert off_by_one.confidence < exact.confidence
    # A year one off confirms nothing: a common title is then left unanswered (issue 13),
    # a rare one is still answered.
    assert off_by_one.target_id is None
    assert answer(matcher, "Harry Potter and the Sorcerer's Stone (2002)") == "harry"
    far = matcher.match("King Kong (1933)")  # the original is not in the catalogue
    assert far.target_id is None
    assert {r["id"] for r in far.why["rejected"]} == {"kong-1976", "kong-2005"}


def test_remakes_told_apart_by_year(matcher: WorkMatcher) -> None:
    assert answer(matcher, "King Kong 1976 VOSTFR") == "kong-1976"
    assert answer(matcher, "King Kong", "film", 2005) == "kong-2005"  # year from the source


def test_abstains_when_remakes_share_a_title_and_no_year_says_which(
    matcher: WorkMatcher,
) -> None:
    found = matcher.match("King Kong MULTI")
    assert found.target_id is None
    assert found.why["abstained"]
    assert found.why["candidate"] in ("kong-1976", "kong-2005")
    assert len(found.why["candidates"]) == 2


def test_the_title_as_written_breaks_a_tie(matcher: WorkMatcher) -> None:
    assert matcher.match("The Batman", "film").why["candidate"] == "the-batman-2022"
    assert answer(matcher, "Batman, The (2022)") == "the-batman-2022"
    assert answer(matcher, "Batman (1989)") == "batman-1989"


def test_main_title_before_a_subtitle(matcher: WorkMatcher) -> None:
    found = matcher.match("Dune (2021) MULTI")
    assert (found.why["candidate"], found.why["rule"]) == ("dune-2021", "main-title")
    assert answer(matcher, "Dune - Partie 2 (2024)") == "dune-2024"


def test_kind_separates_a_film_from_a_series(matcher: WorkMatcher) -> None:
    assert answer(matcher, "Fargo", "film", 1996) == "fargo-film"
    assert answer(matcher, "Fargo", "series", 2014) == "fargo-series"
    assert matcher.match("Fargo", "series").why["candidate"] == "fargo-series"
    assert answer(matcher, "Fargo") is None  # either, and nothing says which
    assert answer(matcher, "Lupin", "film") is None  # only a series of that name


def test_episodes_give_their_series(matcher: WorkMatcher) -> None:
    found = matcher.match("FR - Fargo (2014) S02E05 VOSTFR", "episode")
    assert found.target_id == "fargo-series"
    assert (found.why["season"], found.why["episode"]) == (2, 5)
    # Without a year, a one-word series name is only a candidate (issue 13).
    bare = matcher.match("FR - Fargo S02E05 VOSTFR", "episode")
    assert (bare.target_id, bare.why["candidate"]) == (None, "fargo-series")
    arabic = matcher.match("الهيبة الموسم 1 الحلقة 3")
    assert (arabic.why["candidate"], arabic.why["rule"]) == ("hayba", "original-title")


def test_external_ids(matcher: WorkMatcher) -> None:
    found = matcher.match("Dune", "film", None, "438631")
    assert (found.target_id, found.why["rule"]) == ("dune-2021", "tmdb")
    assert answer(matcher, "Fargo S01E01", "episode", None, "60622") == "fargo-series"
    # tmdb numbers films and series apart: a film id is no series id
    assert matcher.match("Fargo", "series", None, "438631").why["rule"] != "tmdb"
    assert answer(matcher, "Batman", "film", None, "tt1877830") == "the-batman-2022"
    unknown = matcher.match("The Batman (2022)", "film", None, "999999")
    assert (unknown.target_id, unknown.why["rule"]) == ("the-batman-2022", "title")


def test_a_tmdb_id_against_the_title_and_year(matcher: WorkMatcher) -> None:
    found = matcher.match("Batman (1989)", "film", None, "438631")
    assert found.target_id == "batman-1989"
    assert "note" in found.why


def test_original_titles_accents_and_symbols(matcher: WorkMatcher) -> None:
    assert answer(matcher, "Le Fabuleux Destin d'Amelie Poulain FRENCH") == "amelie"
    assert answer(matcher, "Rocky 2 (1979)") == "rocky-2"
    assert matcher.match("ROCKY II").why["candidate"] == "rocky-2"


def test_fuzzy_accepts_typos_not_other_words(matcher: WorkMatcher) -> None:
    typo = matcher.match("Harry Poter and the Sorcerers Stone (2001)")
    assert (typo.target_id, typo.why["rule"]) == ("harry", "fuzzy")
    assert answer(matcher, "Harry Potter and the Philosophers Stone (2001)") is None
    assert answer(matcher, "Memory of the Mountain (2009)") is None
    assert answer(matcher, "Rocky III (1982)") is None
    # A typo of a one-word title is a candidate, never an answer: Hanger is not Hunger.
    assert matcher.match("Farggo (1996)", "film").why["candidate"] == "fargo-film"
    assert answer(matcher, "Farggo (1996)", "film") is None


def test_unknown_and_empty_names(matcher: WorkMatcher) -> None:
    for name in ("Pulp Fiction (1994)", "", "   ", "★★★", "MULTI 1080p"):
        found = matcher.match(name)
        assert found.target_id is None
        assert found.confidence < matcher.threshold


def test_a_work_without_a_year(matcher: WorkMatcher) -> None:
    found = matcher.match("The Undated (2010)")
    assert found.why["candidate"] == "no-year"
    assert found.why["year_delta"] is None


def test_match_many_agrees_with_match(matcher: WorkMatcher) -> None:
    queries: list[TitleQuery | str] = [
        "King Kong (1976)",
        TitleQuery("Fargo S01E01", "episode"),
        TitleQuery("Fargo S01E02", "episode"),
        TitleQuery("Dune", "film", 2021),
        "nothing at all",
    ]
    many = matcher.match_many(queries)
    one_by_one = [matcher.match(q) if isinstance(q, str) else matcher.match(*q) for q in queries]
    assert [m.target_id for m in many] == [o.target_id for o in one_by_one]
    assert [m.confidence for m in many] == [o.confidence for o in one_by_one]
    assert many[2].why["episode"] == 2  # decided once per series, episode kept per name


def test_serialize_round_trip(matcher: WorkMatcher) -> None:
    loaded = WorkMatcher.deserialize(matcher.serialize())
    assert len(loaded) == len(matcher) == len(WORKS)
    for name in ("Dune (2021)", "King Kong", "Farggo", "الهيبة الحلقة 2", "Dune"):
        assert loaded.match(name) == matcher.match(name)
    assert loaded.match("Dune", "film", None, "438631").target_id == "dune-2021"


@pytest.mark.parametrize(
    "damage",
    [b"", b"not an index", lambda data: data[:-10], lambda data: data[:12] + b"]" + data[13:]],
)
def test_damaged_index_is_a_registry_error(matcher: WorkMatcher, damage: object) -> None:
    data = matcher.serialize()
    broken = damage(data) if callable(damage) else damage
    with pytest.raises(RegistryError, match="rebuild"):
        WorkMatcher.deserialize(broken)


def test_thresholds_and_tolerance_are_settings() -> None:
    strict = WorkMatcher.build(WORKS, threshold=0.999, year_tolerance=0)
    assert strict.match("King Kong (2006)").target_id is None
    assert strict.match("King Kong (2006)").why["candidate"] is None
    assert WorkMatcher.deserialize(strict.serialize()).threshold == 0.999


@given(
    title=st.text(max_size=60),
    kind=st.sampled_from([None, "film", "series", "episode", "movie", "live", ""]),
    year=st.none() | st.integers(-5, 3000),
    tmdb=st.none() | st.text(alphabet="0123456789t", max_size=9),
)
@settings(max_examples=300, deadline=None)
def test_match_never_fails(
    matcher: WorkMatcher, title: str, kind: str | None, year: int | None, tmdb: str | None
) -> None:
    found = matcher.match(title, kind, year, tmdb)
    assert found.target_kind == "work"
    assert 0.0 <= found.confidence <= 1.0
    assert found.target_id is None or found.target_id in {work.id for work in WORKS}
    assert (found.target_id is None) == (
        found.confidence < matcher.threshold or not found.why["candidate"]
    )


def test_a_tag_the_parser_does_not_know_is_trimmed_if_the_catalogue_says_so(
    matcher: WorkMatcher,
) -> None:
    found = matcher.match("VOD| The Batman DOLBY VISION MULTI-NoTag (2022)")
    assert found.target_id == "the-batman-2022"
    assert found.why["rule"] == "trimmed-title"
    assert found.why["reading"] == "The Batman"
    # Two plain words left out cost more than one: the confidence says so.
    one = matcher.match("The Batman VISION MULTI (2022)")
    assert one.target_id == "the-batman-2022"
    assert one.confidence > found.confidence
    # A sequel number is never trimmed: Rocky 3 is not Rocky.
    assert matcher.match("Lupin 3 VOSTFR iTunes").target_id is None


def test_a_title_word_next_to_the_year_only_is_not_trimmed() -> None:
    works = [WorkRecord("kari", "Kari", FILM, 2003), WorkRecord("lupin", "Lupin", SERIES, 2021)]
    matcher = WorkMatcher.build(works)
    assert matcher.match("Kari Dorta (2003) MULTI").target_id is None
    assert matcher.match("Kari Dorta 2003").target_id is None
    assert matcher.match("Kari (2003) MULTI Legendado").target_id == "kari"


def test_forked_workers_give_the_answers_of_one_process(matcher: WorkMatcher) -> None:
    names: list[TitleQuery | str] = [
        "King Kong (1976)",
        TitleQuery("Fargo S01E01", "episode", 2014),
        "Dune: Part Two (2024) MULTI",
        "The Batman FULL HD 2022",
        "Fargo (1996)",
        "nothing at all",
    ]
    queries = names * (works_forked.MIN_PER_WORKER // 2)  # enough for three shares
    alone = matcher.match_many(queries)
    forked = matcher.match_many(queries, workers=3)
    assert forked == alone
    assert [found.target_id for found in forked[: len(names)]] == [
        "kong-1976",
        "fargo-series",
        "dune-2024",
        "the-batman-2022",
        "fargo-film",
        None,
    ]


def test_too_few_names_are_not_worth_a_fork(matcher: WorkMatcher) -> None:
    assert matcher.match_many(["Dune: Part One (2021)"], workers=8)[0].target_id == "dune-2021"


def test_building_in_chunks_gives_the_same_index(
    matcher: WorkMatcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(works_index, "BUILD_CHUNK", 3)
    assert WorkMatcher.build(iter(WORKS)).serialize() == matcher.serialize()


def test_too_many_works_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(works_index, "MAX_WORKS", 5)
    with pytest.raises(ValueError, match="at most 5"):
        WorkMatcher.build(iter(WORKS))


def test_fuzzy_takes_one_slip_of_the_keyboard_not_two() -> None:
    # One-word typos are only candidates (issue 13): the rule is seen in ``candidate``.
    matcher = WorkMatcher.build([WorkRecord("dradadra", "Dradadra", FILM, 1985)])
    assert matcher.match("Dradaddra (1985)").why["candidate"] == "dradadra"  # a letter doubled
    assert matcher.match("Dardadra (1985)").why["candidate"] == "dradadra"  # two swapped
    assert matcher.match("Dradra (1985)").why["candidate"] is None  # another made-up word


def _alignment_distance(one: str, other: str) -> int:
    """Optimal string alignment distance, the whole table: the reference for within_edits."""
    table = [
        [i + j if not i * j else 0 for j in range(len(other) + 1)] for i in range(len(one) + 1)
    ]
    for i in range(1, len(one) + 1):
        for j in range(1, len(other) + 1):
            table[i][j] = min(
                table[i - 1][j] + 1,
                table[i][j - 1] + 1,
                table[i - 1][j - 1] + (one[i - 1] != other[j - 1]),
            )
            if i > 1 and j > 1 and one[i - 1] == other[j - 2] and one[i - 2] == other[j - 1]:
                table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
    return table[-1][-1]


@given(
    one=st.text(alphabet="abcd", max_size=9),
    other=st.text(alphabet="abcd", max_size=9),
    limit=st.integers(0, 3),
)
@settings(max_examples=500, deadline=None)
def test_within_edits_stops_early_but_agrees_with_the_whole_table(
    one: str, other: str, limit: int
) -> None:
    assert within_edits(one, other, limit) == (_alignment_distance(one, other) <= limit)
