"""Every get_series_info and field shape real Xtream panels send, each with its entries.

The fixtures are written here from the shapes documented in docs/protocols.md: the same
three episodes of one series (ids 11, 12 and 21; seasons 1, 1 and 2) in every shape, and
what castwatch must make of each.
"""

from __future__ import annotations

import copy
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from castwatch.catalog import Entry
from castwatch.sources.budget import BadRows
from castwatch.sources.clients.xtream_shapes import (
    find_duplicate_keys,
    flatten_series_info,
    has_duplicate_keys,
)
from castwatch.sources.xtream_rows import EntryBuilder

BASE = "http://panel.test:8080/"


def _ep(episode_id: Any, number: int, season: int | None = None, key: str = "id") -> Any:
    row: dict[str, Any] = {key: episode_id, "episode_num": number, "title": f"E{episode_id}"}
    if season is not None:
        row["season"] = season
    row["container_extension"] = "mkv"
    return row


#: (shape, answer): every answer holds episodes 11 and 12 of season 1 and 21 of season 2.
SHAPES: list[tuple[str, Any]] = [
    (
        "object keyed by season",
        {"episodes": {"1": [_ep("11", 1), _ep("12", 2)], "2": [_ep("21", 1)]}},
    ),
    (
        "object keyed by season, seasons keyed by number",
        {"episodes": {"1": {"0": _ep(11, 1), "1": _ep(12, 2)}, "2": {"0": _ep(21, 1)}}},
    ),
    (
        "list of lists, index = season, empty groups skipped",
        {"episodes": [[], [_ep(11, 1), _ep(12, 2)], [_ep(21, 1)]]},
    ),
    (
        "flat list, season from each episode",
        {"episodes": [_ep(11, 1, 1), _ep("12", 2, 1), _ep(21, 1, 2)]},
    ),
    (
        "seasons[].episodes",
        {
            "seasons": [
                {"season_number": 1, "episodes": [_ep(11, 1), _ep(12, 2)]},
                {"season_number": "2", "episodes": [_ep(21, 1)]},
            ]
        },
    ),
    (
        "the episodes alone, without the enclosing object",
        [_ep(11, 1, 1), _ep(12, 2, 1), _ep(21, 1, 2)],
    ),
    (
        "ids under episode_id and stream_id",
        {
            "episodes": {
                "1": [_ep(11, 1, key="episode_id"), _ep("12", 2, key="stream_id")],
                "2": [_ep(21, 1, key="episode_id")],
            }
        },
    ),
    (
        "an episode's own season wins over its group's key",
        {"episodes": {"9": [_ep(11, 1, 1), _ep(12, 2, 1)], "2": [_ep(21, 1)]}},
    ),
]
EXPECTED = [("episode:11", 1, 1), ("episode:12", 1, 2), ("episode:21", 2, 1)]


def _series_entry() -> tuple[EntryBuilder, Entry]:
    builder = EntryBuilder(BASE, 0, BadRows())
    (series,) = builder.series([{"series_id": 5, "name": "Show", "category_id": 3}], [])
    return builder, series


def _episodes(answer: Any) -> tuple[list[Entry], EntryBuilder]:
    builder, series = _series_entry()
    flat = flatten_series_info(answer)
    for reason, example in flat.bad:
        builder.budget.skip("episodes", reason, example)
    return builder.episodes([series], {"5": flat.episodes}), builder


@pytest.mark.parametrize(("shape", "answer"), SHAPES, ids=[shape for shape, _ in SHAPES])
def test_every_shape_gives_the_same_episodes(shape: str, answer: Any) -> None:
    entries, builder = _episodes(copy.deepcopy(answer))
    assert [(e.key, e.season, e.episode_num) for e in entries] == EXPECTED
    assert all(e.series_id == "5" and e.group is None for e in entries)
    assert entries[0].url == f"{BASE}series/{{username}}/{{password}}/11.mkv"
    assert builder.budget.counts() == {}


@pytest.mark.parametrize("empty", [None, [], {}, {"episodes": []}, {"episodes": {}}, {"x": 1}])
def test_a_series_without_episodes_is_empty_not_an_error(empty: Any) -> None:
    flat = flatten_series_info(empty)
    assert (flat.episodes, flat.bad) == ([], [])


@pytest.mark.parametrize("answer", ["maintenance", 42, 4.5, True])
def test_a_series_answer_that_is_no_series_is_refused_by_name(answer: Any) -> None:
    with pytest.raises(ValueError, match="get_series_info answered a JSON"):
        flatten_series_info(answer)


def test_an_episode_that_is_a_number_is_skipped_and_counted() -> None:
    answer = {"episodes": {"1": [_ep(11, 1), 7, _ep(12, 2)], "2": [_ep(21, 1), "x"]}}
    entries, builder = _episodes(answer)
    assert [e.key for e in entries] == ["episode:11", "episode:12", "episode:21"]
    assert builder.budget.counts() == {
        "episodes": {
            "an episode is a JSON number, not an object": 1,
            "an episode is a JSON string, not an object": 1,
        }
    }
    assert any("e.g. 7" in line for line in builder.warnings())


