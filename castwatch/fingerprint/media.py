"""Decoding for fingerprinting with PyAV: small grayscale pictures and mono audio.

Every FFmpeg failure becomes a :class:`~castwatch.errors.MediaError` naming the
source. Corrupt packets in the middle of a stream are skipped (restreams are often damaged)
but a stream where most packets fail, or nothing decodes, is an error. Reading is bounded
by ``max_seconds`` of media time, never by wall time, so results do not depend on load.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import av
import av.container
import numpy as np
import numpy.typing as npt

from castwatch.errors import CorruptMedia, NoMediaStream
from castwatch.fingerprint.base import MediaInput

Gray = npt.NDArray[np.uint8]
#: Pictures are decoded no wider than this: the hashes only look at coarse structure.
MAX_WIDTH = 320
#: Audio is fingerprinted at this rate: landmarks live below 4 kHz.
AUDIO_RATE = 8000
#: MPEG-TS timestamps are 33 bits of 90 kHz: a stream that starts a hair before zero (AAC
#: priming) reads as 26.5 hours. Times this close below the wrap are taken as negative.
_TS_WRAP = 2**33 / 90000
#: Give up on a stream when more packets than this fail to decode, and none succeed.
_MAX_BAD_PACKETS = 50
_OPEN_OPTIONS = {"rw_timeout": "15000000", "timeout": "15000000"}


def describe(source: MediaInput) -> str:
    """A short name of ``source`` for messages."""
    if isinstance(source, str | Path):
        return str(source)
    return getattr(source, "name", None) or "<stream>"


@contextmanager
def open_media(source: MediaInput) -> Iterator[av.container.InputContainer]:
    """Open ``source`` for reading; FFmpeg errors become MediaError."""
    target: Any = str(source) if isinstance(source, Path) else source
    options = _OPEN_OPTIONS if isinstance(target, str) and "://" in target else {}
    try:
        container = av.open(target, mode="r", options=options)
    except (av.FFmpegError, OSError, ValueError, UnicodeDecodeError) as exc:
        raise CorruptMedia(
            f"cannot open {describe(source)} as media ({exc}); check the file or URL"
        ) from exc
    try:
        yield container
    finally:
        container.close()


def video_frames(
    source: MediaInput,
    *,
    keyframes_only: bool,
    rate: float,
    max_seconds: float | None,
) -> Iterator[tuple[float, Gray]]:
    """(time_s, grayscale picture) pairs: keyframes only, or sampled at ``rate`` per second."""
    with open_media(source) as container:
        if not container.streams.video:
            raise NoMediaStream(f"{describe(source)} has no video stream")
        stream = container.streams.video[0]
        stream.thread_type = "SLICE"
        stream.codec_context.thread_count = 1
        if keyframes_only:
            # The decoder drops everything but keyframes: most of decoding's cost is gone.
            stream.codec_context.skip_frame = "NONKEY"
        first: float | None = None
        last_bucket: int | None = None
        for frame in _decode(container, stream, source, keyframes_only):
            time = _unwrap(frame.time)
            first = time if first is None else first
            if max_seconds is not None and time - first > max_seconds:
                return
            if not keyframes_only:
                # One frame per 1/rate slot of media time, whatever the stream's frame rate.
                bucket = int(np.floor(time * rate + 1e-6))
                if bucket == last_bucket:
                    continue
                last_bucket = bucket
            yield time, _gray(frame)


def audio_samples(
    source: MediaInput, *, max_seconds: float | None
) -> tuple[float, npt.NDArray[np.float32]]:
    """(start time_s, mono float32 samples at :data:`AUDIO_RATE`) of the first audio stream."""
    with open_media(source) as container:
        if not container.streams.audio:
            raise NoMediaStream(f"{describe(source)} has no audio stream")
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=AUDIO_RATE)
        chunks: list[npt.NDArray[np.float32]] = []
        start: float | None = None
        limit = None if max_seconds is None else int(max_seconds * AUDIO_RATE)
        total = 0
        for frame in _decode(container, stream, source, False):
            if start is None:
                start = _unwrap(frame.time)
            for out in resampler.resample(frame):
                chunk = out.to_ndarray().reshape(-1).astype(np.float32)
                chunks.append(chunk)
                total += chunk.shape[0]
            if limit is not None and total >= limit:
                break
        pcm = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
        return (start or 0.0), (pcm if limit is None else pcm[:limit])


def _decode(
    container: av.container.InputContainer, stream: Any, source: MediaInput, keyframes_only: bool
) -> Iterator[Any]:
    bad = decoded = 0
    try:
        for packet in container.demux(stream):
            if keyframes_only and packet.size and not packet.is_keyframe:
                continue
            try:
                frames = stream.decode(packet)
            except av.InvalidDataError:
                bad += 1
                if bad > _MAX_BAD_PACKETS and not decoded:
                    break
                continue
            for frame in frames:
                decoded += 1
                yield frame
    except av.FFmpegError as exc:
        if not decoded:
            raise CorruptMedia(f"{describe(source)} could not be decoded ({exc})") from exc
        # Damage after good content (a cut-off download): keep what was decoded.
    if not decoded:
        raise CorruptMedia(
            f"{describe(source)}: no {stream.type} could be decoded "
            f"({bad} corrupt packets); the media is damaged or not {stream.type}"
        )


def _unwrap(time: float | None) -> float:
    if time is None:
        return 0.0
    return float(time) - _TS_WRAP if float(time) > _TS_WRAP - 60.0 else float(time)


def _gray(frame: av.VideoFrame) -> Gray:
    if frame.format.name in _PLANAR_YUV and frame.width <= MAX_WIDTH:
        # The luma plane is the grayscale picture: no conversion at all. (Limited or full
        # range does not matter: the hashes compare coefficients with their own median.)
        plane: Any = frame.planes[0]
        rows: Gray = np.frombuffer(bytes(plane), dtype=np.uint8).reshape(-1, plane.line_size)
        return rows[: frame.height, : frame.width]
    width, height = frame.width, frame.height
    if width > MAX_WIDTH:
        width, height = MAX_WIDTH, max(2, round(height * MAX_WIDTH / width))
    small: Any = frame.to_ndarray(format="gray", width=width, height=height, interpolation="AREA")
    return np.asarray(small, dtype=np.uint8)


_PLANAR_YUV = frozenset({"yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p"})
