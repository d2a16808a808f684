"""The M3U source: the shared contract against the simulator, then files and odd bodies."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from castwatch.catalog import Credentials, EntryKind, Inventory, ServiceKind
from castwatch.catalog.credentials import PASSWORD, USERNAME, split_credentials
from castwatch.errors import (
    AuthenticationError,
    ProtocolError,
    ResponseTooLarge,
    SourceError,
    TruncatedResponse,
)
from castwatch.net.policy import FetchOptions
from castwatch.sim import Fault, SimServer
from castwatch.sources.m3u import M3USource, PlaylistBuilder
from tests.sources.conftest import SMALL, SimFault
from tests.sources.contract import SourceContract

Serve = Callable[[Any], AbstractContextManager[str]]


class TestM3UContract(SourceContract):
    source_name = "m3u"
    url_key = "m3u_url"

    @pytest.fixture(scope="class")
    @classmethod
    def expected_counts(cls) -> dict[str, int]:
        # A playlist lists episodes, never the series holding them.
        return {"live": SMALL.live, "film": SMALL.films, "series": 0, "episode": SMALL.episodes}

    def test_keys_are_the_xtream_ones(self, inventory: Inventory, sim: SimServer) -> None:
        for entry in inventory.entries:
            ident = entry.episode_id if entry.kind is EntryKind.EPISODE else entry.stream_id
            assert ident and entry.key == f"{entry.kind.value}:{ident}"
            segment = {"live": "live", "film": "movie", "episode": "series"}[entry.kind.value]
            expected = f"{sim.base_url}/{segment}/{USERNAME}/{PASSWORD}/{ident}.{entry.container}"
            assert entry.url == expected
            assert entry.credential == 0 and entry.name and entry.group

    def test_account_header_and_options_are_kept_safely(self, inventory: Inventory) -> None:
        assert inventory.credentials == [Credentials(SMALL.username, SMALL.password)]
        guide = inventory.server_info["header"]["url-tvg"]
        assert guide.endswith(f"xmltv.php?username={USERNAME}&password={PASSWORD}")
        with_agent = [e for e in inventory.entries if "vlcopt:http-user-agent" in e.extra]
        assert with_agent and all(e.kind is EntryKind.LIVE for e in with_agent)
        assert any(e.extra.get("catchup") == "default" for e in inventory.entries)

    def test_episodes_carry_season_and_number(self, inventory: Inventory) -> None:
        episodes = [e for e in inventory.entries if e.kind is EntryKind.EPISODE]
        assert all(e.season and e.episode_num for e in episodes)

    def test_progress_counts_entries(self, fetched: tuple[Inventory, list[Any]]) -> None:
        inventory, log = fetched
        assert {stage for stage, _, _ in log} == {"entries"}
        assert log[-1] == ("entries", len(inventory.entries), None)


# Files ------------------------------------------------------------------------------------


def read(tmp_path: Path, text: str | bytes, name: str = "list.m3u") -> Inventory:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return M3USource().fetch(str(path), FetchOptions())


@pytest.mark.parametrize(
    ("url", "group", "title", "kind"),
    [
        ("http://h/live/u/p/1.ts", "VOD | FILMS", "x", EntryKind.LIVE),
        ("http://h/movie/u/p/1.mkv", "SERIES", "x", EntryKind.FILM),
        ("http://h/series/u/p/1.mp4", "", "x", EntryKind.EPISODE),
        ("http://h/vod/1.mkv", "", "Film", EntryKind.FILM),
        ("http://h/vod/1.mkv", "", "Show S01E03", EntryKind.EPISODE),
        ("http://h/s/1", "SÉRIES FR", "x", EntryKind.EPISODE),
        ("http://h/s/1", "TV Shows", "x", EntryKind.EPISODE),
        ("http://h/s/1", "|FR| MOVIES", "x", EntryKind.FILM),
        ("http://h/s/1", "VOD", "x", EntryKind.FILM),
        ("http://h/s/1.ts", "FR | CINEMA", "x", EntryKind.LIVE),
        ("udp://@239.0.0.1:1234", "", "x", EntryKind.LIVE),
    ],
)
def test_kind_inference(tmp_path: Path, url: str, group: str, title: str, kind: EntryKind) -> None:
    inventory = read(tmp_path, f'#EXTM3U\n#EXTINF:-1 group-title="{group}",{title}\n{url}\n')
    assert [e.kind for e in inventory.entries] == [kind]


def test_credentials_never_stay_in_entries(tmp_path: Path) -> None:
    text = (
        "#EXTM3U\n"
        '#EXTINF:-1 catchup-source="http://h/timeshift/bob/s3cret/{duration}/{start}/1.ts",A\n'
        "#EXTVLCOPT:http-referrer=http://h/get.php?username=bob&password=s3cret\n"
        "http://h:80/live/bob/s3cret/1.ts\n"
        "#EXTINF:-1,B\nhttp://bob:s3cret@h/stream/2.m3u8\n"
        "#EXTINF:-1,C\nhttp://h/play.php?user=bob&pass=s3cret&id=3\n"
    )
    inventory = read(tmp_path, text)
    assert "s3cret" not in repr(inventory.entries) and "s3cret" not in repr(inventory.server_info)
    assert inventory.credentials == [Credentials("bob", "s3cret")]
    assert [e.credential for e in inventory.entries] == [0, 0, 0]
    assert [e.key for e in inventory.entries] == [
        "live:1",
        f"live:url:http://{USERNAME}:{PASSWORD}@h/stream/2.m3u8",
        f"live:url:http://h/play.php?user={USERNAME}&pass={PASSWORD}&id=3",
    ]


def test_repeated_entries_get_numbered_keys(tmp_path: Path) -> None:
    entry = "#EXTINF:-1,A\nhttp://h/live/u/p/7.ts\n#EXTINF:-1,B\nudp://@239.0.0.1:1\n"
    inventory = read(tmp_path, entry * 3)
    assert [e.key for e in inventory.entries] == [
        "live:7",
        "live:url:udp://@239.0.0.1:1",
        "live:7#2",
        "live:url:udp://@239.0.0.1:1#2",
        "live:7#3",
        "live:url:udp://@239.0.0.1:1#3",
    ]
    assert "4 entries listed more than once (keys suffixed #2, #3...)" in inventory.warnings


def test_a_stream_listed_thousands_of_times_costs_no_more_than_others(tmp_path: Path) -> None:
    inventory = read(tmp_path, "#EXTINF:-1,A\nhttp://h/live/u/p/1.ts\n" * 30_000)
    assert inventory.entries[-1].key == "live:1#30000"


def test_parser_warnings_reach_the_inventory(tmp_path: Path) -> None:
    text = "#EXTINF:-1,lost\n#EXTINF:-1,Plain\nhttp://h/x.ts\nbroken-url\n"
    inventory = read(tmp_path, text)
    assert [(e.name, e.url) for e in inventory.entries] == [
        ("Plain", "http://h/x.ts"),
        ("", "broken-url"),
    ]
    assert inventory.warnings == [
        "1 × #EXTINF without a URL (dropped), first at line 1",
        "1 × URL without a scheme:// (kept as given), first at line 4",
    ]


def test_attributes_and_options_reach_the_entry(tmp_path: Path) -> None:
    text = (
        "\ufeff#EXTM3U\r\n"
        '#EXTINF:3600 tvg-id="a.fr" tvg-name="A" tvg-logo="http://h/a.png" tvg-shift="+1" '
        'catchup-days="7",A, "the" one\r\n#EXTGRP:News\r\n#EXTVLCOPT:http-user-agent=UA1\r\n'
        "#EXTVLCOPT:http-user-agent=UA2\r\n#KODIPROP:inputstream=adaptive\r\n#EXT-X-FOO:1\r\n"
        "http://h/x.ts\r\n"
    )
    (entry,) = read(tmp_path, text).entries
    assert (entry.name, entry.tvg_id, entry.tvg_name, entry.tvg_logo, entry.group) == (
        'A, "the" one',
        "a.fr",
        "A",
        "http://h/a.png",
        "News",
    )
    assert (entry.duration, entry.container, entry.key) == (3600.0, "ts", "live:url:http://h/x.ts")
    assert entry.extra == {
        "tvg-shift": "+1",
        "catchup-days": "7",
        "vlcopt:http-user-agent": "UA1",
        "vlcopt:http-user-agent#2": "UA2",
        "kodiprop:inputstream": "adaptive",
        "directives": "#EXT-X-FOO:1",
    }


def test_an_unparsable_url_and_a_second_group_are_kept(tmp_path: Path) -> None:
    text = '#EXTINF:-1 group-title="A",X\n#EXTGRP:B\nhttp://[::1/live.ts\n'
    (entry,) = read(tmp_path, text).entries
    assert (entry.url, entry.key, entry.group) == (
        "http://[::1/live.ts",
        "live:url:http://[::1/live.ts",
        "A",
    )
    assert entry.extra == {"extgrp": "B"}


def test_a_file_url_and_a_utf16_file_are_read(tmp_path: Path) -> None:
    text = "#EXTM3U\n#EXTINF:-1,Télé\nhttp://h/live/u/p/1.ts\n"
    path = tmp_path / "list.m3u"
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    assert [e.name for e in M3USource().fetch(path.as_uri(), FetchOptions()).entries] == ["Télé"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "an empty body"),
        (b"  \n\r\n", "an empty body"),
        (b"<!DOCTYPE html><html><title>Login</title></html>\n", "HTML page"),
        (b"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nseg1.ts\n", "HLS stream playlist"),
        (bytes(range(256)) * 64, "binary data"),
        (b"#EXTM3U\n# nothing here\n", "no #EXTINF entries"),
        (b"hello\nworld\n", "no #EXTINF entries"),
    ],
)
def test_what_is_not_a_playlist_is_a_protocol_error(
    tmp_path: Path, body: bytes, message: str
) -> None:
    with pytest.raises(ProtocolError, match=message):
        read(tmp_path, body)


def test_an_unreadable_file_is_a_source_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope.m3u"
    with pytest.raises(SourceError, match="cannot read the playlist file") as caught:
        M3USource().fetch(str(missing), FetchOptions())
    assert str(missing) in str(caught.value)


@pytest.mark.parametrize(
    ("target", "head", "content_type", "expected"),
    [
        ("x", b"\xef\xbb\xbf \n#EXTM3U\n", None, True),
        ("x", b"#EXTINF:-1,A\nhttp://h/1\n", None, True),
        ("http://h/get", b"http://h/1.ts\n", "audio/x-mpegurl; charset=utf-8", False),
        ("http://h/get", b"#EXTVLCOPT:a=b\n#EXTINF:-1,A\n", "application/vnd.apple.mpegurl", True),
        ("/tmp/list.m3u8", b"http://h/1.ts\n", None, True),
        ("http://h/list.M3U?x=1", b"", None, True),
        ("http://h/list.m3u", b"<html><body>blocked</body></html>", None, False),
        ("http://h/live.m3u8", b"#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:4\n#EXTINF:4,\n", None, False),
        ("http://h/index.m3u8", b"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nlow.m3u8\n", None, False),
        ("http://h/api", b'{"user_info": {}}', "application/json", False),
    ],
)
def test_probe(target: str, head: bytes, content_type: str | None, expected: bool) -> None:
    assert M3USource.probe(target, head, content_type) is expected


# HTTP oddities ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "error", "message"),
    [
        (Fault.INVALID_JSON, ProtocolError, "binary data"),
        (Fault.WRONG_CONTENT_TYPE, ProtocolError, "HTML page"),
        (Fault.WRONG_CREDENTIALS, AuthenticationError, "HTTP 401"),
        (Fault.BANNED, AuthenticationError, "HTTP 403"),
        (Fault.ENDLESS, ResponseTooLarge, "cap"),
        (Fault.ENORMOUS, ResponseTooLarge, "cap"),
        (Fault.TRUNCATED, TruncatedResponse, "closed"),
    ],
)
def test_a_misbehaving_panel_is_explained(
    sim_fault: SimFault,
    fault_options: FetchOptions,
    sim_secrets: list[str],
    fault: Fault,
    error: type[Exception],
    message: str,
) -> None:
    panel = sim_fault(fault)
    with pytest.raises(error, match=message) as caught:
        M3USource().fetch(panel.urls["m3u_url"], fault_options)
    assert not any(secret in str(caught.value) for secret in sim_secrets)


def test_a_flaky_panel_is_retried_before_the_body_starts(
    sim_fault: SimFault, fault_options: FetchOptions
) -> None:
    panel = sim_fault(Fault.FLAKY)
    inventory = M3USource().fetch(panel.urls["m3u_url"], fault_options)
    assert inventory.kind is ServiceKind.M3U and inventory.counts()["live"] == SMALL.live


def test_a_playlist_served_in_small_chunks(serve: Serve) -> None:
    body = b"#EXTM3U\n" + b"".join(
        f"#EXTINF:-1,N{n}\nhttp://h/movie/u/p/{n}.mkv\n".encode() for n in range(2000)
    )

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for start in range(0, len(body), 1000):
            await send(
                {
                    "type": "http.response.body",
                    "body": body[start : start + 1000],
                    "more_body": True,
                }
            )
        await send({"type": "http.response.body", "body": b""})

    with serve(app) as base:
        inventory = M3USource().fetch(f"{base}/list.m3u", FetchOptions())
    assert inventory.counts()["film"] == 2000
    assert inventory.entries[-1].key == "film:1999"


# The fast Xtream path agrees with split_credentials ---------------------------------------

_SEGMENTS = st.text(st.sampled_from("ab9%@.:-_?#/ é"), min_size=0, max_size=6)


@settings(max_examples=400, deadline=None)
@given(
    scheme=st.sampled_from(["http", "https", "HTTP", "rtmp"]),
    host=st.sampled_from(["h", "h:8080", "u@h", "[::1]:80", "h é"]),
    segment=st.sampled_from(["live", "movie", "series", "timeshift", "Live"]),
    user=_SEGMENTS,
    secret=_SEGMENTS,
    tail=st.text(st.sampled_from("0123.tsmkv?#/ x"), max_size=8),
)
def test_the_fast_xtream_path_splits_as_split_credentials_does(
    scheme: str, host: str, segment: str, user: str, secret: str, tail: str
) -> None:
    url = f"{scheme}://{host}/{segment}/{user}/{secret}/{tail}"
    builder = PlaylistBuilder("/x.m3u")
    fast = builder._xtream(url)
    if fast is None:
        return
    shown, found = split_credentials(url)
    assert found is not None
    assert (fast[1], builder.inventory.credentials[fast[2]]) == (shown, found)
