"""Media for the fingerprint tests, generated here: short synthetic programmes as real
H.264/AAC files, encoded once per session and shared (encoding is the slow part)."""

from __future__ import annotations

import io
from functools import cache

import av
import numpy as np
import pytest

from castwatch.fingerprint import Fingerprint, fingerprint_media
from castwatch.sim.programme import Programme
from castwatch.sim.restream import CLEAN, Restream, encode_clip

#: Seeds of the reference programmes; a reference is REFERENCE_S seconds from 0.
SEEDS = (101, 202, 303)
REFERENCE_S = 24.0


@cache
def clip(
    seed: int, restream: Restream = CLEAN, start_s: float = 0.0, seconds: float = 10.0
) -> bytes:
    """The bytes of an MPEG-TS clip of programme ``seed`` through ``restream``."""
    buffer = io.BytesIO()
    encode_clip(Programme(seed=seed), restream, start_s=start_s, seconds=seconds, output=buffer)
    return buffer.getvalue()


@cache
def reference_prints(seed: int) -> dict[str, Fingerprint]:
    return fingerprint_media(io.BytesIO(clip(seed, CLEAN, 0.0, REFERENCE_S)), keyframes_only=False)


@cache
def query_prints(
    seed: int, restream: Restream = CLEAN, start_s: float = 7.3
) -> dict[str, Fingerprint]:
    return fingerprint_media(io.BytesIO(clip(seed, restream, start_s, 10.0)))


@cache
def video_only_clip() -> bytes:
    """An MP4 with a picture but no sound."""
    buffer = io.BytesIO()
    programme = Programme(seed=7)
    with av.open(buffer, mode="w", format="mp4") as muxer:
        stream = muxer.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 320, 180, "yuv420p"
        stream.codec_context.options = {"preset": "ultrafast"}
        for index in range(40):
            frame = av.VideoFrame.from_ndarray(programme.frame(index), format="rgb24")
            frame.pts = index
            muxer.mux(stream.encode(frame))
        muxer.mux(stream.encode(None))
    return buffer.getvalue()


@cache
def audio_only_clip() -> bytes:
    """An MPEG-TS with sound but no picture."""
    buffer = io.BytesIO()
    programme = Programme(seed=8)
    with av.open(buffer, mode="w", format="mpegts") as muxer:
        stream = muxer.add_stream("aac", rate=16000, layout="mono")
        pcm = programme.audio(0, 16000 * 6)
        frame = av.AudioFrame.from_ndarray(pcm[None, :], format="flt", layout="mono")
        frame.sample_rate = 16000
        resampler = av.AudioResampler(format="fltp", layout="mono", rate=16000, frame_size=1024)
        for chunk in [*resampler.resample(frame), *resampler.resample(None)]:
            muxer.mux(stream.encode(chunk))
        muxer.mux(stream.encode(None))
    return buffer.getvalue()


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One test per transformation a fingerprinter's contract class lists."""
    if "restream_label" in metafunc.fixturenames and metafunc.cls is not None:
        metafunc.parametrize("restream_label", list(metafunc.cls.restreams))
