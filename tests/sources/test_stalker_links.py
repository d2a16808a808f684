"""Stalker playable URLs: ``create_link`` at play time, and the Stalker credential forms.

Property tests cover the new row parsing (any JSON a portal may send never crashes it) and
the ``/load/USER/TOKEN`` splitting in both directions.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from castwatch.catalog import Credentials, Entry, EntryKind
from castwatch.catalog.credentials import (
    STRUCTURAL_WORDS,
    restore_credentials,
    split_credentials,
)
from castwatch.errors import AuthenticationError, ProtocolError
from castwatch.net.policy import FetchOptions
from castwatch.sources.clients.stalker import absolute_url, resolve_stalker_link
from castwatch.sources.stalker import StalkerSource
from castwatch.sources.stalker_entries import EntryBuilder, flag
from tests.sources.stalker_portal import MAC, ShapesPortal

Serve = Callable[[Any], AbstractContextManager[str]]
OPTIONS = FetchOptions(retries=0, timeout=5)
API = "/stalker_portal/server/load.php"


def _resolve(serve: Serve, portal: ShapesPortal, kind: str, cmd: str, **kw: Any) -> str:
    with serve(portal) as base:
        return resolve_stalker_link(base + API, MAC, kind, cmd, options=OPTIONS, **kw)


@pytest.mark.parametrize(
    ("kind", "cmd", "series"),
    [
        ("itv", "ffmpeg http://localhost/ch/100_", None),
        ("vod", "/media/101.mpg", None),
        ("vod", "eyJ0eXBlIjoibW92aWUiIn0=", None),
        ("vod", "/media/series/7/2.mpg", 5),
    ],
)
def test_create_link_is_asked_with_the_cmd_as_listed(
    serve: Serve, kind: str, cmd: str, series: int | None
) -> None:
    portal = ShapesPortal()
    url = _resolve(serve, portal, kind, cmd, series=series)
    assert url == f"http://play.example/{kind}/1"
    [query] = portal.link_queries
    assert (query["type"], query["action"], query["cmd"]) == (kind, "create_link", cmd)
    assert query.get("series") == (None if series is None else str(series))
    # A fresh login per link, as a box does: handshake, get_profile, create_link.
    assert portal.requests == 3


def test_a_relative_link_is_resolved_against_the_portal(serve: Serve) -> None:
    portal = ShapesPortal(links=lambda q: {"cmd": "ffrt4 /movie/u/p/9.mp4", "error": ""})
    with serve(portal) as base:
        url = resolve_stalker_link(base + API, MAC, "vod", "/media/9.mpg", options=OPTIONS)
    assert url == base + "/movie/u/p/9.mp4"


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"cmd": "", "error": "nothing_to_play"}, "no stream behind this entry"),
        ({"cmd": "", "error": "limit"}, "as many streams as it may"),
        ({"cmd": "", "error": "weird"}, "error 'weird'"),
        ({"cmd": ""}, "no URL to play"),
        ({"id": 3}, "no URL to play"),
        (["not", "an", "object"], "answered a JSON list"),
        (b"<!DOCTYPE html><html><body>Portal maintenance</body></html>", "an HTML page"),
        (b"", "an empty body"),
    ],
)
def test_a_link_refused_is_a_clear_error(serve: Serve, answer: Any, message: str) -> None:
    portal = ShapesPortal(links=lambda q: answer)
    with pytest.raises(ProtocolError, match="could not get a link to play") as caught:
        _resolve(serve, portal, "itv", "ffmpeg http://localhost/ch/1_")
    assert message in str(caught.value)
    assert MAC not in str(caught.value)


def test_an_unauthorised_box_gets_no_link(serve: Serve) -> None:
    portal = ShapesPortal()
    portal_answer = portal.answer

    def refusing(query: dict[str, str]) -> Any:
        if query.get("action") == "get_profile":
            return {"status": 1, "blocked": "0"}
        return portal_answer(query)

    portal.answer = refusing  # type: ignore[method-assign]
    with pytest.raises(AuthenticationError, match="MAC not authorised"):
        _resolve(serve, portal, "itv", "ffmpeg http://localhost/ch/1_")
    assert portal.link_queries == []


def test_an_ingest_asks_for_no_link(serve: Serve) -> None:
    portal = ShapesPortal()
    options = FetchOptions(credentials=Credentials(mac=MAC), retries=0, timeout=5, max_bad_rows=1)
    with serve(portal) as base:
        StalkerSource().fetch(base + "/stalker_portal/c/", options)
    assert portal.link_queries == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("http://img/x.png", "http://img/x.png"),
        ("/misc/logos/1.png", "http://h:88/misc/logos/1.png"),
        ("1.png", "http://h:88/stalker_portal/1.png"),
        ("//cdn/x.png", "http://cdn/x.png"),
    ],
)
def test_absolute_url(value: str, expected: str) -> None:
    assert absolute_url(value, "http://h:88/stalker_portal/server/load.php") == expected


# -- properties ---------------------------------------------------------------------------

_SEGMENT = st.text(string.ascii_letters + string.digits + "-_.~", min_size=1, max_size=24).filter(
    lambda s: s.lower() not in STRUCTURAL_WORDS and s not in (".", "..")
)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
_ROW_KEYS = st.sampled_from(
    ["id", "name", "cmd", "is_series", "series", "tmdb_id", "added", "screenshot_uri",
     "season_number", "series_number", "is_episode", "is_season", "year", "logo"]
)  # fmt: skip
_ROW = st.dictionaries(_ROW_KEYS, _JSON, max_size=8)


@given(
    user=_SEGMENT,
    token=_SEGMENT,
    host=st.sampled_from(["http://h", "https://cdn.example:8443", ""]),
    leaf=st.sampled_from(["2.mpegts", "ch/7.ts", "x.m3u8?play_token=ABC123", "1.mkv"]),
)
def test_load_urls_split_and_restore_exactly(user: str, token: str, host: str, leaf: str) -> None:
    url = f"{host}/load/{user}/{token}/{leaf}"
    split, found = split_credentials(url)
    assert found is not None
    assert split.startswith(f"{host}/load/{{username}}/{{password}}/")
    assert (found.username, found.password) == (user, token)
    assert "ABC123" not in split
    assert restore_credentials(split, found) == url


@given(url=st.text(max_size=60))
def test_stalker_splitting_restores_any_string_exactly(url: str) -> None:
    split, found = split_credentials(url)
    assert restore_credentials(split, found) == url or "{" in url


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(_ROW | _JSON, max_size=6),
    seasons=st.lists(st.tuples(_ROW, st.lists(_ROW, max_size=4)), max_size=3),
)
def test_rows_of_any_shape_never_crash_the_builder(rows: list[Any], seasons: Any) -> None:
    builder = EntryBuilder(lambda c: 0, MAC, "http://h/stalker_portal/server/load.php")
    objects = [row for row in rows if isinstance(row, dict)]
    entries = builder.films(objects, {"id": "1", "title": "F"}) + builder.live(objects, [])
    series = Entry(kind=EntryKind.SERIES, key="series:9", name="S", series_id="9")
    entries += builder.vod_episodes(series, seasons) + builder.episodes(series, objects)
    for entry in entries:
        assert entry.key.split(":", 1)[0] in ("live", "film", "series", "episode")
        if entry.kind is EntryKind.EPISODE:
            assert entry.key == f"episode:{entry.series_id}:{entry.season}:{entry.episode_num}"
    assert all(isinstance(line, str) for line in builder.warnings())


@given(value=_JSON)
def test_flags_are_read_only_from_their_true_spellings(value: Any) -> None:
    expected = (
        value is True
        or value == "1"
        or (isinstance(value, int) and not isinstance(value, bool) and value == 1)
        or (isinstance(value, str) and value.strip().lower() in ("1", "true", "yes"))
    )
    assert flag(value) is bool(expected)


@given(
    word=st.sampled_from(sorted(STRUCTURAL_WORDS)),
    other=_SEGMENT,
    first=st.booleans(),
)
def test_load_paths_of_directory_words_are_no_account(word: str, other: str, first: bool) -> None:
    user, token = (word, other) if first else (other, word)
    url = f"http://cdn.example/load/{user}/{token}/index.m3u8"
    split, found = split_credentials(url)
    assert split == url and found is None