def test_a_season_key_that_is_not_a_number_keeps_its_episodes() -> None:
    answer = {"episodes": {"Specials": [_ep(11, 1), _ep(12, 2, 0)], "2": [_ep(21, 1)]}}
    flat = flatten_series_info(answer)
    assert [(e["id"], e.get("season")) for e in flat.episodes] == [(11, None), (12, 0), (21, 2)]
    assert flat.notes == [("season key is not a number", "Specials")]
    assert flat.bad == []


def test_episodes_of_the_wrong_type_fall_back_to_seasons() -> None:
    answer = {"episodes": "none", "seasons": [{"season_number": 1, "episodes": [_ep(11, 1)]}]}
    flat = flatten_series_info(answer)
    assert [(e["id"], e["season"]) for e in flat.episodes] == [(11, 1)]
    assert flat.bad == [("episodes is a JSON string", "none")]


def test_episode_fields_in_every_form() -> None:
    builder, series = _series_entry()
    rows = [
        {"id": 1, "info": {"duration": "01:02:03", "movie_image": ["", "http://i/1.jpg"]}},
        {"id": 2, "info": {"duration_secs": "2700", "movie_image": "http://i/2.jpg"}},
        {"id": 3, "info": {"duration": "45:00", "tmdb_id": 77}},
        {"id": 4, "info": [], "tmdb": "88"},  # PHP's empty info
        {"id": 5, "info": {"duration": "2400", "cover": ["http://i/5.jpg"]}},
        {"id": 6, "info": {"duration": "1:xx:00", "movie_image": [3, None]}},
    ]
    entries = builder.episodes([series], {"5": rows})
    assert [(e.duration, e.tvg_logo, e.tmdb_id) for e in entries] == [
        (3723.0, "http://i/1.jpg", None),
        (2700.0, "http://i/2.jpg", None),
        (2700.0, None, "77"),
        (None, None, "88"),
        (2400.0, "http://i/5.jpg", None),
        (None, None, None),
    ]


def test_list_fields_in_every_form() -> None:
    builder = EntryBuilder(BASE, 0, BadRows())
    categories = [{"category_id": 3, "category_name": "FR | FILMS"}, "junk"]
    films = builder.films(
        [
            {"stream_id": "1", "stream_icon": ["http://i/1.jpg"], "category_ids": [3], "tmdb": 9},
            {"stream_id": 2, "stream_icon": "http://i/2.jpg", "category_id": "3", "tmdb_id": "8"},
            {"stream_id": 3.0, "stream_icon": [], "tmdb": "0", "tmdb_id": 7},
        ],
        categories,
    )
    assert [(e.key, e.tvg_logo, e.group, e.tmdb_id) for e in films] == [
        ("film:1", "http://i/1.jpg", "FR | FILMS", "9"),
        ("film:2", "http://i/2.jpg", "FR | FILMS", "8"),
        ("film:3", None, None, "7"),
    ]
    (show,) = builder.series([{"series_id": "4", "cover": ["http://c/4.jpg"]}], categories)
    assert (show.key, show.tvg_logo) == ("series:4", "http://c/4.jpg")


@pytest.mark.parametrize(
    "stream_id",
    ["../../../etc/passwd", "1/../2", "-i", "a b", "x" * 65, "1.ts", "١٢", "", None, [], 1.5],
)
def test_ids_unfit_for_a_url_are_skipped_and_counted(stream_id: Any) -> None:
    builder = EntryBuilder(BASE, 0, BadRows())
    live = builder.live([{"stream_id": 1}, {"stream_id": stream_id, "name": "bad"}], [])
    assert [e.key for e in live] == ["live:1"]
    assert all(".." not in (e.url or "") for e in live)
    (reasons,) = builder.budget.counts().values()
    assert sum(reasons.values()) == 1
    with pytest.raises(Exception, match="rows of the live streams list"):
        builder.budget.check("live streams", 2)


def test_an_unsafe_container_is_skipped_not_built_into_a_url() -> None:
    builder = EntryBuilder(BASE, 0, BadRows())
    films = builder.films(
        [{"stream_id": 1, "container_extension": "mp4/../../x"}, {"stream_id": 2}], []
    )
    assert [e.url for e in films] == [f"{BASE}movie/{{username}}/{{password}}/2.mp4"]
    assert builder.budget.counts() == {"films": {"container_extension is not a plain extension": 1}}


def test_safe_tokens_are_ids_too() -> None:
    builder = EntryBuilder(BASE, 0, BadRows())
    live = builder.live([{"stream_id": "abc_12-X"}, {"stream_id": " 42 "}], [])
    assert [e.key for e in live] == ["live:abc_12-X", "live:42"]


# -- duplicate keys --------------------------------------------------------------------------


def test_duplicate_keys_are_found_with_where_and_every_value() -> None:
    body = b'{"user_info": {"status": "Banned", "auth": 1, "status": "Active"}, "a": 1, "a": 1}'
    found = {(d.path, d.key): d for d in find_duplicate_keys(body)}
    assert found[("user_info", "status")].values == ("Banned", "Active")
    assert found[("user_info", "status")].conflicting
    assert not found[("", "a")].conflicting


