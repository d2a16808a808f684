"""Playlist shapes met in real lists and in other parsers' test suites, each with its entries.

Written for castwatch from the shapes (no file copied): separator lines between groups,
quoted values that run over a line end, Kodi's ``|Header=value`` suffix, the short Xtream
``/USER/PASS/ID`` form, live channels filed under "Movies", public CDN URLs that carry no
account. Each test reads a playlist file through the M3U source and checks every entry.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from castwatch.catalog import Credentials, Entry, EntryKind, Inventory
from castwatch.catalog.credentials import PASSWORD, USERNAME
from castwatch.errors import ProtocolError
from castwatch.net.policy import FetchOptions
from castwatch.sources.clients import m3u
from castwatch.sources.m3u import M3USource, PlaylistBuilder


def read(tmp_path: Path, text: str) -> Inventory:
    path = tmp_path / "list.m3u"
    path.write_text(text, encoding="utf-8")
    return M3USource().fetch(str(path), FetchOptions())


def warning(inventory: Inventory, reason: str) -> str:
    (line,) = [w for w in inventory.warnings if reason in w]
    return line


# Separators -------------------------------------------------------------------------------


SEPARATED = """#EXTM3U
#EXTINF:-1 group-title="Sudan",=====sudan=====
http://localhost/
#EXTINF:-1 tvg-id="sudan.tv" group-title="Sudan",Sudan TV
http://cdn.example.net/sudan/index.m3u8
#EXTINF:-1 group-title="UHD",---UHD | 4K Channels
#EXTINF:-1 group-title="UHD",UHD One
http://cdn.example.net/uhd1/index.m3u8
#EXTINF:-1,### NEWS ###
http://0.0.0.0
#EXTINF:-1,━━━━ SPORT ━━━━
#
#EXTINF:-1,***** Kids *****
http://panel.example.net:8080/
#EXTINF:-1,=== Live Event ===
http://cdn.example.net/event/index.m3u8
"""


def test_separators_are_counted_not_entries(tmp_path: Path) -> None:
    inventory = read(tmp_path, SEPARATED)
    assert [(e.name, e.kind) for e in inventory.entries] == [
        ("Sudan TV", EntryKind.LIVE),
        ("UHD One", EntryKind.LIVE),
        # A separator-looking title with a real stream is a channel like any other.
        ("=== Live Event ===", EntryKind.LIVE),
    ]
    assert warning(inventory, m3u.SEPARATOR) == f"5 × {m3u.SEPARATOR}, first at line 2"
    assert not any(m3u.DROPPED_EXTINF in w for w in inventory.warnings)


def test_a_playlist_of_separators_only_says_so(tmp_path: Path) -> None:
    text = "#EXTM3U\n#EXTINF:-1,=====A=====\nhttp://localhost\n#EXTINF:-1,-----B-----\n"
    with pytest.raises(ProtocolError, match="only 2 separator titles"):
        read(tmp_path, text)


@pytest.mark.parametrize(
    ("title", "separator"),
    [
        ("=====sudan=====", True),
        ("---UHD | 4K Channels", True),
        ("### NEWS ###", True),
        ("━━━━ SPORT ━━━━", True),
        ("*****", True),
        ("Kids ====", True),
        ("-", True),
        ("CANAL+ HD", False),
        ("Sci-Fi Channel", False),
        ("#1 Hits", False),
        ("", False),
        ("A - B", False),
    ],
)
def test_separator_titles(title: str, separator: bool) -> None:
    assert m3u.is_separator_title(title) is separator


# Quoted values over line ends -------------------------------------------------------------


def test_a_quoted_value_may_span_lines(tmp_path: Path) -> None:
    text = (
        "#EXTM3U\n"
        '#EXTINF:-1 tvg-id="a.tv" tvg-name="Arte\n'
        'Concert" group-title="Music",Arte Concert\n'
        "http://cdn.example.net/arte/index.m3u8\n"
        "#EXTINF:-1,Next\nhttp://cdn.example.net/next.ts\n"
    )
    inventory = read(tmp_path, text)
    assert [(e.name, e.tvg_name, e.group, e.url) for e in inventory.entries] == [
        ("Arte Concert", "Arte Concert", "Music", "http://cdn.example.net/arte/index.m3u8"),
        ("Next", None, None, "http://cdn.example.net/next.ts"),
    ]
    assert warning(inventory, m3u.JOINED_QUOTE).endswith("first at line 2")


def test_a_quote_that_never_closes_swallows_nothing(tmp_path: Path) -> None:
    text = (
        '#EXTM3U\n#EXTINF:-1 tvg-name="never closed\n'
        "http://cdn.example.net/1.ts\n"
        "#EXTINF:-1,Two\nhttp://cdn.example.net/2.ts\n"
        '#EXTINF:-1 tvg-name="open at the end\n'
    )
    inventory = read(tmp_path, text)
    assert [(e.name, e.tvg_name, e.url) for e in inventory.entries] == [
        ("never closed", "never closed", "http://cdn.example.net/1.ts"),
        ("Two", None, "http://cdn.example.net/2.ts"),
    ]
    assert warning(inventory, m3u.UNCLOSED_QUOTE).startswith("2 × ")


def test_a_quote_open_at_the_end_of_the_file_keeps_its_text_line(tmp_path: Path) -> None:
    inventory = read(tmp_path, '#EXTINF:-1 tvg-name="x\nhttp://h.example.net/1.ts\nstray text')
    assert [e.url for e in inventory.entries] == ["http://h.example.net/1.ts", "stray text"]


_WORDS = (
    st.text(st.sampled_from("abcXYZ 019é+&"), min_size=1, max_size=12).map(str.strip).filter(bool)
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    head=_WORDS,
    tail=_WORDS,
    blanks=st.integers(0, 2),
    cuts=st.lists(st.integers(0, 400), max_size=4),
)
def test_a_value_split_over_lines_reads_as_one(
    head: str, tail: str, blanks: int, cuts: list[int]
) -> None:
    text = (
        f'#EXTINF:-1 tvg-name="{head}\n' + "\n" * blanks + f'{tail}" group-title="G",T\n'
        "http://h.example.net/1.ts\n#EXTINF:-1,U\nhttp://h.example.net/2.ts\n"
    )
    parser = m3u.M3UParser()
    bounds = [0, *sorted(cuts), len(text)]
    items = [i for a, b in itertools.pairwise(bounds) for i in parser.feed(text[a:b])]
    items += parser.close()
    assert [(i.attrs, i.title, i.url) for i in items] == [
        ({"tvg-name": f"{head} {tail}", "group-title": "G"}, "T", "http://h.example.net/1.ts"),
        ({}, "U", "http://h.example.net/2.ts"),
    ]
    assert parser.lines == text.count("\n")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.just('#EXTINF:-1 tvg-name="open'),
            st.just("#EXTINF:-1,=====Sep====="),
            st.just("#EXTINF:-1,Plain"),
            st.just("http://h.example.net/s.ts"),
            st.just("free text"),
            st.just('x" y="z",T'),
            st.just(""),
        ),
        max_size=30,
    )
)
def test_open_quotes_and_separators_never_lose_a_url(lines: list[str]) -> None:
    items = list(m3u.parse_m3u(["\n".join(lines)]))
    urls = [i.url for i in items if i.url == "http://h.example.net/s.ts"]
    assert len(urls) == lines.count("http://h.example.net/s.ts")


# Kodi header suffix ------------------------------------------------------------------------


def test_kodi_headers_are_split_off_before_kind_and_container(tmp_path: Path) -> None:
    text = (
        "#EXTM3U\n"
        "#EXTINF:-1,Film\n"
        "http://h.example.net/movie/bob/pw/12.mp4|User-Agent=VLC%2F3.0&Referer=http%3A%2F%2Fh%2F\n"
        '#EXTINF:-1 group-title="Cinema",Plain film\n'
        "https://cdn.example.net/vod/film.mp4|User-Agent=Mozilla/5.0\n"
        '#EXTINF:-1 group-title="News",Channel\n'
        "https://cdn.example.net/ch/index.m3u8|Referer=https://site.example.net/&Origin=x\n"
    )
    inventory = read(tmp_path, text)
    film, plain, channel = inventory.entries
    assert (film.key, film.kind, film.container, film.stream_id) == (
        "film:12",
        EntryKind.FILM,
        "mp4",
        "12",
    )
    assert film.url == f"http://h.example.net/movie/{USERNAME}/{PASSWORD}/12.mp4"
    assert film.extra == {"header:User-Agent": "VLC/3.0", "header:Referer": "http://h/"}
    assert (plain.kind, plain.container, plain.url) == (
        EntryKind.FILM,
        "mp4",
        "https://cdn.example.net/vod/film.mp4",
    )
    assert plain.extra == {"header:User-Agent": "Mozilla/5.0"}
    assert (channel.kind, channel.container) == (EntryKind.LIVE, "m3u8")
    assert channel.extra["header:Origin"] == "x"


# Short Xtream URLs and kind -----------------------------------------------------------------


def test_short_xtream_urls_get_the_player_api_keys(tmp_path: Path) -> None:
    text = (
        '#EXTINF:-1 group-title="Movies",One\nhttp://panel.example.net:8080/bob/pw/1234\n'
        "#EXTINF:-1,Two\nhttp://panel.example.net:8080/bob/pw/1235.ts\n"
        "#EXTINF:-1,Three\nhttp://panel.example.net:8080/bob/pw/1236.m3u8\n"
        "#EXTINF:-1,Four\nhttp://panel.example.net:8080/live/bob/pw/1237.ts\n"
    )
    inventory = read(tmp_path, text)
    assert [(e.key, e.kind, e.stream_id) for e in inventory.entries] == [
        ("live:1234", EntryKind.LIVE, "1234"),
        ("live:1235", EntryKind.LIVE, "1235"),
        ("live:1236", EntryKind.LIVE, "1236"),
        ("live:1237", EntryKind.LIVE, "1237"),
    ]
    assert inventory.credentials == [Credentials("bob", "pw")]
    assert {e.credential for e in inventory.entries} == {0}


@pytest.mark.parametrize(
    ("url", "group", "title", "kind"),
    [
        ("https://cdn.example.net/a/index.m3u8", "Movies", "x", EntryKind.LIVE),
        ("https://cdn.example.net/a/manifest.mpd", "SERIES", "x", EntryKind.LIVE),
        ("http://cdn.example.net/a/1.ts", "VOD", "x", EntryKind.LIVE),
        ("udp://@239.0.0.1:1234", "Movies", "x", EntryKind.LIVE),
        ("http://cdn.example.net/a/1.mkv", "TV Shows", "Show", EntryKind.EPISODE),
        ("http://cdn.example.net/a/1.mp4", "Movies", "Film", EntryKind.FILM),
        ("http://cdn.example.net/a/1.mp4", "Sport", "Show S02E07", EntryKind.EPISODE),
        ("http://cdn.example.net/a/1.mp4", "Sport", "Film", EntryKind.FILM),
        ("http://h.example.net/movie/u/p/7.ts", "Live", "x", EntryKind.FILM),
        ("http://h.example.net/series/u/p/8.m3u8", "", "x", EntryKind.EPISODE),
        ("http://cdn.example.net/play/123", "FILMS", "x", EntryKind.FILM),
    ],
)
def test_the_path_decides_then_the_container_then_the_group(
    tmp_path: Path, url: str, group: str, title: str, kind: EntryKind
) -> None:
    inventory = read(tmp_path, f'#EXTINF:-1 group-title="{group}",{title}\n{url}\n')
    assert [e.kind for e in inventory.entries] == [kind]


# Public CDN playlists --------------------------------------------------------------------


def test_a_public_cdn_playlist_invents_no_account_and_no_collision(tmp_path: Path) -> None:
    urls = [
        "https://akamai.example.net/hls/live/2003678/channel-uk/master.m3u8",
        "https://akamai.example.net/hls/live/2003679/channel-fr/master.m3u8",
        "https://globecast.example.net/live/ramdisk/channel_a/hls1/index.m3u8",
        "https://globecast.example.net/live/ramdisk/channel_b/hls1/index.m3u8",
        "https://wowza.example.net:1935/live/_definst_/ch5/playlist.m3u8",
        "https://wowza.example.net:1935/live/_definst_/ch6/playlist.m3u8",
        "http://tv.example.net/live/hls/playlist.m3u8",
        "http://tv.example.net/live/hls/index.m3u8",
        # The Xtream prefix with a file name, not a stream id, after it: no account either.
        "http://tv.example.net/live/chan/hd/playlist.m3u8",
    ]
    inventory = read(tmp_path, "".join(f"#EXTINF:-1,C{i}\n{u}\n" for i, u in enumerate(urls)))
    assert inventory.credentials == []
    assert [e.url for e in inventory.entries] == urls
    assert [e.key for e in inventory.entries] == [f"live:url:{u}" for u in urls]
    assert not any("more than once" in w for w in inventory.warnings)


def test_secret_query_parameters_are_split_from_entry_urls(tmp_path: Path) -> None:
    text = (
        "#EXTINF:-1,A\nhttps://cdn.example.net/a/index.m3u8?token=T0KEN1&lang=en\n"
        "#EXTINF:-1,B\nhttps://cdn.example.net/b/index.m3u8?token=T0KEN2\n"
    )
    inventory = read(tmp_path, text)
    assert "T0KEN" not in repr(inventory.entries)
    assert [e.url for e in inventory.entries] == [
        "https://cdn.example.net/a/index.m3u8?token={token}&lang=en",
        "https://cdn.example.net/b/index.m3u8?token={token}",
    ]
    assert inventory.credentials == [
        Credentials(secrets=(("token", "T0KEN1"),)),
        Credentials(secrets=(("token", "T0KEN2"),)),
    ]


_HEADER_NAMES = st.sampled_from(["User-Agent", "Referer", "Origin", "Cookie", "X-Forwarded-For"])
_HEADER_VALUES = st.text(st.sampled_from("abcXYZ019/:.;%- "), max_size=20)


@settings(max_examples=150, deadline=None)
@given(
    extension=st.sampled_from(["mp4", "mkv", "m3u8", "ts", "mpd"]),
    headers=st.dictionaries(_HEADER_NAMES, _HEADER_VALUES, min_size=1, max_size=4),
)
def test_any_kodi_suffix_leaves_url_container_and_kind_as_without_it(
    extension: str, headers: dict[str, str]
) -> None:
    from urllib.parse import quote_plus

    url = f"https://cdn.example.net/media/item.{extension}"
    suffix = "&".join(f"{name}={quote_plus(value)}" for name, value in headers.items())
    plain, suffixed = (
        _entries(f"#EXTINF:-1,T\n{target}\n")[0] for target in (url, f"{url}|{suffix}")
    )
    assert (suffixed.url, suffixed.container, suffixed.kind, suffixed.key) == (
        plain.url,
        plain.container,
        plain.kind,
        plain.key,
    )
    assert {k.removeprefix("header:"): v for k, v in suffixed.extra.items()} == headers


def _entries(text: str) -> list[Entry]:
    builder = PlaylistBuilder("/list.m3u")
    builder.feed(text.encode())
    return builder.finish().entries
