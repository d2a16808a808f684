"""Property tests: the Xtream and Stalker row parsers never crash on what a panel may send.

Panels send any JSON: numbers as strings, nulls, nested objects where strings belong. The
entry builders must turn every row into an entry or drop it (counted in the warnings), and
never raise anything but a castwatch error.
"""

from __future__ import annotations

from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from castwatch.catalog import Entry
from castwatch.catalog.credentials import Credentials
from castwatch.errors import CastwatchError
from castwatch.sources import stalker, xtream

scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63),
    st.floats(allow_nan=True),
    st.text(max_size=30),
)
json_value = st.recursive(
    scalar,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
XTREAM_KEYS = [
    "num", "name", "stream_id", "series_id", "stream_icon", "epg_channel_id", "added",
    "category_id", "container_extension", "rating", "rating_5based", "tmdb", "year", "cover",
    "releaseDate", "id", "episode_num", "title", "season", "info", "direct_source",
]  # fmt: skip
STALKER_KEYS = [
    "id", "name", "number", "cmd", "tv_genre_id", "logo", "xmltv_id", "year", "category_id",
    "screenshot_uri", "rating_imdb", "added", "series", "title",
]  # fmt: skip


def rows(keys: list[str]) -> st.SearchStrategy[list[dict[str, Any]]]:
    row = st.fixed_dictionaries({}, optional={key: json_value for key in keys})
    return st.lists(row, max_size=6)


def _check(entries: list[Entry]) -> None:
    for entry in entries:
        assert isinstance(entry.name, str)
        assert entry.key
        assert entry.url is None or "{username}" in entry.url or "{mac}" in entry.url or entry.url


@settings(max_examples=60, deadline=None)
@given(rows(XTREAM_KEYS), rows(["category_id", "category_name", "parent_id"]), rows(XTREAM_KEYS))
# Found by this test in CI: an infinite "added" overflowed int().
@example([{"stream_id": 0, "added": float("inf")}], [], [])
def test_xtream_builder_never_crashes(
    streams: list[dict[str, Any]], categories: list[dict[str, Any]], episodes: list[dict[str, Any]]
) -> None:
    builder = xtream.EntryBuilder("http://panel.test:8080/", 0)
    try:
        _check(builder.live(streams, categories))
        _check(builder.films(streams, categories))
        series = builder.series(streams, categories)
        _check(series)
        _check(builder.episodes(series, {s.series_id or "": episodes for s in series}))
    except CastwatchError:
        pass
    assert all(isinstance(line, str) for line in builder.warnings())


@settings(max_examples=60, deadline=None)
@given(rows(STALKER_KEYS), rows(["id", "title"]), rows(STALKER_KEYS))
def test_stalker_builder_never_crashes(
    items: list[dict[str, Any]], genres: list[dict[str, Any]], seasons: list[dict[str, Any]]
) -> None:
    registered: list[Credentials] = []

    def register(credentials: Credentials) -> int:
        registered.append(credentials)
        return len(registered) - 1

    builder = stalker.EntryBuilder(register, "00:1A:79:12:34:56")
    try:
        _check(builder.live(items, genres))
        _check(builder.films(items, {"id": "1", "title": "FR | FILMS"}))
        series = builder.series(items, {"id": "2", "title": "SERIES"})
        _check(series)
        for parent in series:
            _check(builder.episodes(parent, seasons))
    except CastwatchError:
        pass


def test_a_number_where_a_url_belongs_is_kept_as_text() -> None:
    # Found by the property above: panels send direct_source as a number.
    builder = xtream.EntryBuilder("http://panel.test:8080/", 0)
    (entry,) = builder.live([{"stream_id": 1, "name": "X", "direct_source": 1}], [])
    assert entry.extra["direct_source"] == "1"