def test_the_cheap_check_agrees_with_the_exact_one_on_a_big_list() -> None:
    rows = [{"stream_id": n, "name": f'A ":" {n}', "info": {"x": [n]}} for n in range(2000)]
    body = orjson.dumps(rows)
    assert not has_duplicate_keys(body, rows)
    doubled = body.replace(b'"stream_id":1999,', b'"stream_id":1999,"stream_id":5,', 1)
    assert has_duplicate_keys(doubled, orjson.loads(doubled))


# -- properties ------------------------------------------------------------------------------

scalar = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1), st.floats(), st.text(max_size=8)
)
json_value = st.recursive(
    scalar,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
keys = st.sampled_from(["episodes", "seasons", "season", "season_number", "id", "info", "1"])
series_like = st.recursive(
    scalar,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=16,
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(json_value, series_like))
def test_any_answer_is_read_or_refused_by_name(answer: Any) -> None:
    try:
        flat = flatten_series_info(answer)
    except ValueError as exc:
        assert "get_series_info answered a JSON" in str(exc)
        return
    assert all(isinstance(episode, dict) for episode in flat.episodes)
    builder, series = _series_entry()
    for entry in builder.episodes([series], {"5": flat.episodes}):
        assert entry.key.startswith("episode:") and "/" not in entry.key
    assert all(isinstance(line, str) for line in builder.warnings())


seasons_strategy = st.dictionaries(
    st.integers(1, 6), st.lists(st.integers(1, 30), min_size=1, max_size=5), max_size=5
)


def _render(shape: int, seasons: dict[int, list[int]]) -> Any:
    """The same episodes (id = season * 100 + number) in one of the documented shapes."""

    def ep(season: int, number: int, own_season: bool) -> dict[str, Any]:
        row: dict[str, Any] = {"id": str(season * 100 + number), "episode_num": number}
        if own_season:
            row["season"] = str(season)
        return row

    if shape == 0:
        return {"episodes": {str(s): [ep(s, n, False) for n in ns] for s, ns in seasons.items()}}
    if shape == 1:
        groups: list[Any] = [[] for _ in range(max(seasons, default=0) + 1)]
        for s, ns in seasons.items():
            groups[s] = [ep(s, n, False) for n in ns]
        return {"episodes": groups}
    if shape == 2:
        return {"episodes": [ep(s, n, True) for s, ns in seasons.items() for n in ns]}
    return {
        "seasons": [
            {"season_number": s, "episodes": [ep(s, n, False) for n in ns]}
            for s, ns in seasons.items()
        ]
    }


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 3), seasons_strategy)
def test_every_shape_of_the_same_series_reads_the_same(
    shape: int, seasons: dict[int, list[int]]
) -> None:
    flat = flatten_series_info(_render(shape, seasons))
    got = sorted((str(e["id"]), int(e["season"])) for e in flat.episodes)
    expected = sorted((str(s * 100 + n), s) for s, ns in seasons.items() for n in ns)
    assert got == expected
    assert flat.bad == []


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(max_size=6), json_value, min_size=1, max_size=6), st.data())
def test_a_repeated_key_is_always_noticed(row: dict[str, Any], data: st.DataObject) -> None:
    body = orjson.dumps([row, row])
    assert not has_duplicate_keys(body, orjson.loads(body))
    key = data.draw(st.sampled_from(sorted(row)))
    repeated = orjson.dumps({key: 0})[1:-1] + b","
    doubled = body.replace(b"{", b"{" + repeated, 1)
    assert has_duplicate_keys(doubled, orjson.loads(doubled))


ROW_KEYS = [
    "stream_id", "series_id", "id", "episode_id", "name", "category_id", "category_ids",
    "stream_icon", "cover", "tmdb", "tmdb_id", "container_extension", "season", "info",
]  # fmt: skip
row_strategy = st.one_of(
    json_value, st.fixed_dictionaries({}, optional={key: json_value for key in ROW_KEYS})
)


@settings(max_examples=150, deadline=None)
@given(st.lists(row_strategy, max_size=6), st.lists(row_strategy, max_size=3))
def test_any_rows_become_safe_entries_or_counted_skips(
    rows: list[Any], categories: list[Any]
) -> None:
    builder = EntryBuilder(BASE, 0, BadRows())
    entries = builder.live(rows, categories) + builder.films(rows, categories)
    series = builder.series(rows, categories)
    entries += series + builder.episodes(series, {s.series_id or "": rows for s in series})
    for entry in entries:
        identifier = entry.key.split(":", 1)[1]
        assert identifier.isascii() and "/" not in identifier and ".." not in identifier
        assert entry.url is None or entry.url.startswith(BASE)
        assert entry.tvg_logo is None or isinstance(entry.tvg_logo, str)
    # Each live row became an entry, was skipped and counted, or repeated an earlier id.
    live = EntryBuilder(BASE, 0, BadRows())
    read = len(live.live(rows, categories)) + live.budget.skipped("live streams")
    repeats = sum(
        1 for line in live.warnings() if line.startswith("live streams") and " × repeated" in line
    )
    assert read <= len(rows) and (read == len(rows) or repeats)
