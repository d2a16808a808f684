"""capture(): HLS (VOD, live, master, TS, fMP4), direct URLs and files, and hostile sources."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

import av
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from castwatch.errors import (
    CorruptMedia,
    EncryptedMedia,
    HttpStatusError,
    MediaError,
    ProtocolError,
    ResponseTooLarge,
    SourceError,
    SourceTimeout,
    TruncatedResponse,
)
from castwatch.fingerprint.capture import Capture, capture
from castwatch.fingerprint.probe import media_span
from castwatch.net.policy import FetchOptions
from tests.sources.hls_media import GARBAGE, HlsApp, encoded_file, rendition, serving

OPTIONS = FetchOptions(timeout=2.0, retries=1, backoff=0.01)


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serving(HlsApp()) as url:
        yield url


def _capture(source: str | Path, evidence: Path, **kwargs: Any) -> Capture:
    return capture(source, evidence_dir=evidence, options=OPTIONS, **kwargs)


def _check_record(result: Capture, evidence: Path) -> bytes:
    """The invariants every capture keeps; returns the evidence file's bytes."""
    data = result.path.read_bytes()
    assert result.path.parent == evidence
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.path.stem == result.sha256
    assert result.size == len(data)
    assert result.started_at.tzinfo is UTC and result.started_at <= result.finished_at
    assert not list(evidence.glob("*.partial"))
    for thumbnail in result.thumbnails:
        with av.open(str(thumbnail)) as image:
            frame = next(image.decode(video=0))
            assert (frame.width, frame.height) == (64, 36)
    record = json.loads(result.to_json())
    assert record["sha256"] == result.sha256 and record["path"] == str(result.path)
    return data


def test_hls_vod_ts_stops_at_the_seconds_asked(base_url: str, tmp_path: Path) -> None:
    result = _capture(f"{base_url}/vod/ts/index.m3u8", tmp_path, seconds=3)
    data = _check_record(result, tmp_path)
    assert data == b"".join(rendition("ts").segments[:3])
    assert result.media_type == "video/mp2t" and result.path.suffix == ".ts"
    assert result.duration_s == pytest.approx(3.0, abs=0.15)
    assert result.segment_urls == tuple(f"{base_url}/vod/ts/seg{n}.ts" for n in range(3))
    assert len(result.thumbnails) == 3
    assert len({t.read_bytes() for t in result.thumbnails}) == 3  # three different frames


def test_hls_fmp4_keeps_the_init_segment_first(base_url: str, tmp_path: Path) -> None:
    result = _capture(f"{base_url}/vod/fmp4/index.m3u8", tmp_path, seconds=2, thumbnails=1)
    media = rendition("fmp4")
    assert _check_record(result, tmp_path) == (media.init or b"") + b"".join(media.segments[:2])
    assert result.media_type == "video/mp4"
    assert result.segment_urls[0] == f"{base_url}/vod/fmp4/init.mp4"
    assert result.duration_s == pytest.approx(2.0, abs=0.15)
    assert len(result.thumbnails) == 1


def test_short_vod_gives_what_it_has_and_master_picks_lowest(base_url: str, tmp_path: Path) -> None:
    result = _capture(f"{base_url}/master.m3u8", tmp_path, seconds=60, thumbnails=0)
    assert result.media_type == "video/mp2t"  # the ts variant has the lower bandwidth
    assert result.duration_s == pytest.approx(6.0, abs=0.15)
    assert result.thumbnails == ()
    again = _capture(f"{base_url}/vod/ts/index.m3u8", tmp_path, seconds=60, thumbnails=0)
    assert again.path == result.path  # same bytes, same evidence file


def test_live_hls_follows_new_segments(base_url: str, tmp_path: Path) -> None:
    result = _capture(f"{base_url}/live/ts/index.m3u8", tmp_path, seconds=4, thumbnails=2)
    _check_record(result, tmp_path)
    sequences = [int(url.rsplit("seg", 1)[1].split(".")[0]) for url in result.segment_urls]
    assert len(sequences) == 4
    assert sequences == list(range(sequences[0], sequences[0] + 4))
    assert result.duration_s == pytest.approx(4.0, abs=0.15)


def test_continuous_ts_stops_once_it_decodes_to_the_seconds(base_url: str, tmp_path: Path) -> None:
    result = _capture(f"{base_url}/direct.ts", tmp_path, seconds=3)
    whole = rendition("ts", 20).whole
    assert _check_record(result, tmp_path) == whole[: result.size]
    assert result.size < len(whole)
    assert 3.0 <= result.duration_s < 20.0
    assert result.segment_urls == ()


def test_direct_stream_stops_at_max_bytes(base_url: str, tmp_path: Path) -> None:
    result = _capture(f"{base_url}/direct.ts", tmp_path, seconds=100, max_bytes=60_000)
    assert result.size == 60_000
    assert 0 < result.duration_s < 5


def test_direct_mp4(base_url: str, tmp_path: Path) -> None:
    result = _capture(f"{base_url}/direct.mp4", tmp_path)
    assert result.media_type == "video/mp4"
    assert result.duration_s == pytest.approx(3.0, abs=0.15)


