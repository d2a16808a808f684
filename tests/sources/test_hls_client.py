"""The HLS client: playlist parsing (with properties), and a real HLS server, good and hostile."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from castwatch.errors import (
    EncryptedMedia,
    HttpStatusError,
    MediaError,
    ProtocolError,
    ResponseTooLarge,
    SourceError,
    SourceTimeout,
)
from castwatch.net.hls import (
    HlsClient,
    HlsLimits,
    MasterPlaylist,
    MediaPlaylist,
    Segment,
    VariantChoice,
    choose_variant,
    parse_playlist,
    refuse_protected_init,
)
from castwatch.net.policy import FetchOptions
from tests.sources.hls_media import MASTER, HlsApp, media_playlist, rendition, serving

BASE = "http://panel.example:8080/live/u/p/"
#: Fast pace for live tests: no test waits a real target duration.
FAST = HlsLimits(min_reload_s=0.02, max_reload_s=0.05, stall_target_durations=0.3)
OPTIONS = FetchOptions(timeout=2.0, retries=1, backoff=0.01, max_bytes=2_000_000)


@pytest.fixture(scope="module")
def hls_app() -> HlsApp:
    return HlsApp()


@pytest.fixture(scope="module")
def base_url(hls_app: HlsApp) -> Iterator[str]:
    with serving(hls_app) as url:
        yield url


async def _collect(url: str, count: int, prefer: VariantChoice = "lowest") -> list[Segment]:
    async with HlsClient(OPTIONS, FAST) as hls:
        found = []
        async for _, segment in hls.follow(url, prefer):
            found.append(segment)
            if len(found) == count:
                break
        return found


# -- parsing -------------------------------------------------------------------------------


def test_master_playlist_variants_and_choice() -> None:
    master = parse_playlist(MASTER, "http://h:1/master.m3u8")
    assert isinstance(master, MasterPlaylist)
    assert [v.bandwidth for v in master.variants] == [900_000, 150_000]
    assert choose_variant(master).url == "http://h:1/vod/ts/index.m3u8"
    assert choose_variant(master, "highest").url == "http://h:1/vod/fmp4/index.m3u8"
    assert master.variants[1].resolution == (64, 36)


def test_media_playlist_ts_and_fmp4() -> None:
    ts = parse_playlist(media_playlist(rendition("ts"), "", first=7, count=3), BASE + "1.m3u8")
    assert isinstance(ts, MediaPlaylist)
    assert [s.sequence for s in ts.segments] == [7, 8, 9]
    assert ts.segments[0].url == BASE + "seg7.ts"
    assert ts.segments[0].init_url is None
    assert ts.ended and ts.target_duration == 1.0 and ts.last_sequence == 9

    fmp4 = parse_playlist(media_playlist(rendition("fmp4"), "seg/", ended=False), BASE + "1.m3u8")
    assert isinstance(fmp4, MediaPlaylist)
    assert not fmp4.ended
    assert {s.init_url for s in fmp4.segments} == {BASE + "seg/init.mp4"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("<!DOCTYPE html><html>Please log in</html>", "HTML page"),
        ("", "empty body"),
        ('#EXTM3U\n#EXTINF:-1 tvg-id="x",News\nhttp://h/1.ts\n', "channel list"),
        ("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-BYTERANGE:10@0\n#EXTINF:2,\na.ts\n", "byte"),
        ("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nfile:///etc/passwd\n", "not HTTP"),
        ("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:nan,\na.ts\n", "duration"),
        ("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:abc,\na.ts\n", "unreadable"),
        ("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=x\nv.m3u8\n", "HLS playlist"),
        ("#EXTM3U\n", "neither"),
    ],
)
def test_unusable_playlists_are_protocol_errors(body: str, message: str) -> None:
    with pytest.raises(ProtocolError, match=message) as caught:
        parse_playlist(body, BASE + "index.m3u8")
    assert "/u/p/" not in str(caught.value)  # credentials never shown


@pytest.mark.parametrize(
    "body",
    [
        media_playlist(rendition("ts"), "", extra='#EXT-X-KEY:METHOD=AES-128,URI="k"'),
        media_playlist(rendition("ts"), "", extra='#EXT-X-KEY:METHOD=SAMPLE-AES,URI="k"'),
        '#EXTM3U\n#EXT-X-SESSION-KEY:METHOD=AES-128,URI="k"\n'
        "#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8\n",
    ],
)
def test_encrypted_playlists_are_refused(body: str) -> None:
    with pytest.raises(EncryptedMedia, match="does not decrypt"):
        parse_playlist(body, BASE + "index.m3u8")


def test_method_none_is_not_encryption() -> None:
    body = media_playlist(rendition("ts"), "", extra="#EXT-X-KEY:METHOD=NONE")
    assert isinstance(parse_playlist(body, BASE + "index.m3u8"), MediaPlaylist)


def test_protected_init_segment_is_refused() -> None:
    refuse_protected_init(rendition("fmp4").init or b"", BASE + "init.mp4")
    with pytest.raises(EncryptedMedia, match="pssh"):
        refuse_protected_init(b"\0\0\0\x20pssh" + bytes(24), BASE + "init.mp4")


def test_too_many_segments_refused_before_parsing() -> None:
    body = media_playlist(rendition("ts"), "", count=50)
    with pytest.raises(ProtocolError, match="50 segments"):
        parse_playlist(body, BASE + "index.m3u8", HlsLimits(max_segments=10))


_TAGS = st.sampled_from(
    [
        "#EXT-X-TARGETDURATION:",
        "#EXT-X-MEDIA-SEQUENCE:",
        "#EXTINF:",
        "#EXT-X-ENDLIST",
        "#EXT-X-KEY:METHOD=",
        "#EXT-X-MAP:URI=",
        "#EXT-X-STREAM-INF:BANDWIDTH=",
        "#EXT-X-BYTERANGE:",
        "#EXT-X-DISCONTINUITY",
        "#EXT-X-SESSION-KEY:METHOD=",
        "",
    ]
)
_LINES = st.lists(st.tuples(_TAGS, st.text(max_size=12)).map("".join), max_size=12)


@settings(max_examples=300, deadline=None)
@given(_LINES)
def test_any_playlist_text_parses_or_is_refused_cleanly(lines: list[str]) -> None:
    text = "\n".join(["#EXTM3U", *lines])
    try:
        playlist = parse_playlist(text, BASE + "index.m3u8")
    except (ProtocolError, EncryptedMedia):
        return
    if isinstance(playlist, MediaPlaylist):
        assert all(s.url.startswith(("http://", "https://")) for s in playlist.segments)
        assert all(0 <= s.duration <= 3600 for s in playlist.segments)
        assert [s.sequence for s in playlist.segments] == list(
            range(playlist.media_sequence, playlist.last_sequence + 1)
        )
    else:
        assert playlist.variants


@settings(max_examples=100, deadline=None)
@given(
    first=st.integers(0, 2**40),
    durations=st.lists(
        st.floats(0.0, 30.0, allow_nan=False).map(lambda d: round(d, 3)), max_size=20
    ),
    ended=st.booleans(),
)
def test_media_playlist_round_trip(first: int, durations: list[float], ended: bool) -> None:
    lines = ["#EXTM3U", "#EXT-X-TARGETDURATION:30", f"#EXT-X-MEDIA-SEQUENCE:{first}"]
    for index, duration in enumerate(durations):
        lines += [f"#EXTINF:{duration},", f"s{index}.ts?token=abc"]
    if ended:
        lines.append("#EXT-X-ENDLIST")
    playlist = parse_playlist("\n".join(lines), BASE + "index.m3u8")
    assert isinstance(playlist, MediaPlaylist)
    assert playlist.ended is ended
    assert [s.duration for s in playlist.segments] == durations
    assert [s.url for s in playlist.segments] == [
        f"{BASE}s{i}.ts?token=abc" for i in range(len(durations))
    ]
    assert playlist.segments == () or playlist.segments[0].sequence == first


# -- against a real server ------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["ts", "fmp4"])
def test_vod_yields_every_segment_in_order(base_url: str, kind: str) -> None:
    segments = asyncio.run(_collect(f"{base_url}/vod/{kind}/index.m3u8", 100))
    assert [s.sequence for s in segments] == list(range(6))
    assert sum(s.duration for s in segments) == pytest.approx(6.0)
    if kind == "fmp4":
        assert all(s.init_url == f"{base_url}/vod/fmp4/init.mp4" for s in segments)


@pytest.mark.parametrize(("prefer", "kind"), [("lowest", "ts"), ("highest", "fmp4")])
def test_master_follows_the_chosen_variant(base_url: str, prefer: VariantChoice, kind: str) -> None:
    segments = asyncio.run(_collect(f"{base_url}/master.m3u8", 2, prefer=prefer))
    assert segments[0].url == f"{base_url}/vod/{kind}/seg0.{'ts' if kind == 'ts' else 'm4s'}"


def test_live_follows_the_sliding_window(base_url: str, hls_app: HlsApp) -> None:
    before = hls_app.live_requests["/live/ts/"]
    segments = asyncio.run(_collect(f"{base_url}/live/ts/index.m3u8", 8))
    sequences = [s.sequence for s in segments]
    # Starts at the live edge of the first window, then one new segment per reload, no gaps.
    assert sequences == list(range(sequences[0], sequences[0] + 8))
    assert sequences[0] == 100 + before
    assert hls_app.live_requests["/live/ts/"] - before >= 6


def test_segment_bytes_and_content_checks(base_url: str) -> None:
    async def work() -> None:
        async with HlsClient(OPTIONS, FAST) as hls:
            assert await hls.segment(f"{base_url}/vod/ts/seg0.ts") == rendition("ts").segments[0]
            with pytest.raises(ProtocolError, match="HTML page"):
                await hls.segment(f"{base_url}/html-segments/ts/seg0.ts")
            with pytest.raises(HttpStatusError) as missing:
                await hls.segment(f"{base_url}/missing/ts/seg0.ts")
            assert missing.value.status == 404

    asyncio.run(work())


def test_playlist_with_wrong_content_type_is_still_read(base_url: str) -> None:
    assert len(asyncio.run(_collect(f"{base_url}/octet/index.m3u8", 100))) == 6


@pytest.mark.parametrize(
    ("path", "error", "message"),
    [
        ("/endless/index.m3u8", ResponseTooLarge, "playlist is over"),
        ("/huge/index.m3u8", ProtocolError, "30,000 segments"),
        ("/loop/a.m3u8", ProtocolError, "loop"),
        ("/stale/index.m3u8", SourceTimeout, "not advanced"),
        ("/backwards/index.m3u8", ProtocolError, "went back"),
        ("/encrypted/index.m3u8", EncryptedMedia, "METHOD=AES-128"),
        ("/channels.m3u", ProtocolError, "channel list"),
        ("/page.ts", ProtocolError, "HTML page"),
        ("/nothing-here.m3u8", HttpStatusError, "HTTP 404"),
    ],
)
def test_hostile_playlists_fail_clearly(
    base_url: str, path: str, error: type[SourceError | MediaError], message: str
) -> None:
    with pytest.raises(error, match=message):
        asyncio.run(_collect(base_url + path, 50))
