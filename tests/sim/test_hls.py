"""The simulator's video: channel keys, live HLS and MPEG-TS feeds, references, film clips."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import av
import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from castwatch.errors import ProtocolError, ResponseTooLarge, TruncatedResponse
from castwatch.fingerprint.capture import Capture, capture
from castwatch.net.hls import MediaPlaylist, parse_playlist
from castwatch.net.policy import FetchOptions
from castwatch.sim import Fault, SimServer, naming
from castwatch.sim.catalog import generate_catalog
from castwatch.sim.hls import (
    CLIP_S,
    DAY_S,
    SEGMENT_S,
    WINDOW,
    channel_keys,
    live_playlist,
    live_sequence,
    reference_url,
)
from tests.sim.conftest import SMALL

OPTIONS = FetchOptions(timeout=5.0, retries=1, backoff=0.01)


def _capture(url: str, evidence: Path, seconds: float = 4.0) -> Capture:
    return capture(url, seconds=seconds, evidence_dir=evidence, options=OPTIONS, thumbnails=1)


def _size(png: Path) -> tuple[int, int]:
    with av.open(str(png)) as image:
        frame = next(image.decode(video=0))
        return frame.width, frame.height


def test_every_feed_of_a_brand_carries_the_brand_channel() -> None:
    live = generate_catalog(live=6000, films=0, series=0, episodes=0).live
    keys = channel_keys(live)
    assert len(keys) == len(live)
    # Wherever a feed has a tvg-id, the key is the registry id of that channel; backups
    # without one get their brand's.
    assert all(
        key == naming.REGISTRY_IDS.get(c.epg_channel_id, c.epg_channel_id)
        for key, c in zip(keys, live, strict=True)
        if c.epg_channel_id
    )
    feeds = Counter(keys)
    brands_per_channel = Counter(brand.channel_id for brand in naming.BRANDS)
    assert all(
        2 <= feeds[brand.channel_id] <= 5 * brands_per_channel[brand.channel_id]
        for brand in naming.BRANDS
    )
    assert feeds["beINSports1.qa"] >= 4  # the French and the Arabic brand: one channel
    backups = [k for k, c in zip(keys, live, strict=True) if not c.epg_channel_id][:40]
    assert any(key in {b.channel_id for b in naming.BRANDS} for key in backups)
    assert all(key.startswith("sim-live-") or "." in key for key in keys)


@settings(max_examples=200, deadline=None)
@given(st.floats(1e6, 4e9, allow_nan=False))
def test_live_playlist_is_a_sliding_window_castwatch_reads(now: float) -> None:
    playlist = parse_playlist(live_playlist("/x/", now).decode(), "http://h/live.m3u8")
    assert isinstance(playlist, MediaPlaylist) and not playlist.ended
    assert playlist.target_duration == SEGMENT_S
    assert len(playlist.segments) == WINDOW
    assert playlist.last_sequence == live_sequence(now) - 1  # only complete segments
    assert playlist.segments[-1].url == f"http://h/x/{playlist.last_sequence}.ts"
    for segment in playlist.segments[1:]:
        assert segment.discontinuity == ((segment.sequence * SEGMENT_S) % DAY_S == 0)


def test_nothing_is_encoded_until_asked(sim: SimServer, client: httpx.Client) -> None:
    assert sim.app is not None
    before = sim.app.media.cache.encoded
    client.get(sim.urls["m3u_url"])
    feed = sim.live_feed(3)
    assert client.get(feed.hls_url).status_code == 200
    assert sim.app.media.cache.encoded == before  # a playlist costs no encoding


def test_service_feed_and_reference_capture(sim: SimServer, tmp_path: Path) -> None:
    assert sim.app is not None
    feed = sim.live_feed(7)
    assert feed.channel_key == "CanalPlusSport.fr"
    assert feed.reference_url == reference_url(sim.base_url, feed.channel_key)
    restreamed = _capture(feed.hls_url, tmp_path)
    reference = _capture(feed.reference_url, tmp_path)
    for probe in (restreamed, reference):
        assert probe.media_type == "video/mp2t"
        assert probe.duration_s >= 4.0 - 0.2
    assert "{username}/{password}" in restreamed.segment_urls[0]
    assert _size(reference.thumbnails[0]) == (320, 180)
    assert restreamed.sha256 != reference.sha256
    # A segment asked again comes from the cache, byte for byte.
    encoded = sim.app.media.cache.encoded
    segment = restreamed.segment_urls[0].replace("{username}", sim.config.username)
    segment = segment.replace("{password}", sim.config.password)
    with httpx.Client(timeout=10) as client:
        again = client.get(segment)
    assert again.status_code == 200 and again.headers["content-type"] == "video/mp2t"
    assert again.content == restreamed.path.read_bytes()[: len(again.content)]
    assert sim.app.media.cache.encoded == encoded


def test_continuous_ts_stream(sim: SimServer, tmp_path: Path) -> None:
    probe = _capture(sim.live_feed(12).ts_url, tmp_path, seconds=3.0)
    assert probe.media_type == "video/mp2t"
    assert probe.duration_s >= 3.0
    assert probe.segment_urls == ()


def test_film_clip(sim: SimServer, tmp_path: Path) -> None:
    film = generate_catalog(**SMALL).films[0]  # type: ignore[arg-type]
    url = f"{sim.base_url}/movie/{sim.config.username}/{sim.config.password}/{film.stream_id}.mp4"
    probe = _capture(url, tmp_path, seconds=60)
    assert probe.media_type == "video/mp4"
    assert probe.duration_s == pytest.approx(CLIP_S, abs=0.2)


def test_refusals(sim: SimServer, client: httpx.Client) -> None:
    base, user, secret = sim.base_url, sim.config.username, sim.config.password
    now = live_sequence()
    assert client.get(f"{base}/live/{user}/wrong/1.m3u8").status_code == 401
    assert client.get(f"{base}/hls/{user}/wrong/1/{now - 1}.ts").status_code == 401
    assert client.get(f"{base}/live/{user}/{secret}/99999.m3u8").status_code == 404
    assert client.get(f"{base}/live/{user}/{secret}/1.mp4").status_code == 404
    assert client.get(f"{base}/hls/{user}/{secret}/1/{now + 5}.ts").status_code == 404
    assert client.get(f"{base}/hls/{user}/{secret}/1/{now - 1000}.ts").status_code == 404
    assert client.get(f"{base}/ref/NoSuchChannel.fr/index.m3u8").status_code == 404
    assert client.get(f"{base}/movie/{user}/{secret}/1.mp4").status_code == 404
    assert client.get(f"{base}/movie/{user}/{secret}/100001.flv").status_code == 404
    assert client.get(f"{base}/series/{user}/{secret}/7.mkv").status_code == 404


@pytest.mark.parametrize(("fault", "status"), [(Fault.WRONG_CREDENTIALS, 401), (Fault.BANNED, 403)])
def test_account_faults_apply_to_streams(fault: Fault, status: int) -> None:
    with SimServer(fault=fault, **SMALL) as sim, httpx.Client(timeout=10) as client:
        assert client.get(sim.live_feed(1).hls_url).status_code == status


@pytest.mark.parametrize(
    ("fault", "which", "error", "message"),
    [
        (Fault.WRONG_CONTENT_TYPE, "hls", ProtocolError, "HTML page"),
        (Fault.ENDLESS, "hls", ResponseTooLarge, "playlist is over"),
        (Fault.TRUNCATED, "ts", TruncatedResponse, "closed"),
    ],
)
def test_body_faults_reach_the_streams(
    fault: Fault, which: str, error: type[Exception], message: str, tmp_path: Path
) -> None:
    with SimServer(fault=fault, **SMALL) as sim:
        feed = sim.live_feed(2)
        with pytest.raises(error, match=message):
            # Long enough that the cut comes before the capture has its seconds.
            _capture(feed.hls_url if which == "hls" else feed.ts_url, tmp_path, seconds=30)
    assert list(tmp_path.iterdir()) == []