def test_local_files(tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    mkv = tmp_path / "clip.mkv"
    mkv.write_bytes(encoded_file("matroska", 2))
    result = _capture(mkv, evidence)
    assert result.media_type == "video/x-matroska" and result.path.suffix == ".mkv"
    assert result.source_url == mkv.resolve().as_uri()
    assert result.duration_s == pytest.approx(2.0, abs=0.15)
    assert _capture(str(mkv), evidence).sha256 == result.sha256
    assert _capture(mkv.as_uri(), evidence).sha256 == result.sha256


def test_truncated_ts_file_gives_what_decodes(tmp_path: Path) -> None:
    whole = rendition("ts", 20).whole
    cut = tmp_path / "cut.ts"
    cut.write_bytes(whole[: len(whole) * 3 // 10 + 77])  # mid-packet
    result = _capture(cut, tmp_path / "evidence", seconds=60)
    assert 4.0 < result.duration_s < 7.0


@pytest.mark.parametrize(
    ("path", "options", "error", "message"),
    [
        ("/garbage.ts", {}, CorruptMedia, "not a readable"),
        ("/garbage/index.m3u8", {}, CorruptMedia, "not a readable"),
        ("/page.ts", {}, ProtocolError, "HTML"),
        ("/endless.ts", {"max_bytes": 300_000}, CorruptMedia, "not a readable"),
        ("/endless/index.m3u8", {}, ResponseTooLarge, "playlist is over"),
        ("/slow.ts", {"timeout_s": 1.0}, SourceTimeout, "within 1 s"),
        ("/stale/index.m3u8", {"timeout_s": 1.5}, SourceTimeout, "within 1.5 s"),
        ("/truncated/ts/index.m3u8", {}, TruncatedResponse, "connection closed"),
        ("/missing/ts/index.m3u8", {}, HttpStatusError, "HTTP 404"),
        ("/html-segments/ts/index.m3u8", {}, ProtocolError, "HTML page"),
        ("/encrypted/index.m3u8", {}, EncryptedMedia, "AES-128"),
        ("/cenc/index.m3u8", {}, EncryptedMedia, "pssh"),
        ("/huge/index.m3u8", {}, ProtocolError, "30,000 segments"),
        ("/loop/a.m3u8", {}, ProtocolError, "loop"),
        ("/channels.m3u", {}, ProtocolError, "channel list"),
        ("/vod/ts/index.m3u8", {"max_bytes": 10_000}, ResponseTooLarge, "cap"),
    ],
)
def test_hostile_sources_fail_clearly_and_leave_nothing(
    base_url: str,
    tmp_path: Path,
    path: str,
    options: dict[str, Any],
    error: type[SourceError | MediaError],
    message: str,
) -> None:
    with pytest.raises(error, match=message) as caught:
        _capture(base_url + path, tmp_path, **options)
    assert base_url.split("//")[1].split(":")[0] in str(caught.value)  # names the source
    assert list(tmp_path.iterdir()) == []


def test_local_and_unsupported_sources_fail_clearly(tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    garbage = tmp_path / "garbage.ts"
    garbage.write_bytes(GARBAGE)
    with pytest.raises(CorruptMedia):
        _capture(garbage, evidence)
    with pytest.raises(SourceError, match="cannot read the file"):
        _capture(tmp_path / "absent.ts", evidence)
    playlist = tmp_path / "index.m3u8"
    playlist.write_text("#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n0.ts\n")
    with pytest.raises(ProtocolError, match="playlist"):
        _capture(playlist, evidence)
    with pytest.raises(SourceError, match="rtmp"):
        _capture("rtmp://h/live/stream", evidence)
    empty = tmp_path / "empty.ts"
    empty.write_bytes(b"")
    with pytest.raises(CorruptMedia, match="no bytes"):
        _capture(empty, evidence)
    with pytest.raises(ValueError):
        _capture(garbage, evidence, seconds=0)
    assert list(evidence.iterdir()) == []


def test_media_span_of_partial_files(tmp_path: Path) -> None:
    whole = rendition("ts", 20).whole
    part = tmp_path / "part.ts"
    spans = []
    for fraction in (0.0, 0.1, 0.5, 1.0):
        part.write_bytes(whole[: int(len(whole) * fraction)])
        spans.append(media_span(part))
    assert spans[0] == 0.0
    assert spans == sorted(spans)
    assert spans[-1] == pytest.approx(20.0, abs=0.15)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    head=st.sampled_from([b"", b"\x47", b"#EXTM3U\n", b"<html>", b"\x00\x00\x00\x18ftyp"]),
    body=st.binary(max_size=4000),
    cut=st.integers(0, 30_000),
)
def test_any_bytes_capture_or_fail_cleanly(
    tmp_path: Path, head: bytes, body: bytes, cut: int
) -> None:
    # Real media cut anywhere, garbage, or both: a capture or a castwatch error, nothing else.
    source = tmp_path / "probe.ts"
    source.write_bytes(head + body + rendition("ts").whole[:cut])
    evidence = tmp_path / "evidence"
    try:
        result = _capture(source, evidence, thumbnails=1)
    except (SourceError, MediaError):
        assert not list(evidence.glob("*.partial"))
        return
    assert result.duration_s > 0
    assert result.path.read_bytes() == source.read_bytes()
