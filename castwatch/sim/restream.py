"""What a pirate restream does to a picture, and encoding a programme clip through it.

A :class:`Restream` is one mix of the transformations pirate restreams apply: rescaling,
letterbox/pillarbox bars, an opaque logo in a corner, a crop, a colour shift, a different
frame rate, a video bitrate and an audio resample. :func:`encode_clip` renders a
:class:`~castwatch.sim.programme.Programme` through one into a real container with PyAV,
with timestamps that start at ``start_s`` so consecutive live segments join up.

    encode_clip(programme_for("live:7"), restream_for("live:7"), start_s=12.0, seconds=6.0,
                output="segment.ts")
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, BinaryIO, Literal

import av
import numpy as np

from castwatch.sim.programme import RGB, Programme

Corner = Literal["top-left", "top-right", "bottom-left", "bottom-right"]
CORNERS: tuple[Corner, ...] = ("top-left", "top-right", "bottom-left", "bottom-right")


@dataclass(frozen=True)
class Restream:
    """One pirate re-encode. The default, :data:`CLEAN`, changes nothing but the codec.

    ``letterbox`` / ``pillarbox``: fraction of the output height / width that is black bars
    (both bars together). ``logo``: fraction of the output area an opaque overlay covers in
    ``logo_corner``. ``crop``: fraction of the width and height cut away; ``crop_bias`` in
    [-1, 1] moves the cut from all-left/top (-1) through centred (0) to all-right/bottom (1).
    ``colour``: strength (0..1) of a joint brightness/contrast/saturation/hue shift.
    ``fps``: output frame rate (None keeps the programme's). ``video_bitrate``: bits per
    second (None: constant quality). ``audio_rate``: the output sample rate (None keeps it).
    """

    scale: float = 1.0
    letterbox: float = 0.0
    pillarbox: float = 0.0
    logo: float = 0.0
    logo_corner: Corner = "top-right"
    crop: float = 0.0
    crop_bias: float = 0.0
    colour: float = 0.0
    fps: float | None = None
    video_bitrate: int | None = None
    audio_rate: int | None = None

    def output_size(self, width: int, height: int) -> tuple[int, int]:
        """The (width, height) of the restreamed picture: even, as yuv420p needs."""
        return _even(width * self.scale), _even(height * self.scale)

    def apply(self, frame: RGB) -> RGB:
        """The restreamed picture of one RGB frame (before the codec's own losses)."""
        height, width = frame.shape[:2]
        picture = _crop(frame, self.crop, self.crop_bias)
        if self.colour:
            picture = _colour_shift(picture, self.colour)
        out_w, out_h = self.output_size(width, height)
        inner_w = _even(out_w * (1.0 - self.pillarbox))
        inner_h = _even(out_h * (1.0 - self.letterbox))
        canvas = np.zeros((out_h, out_w, 3), dtype=np.uint8)
        top, left = (out_h - inner_h) // 2, (out_w - inner_w) // 2
        canvas[top : top + inner_h, left : left + inner_w] = _resize(picture, inner_w, inner_h)
        if self.logo > 0:
            _draw_logo(canvas, self.logo, self.logo_corner)
        return canvas


CLEAN = Restream()


def restream_for(key: str) -> Restream:
    """A deterministic, plausible mix of transformations for the simulator's channel ``key``."""
    rng = np.random.default_rng(zlib.crc32(key.encode("utf-8")) ^ 0x5EED)
    bars = float(rng.choice([0.0, 0.0, 0.12, 0.25]))
    letterbox, pillarbox = (bars, 0.0) if rng.random() < 0.6 else (0.0, bars)
    return Restream(
        scale=float(rng.choice([0.75, 1.0, 1.0, 1.25])),
        letterbox=letterbox,
        pillarbox=pillarbox,
        logo=float(rng.choice([0.0, 0.02, 0.05, 0.1])),
        logo_corner=CORNERS[int(rng.integers(4))],
        crop=float(rng.choice([0.0, 0.0, 0.04, 0.08])),
        crop_bias=float(rng.uniform(-0.5, 0.5)),
        colour=float(rng.choice([0.0, 0.2, 0.4])),
        fps=[None, 12.5, 8.0][int(rng.integers(3))],
        video_bitrate=[None, 300_000, 150_000][int(rng.integers(3))],
        audio_rate=[None, 22050, 44100, 48000][int(rng.integers(4))],
    )


def encode_clip(
    programme: Programme,
    restream: Restream,
    *,
    start_s: float,
    seconds: float,
    output: str | Path | BinaryIO,
    container: str = "mpegts",
    gop_s: float = 2.0,
) -> None:
    """Encode ``seconds`` of ``programme`` from ``start_s`` through ``restream`` to ``output``.

    H.264 (libx264, ultrafast, one thread) and AAC, in ``container`` (``mpegts``, ``mp4``,
    ``matroska``). Timestamps start at ``start_s``: segment N+1 continues segment N.
    """
    fps = restream.fps or programme.fps
    rate = Fraction(fps).limit_denominator(1001)
    audio_rate = restream.audio_rate or programme.sample_rate
    out_w, out_h = restream.output_size(programme.width, programme.height)
    target = str(output) if isinstance(output, Path) else output
    with av.open(target, mode="w", format=container) as muxer:
        video = muxer.add_stream("libx264", rate=rate)
        video.width, video.height, video.pix_fmt = out_w, out_h, "yuv420p"
        video.codec_context.gop_size = max(1, round(gop_s * fps))
        video.codec_context.thread_count = 1
        video.codec_context.options = {"preset": "ultrafast", "tune": "zerolatency"}
        if restream.video_bitrate:
            video.codec_context.bit_rate = restream.video_bitrate
        else:
            video.codec_context.options = {**video.codec_context.options, "crf": "26"}
        audio = muxer.add_stream("aac", rate=audio_rate, layout="mono")
        audio.codec_context.thread_count = 1
        _encode_video(muxer, video, programme, restream, rate, start_s, seconds)
        _encode_audio(muxer, audio, programme, audio_rate, start_s, seconds)


def _encode_video(
    muxer: av.container.OutputContainer,
    stream: av.VideoStream,
    programme: Programme,
    restream: Restream,
    rate: Fraction,
    start_s: float,
    seconds: float,
) -> None:
    first = round(start_s * rate)
    for pts in range(first, first + max(1, round(seconds * rate))):
        # The source frame on screen at this output instant: frame-rate conversion by sampling.
        source_index = math.floor(pts / rate * programme.fps + 1e-6)
        picture = restream.apply(programme.frame(source_index))
        frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
        frame.pts, frame.time_base = pts, 1 / rate
        muxer.mux(stream.encode(frame))
    muxer.mux(stream.encode(None))


def _encode_audio(
    muxer: av.container.OutputContainer,
    stream: av.AudioStream,
    programme: Programme,
    audio_rate: int,
    start_s: float,
    seconds: float,
) -> None:
    source_start = round(start_s * programme.sample_rate)
    pcm = programme.audio(source_start, round(seconds * programme.sample_rate))
    source = av.AudioFrame.from_ndarray(pcm[None, :], format="flt", layout="mono")
    source.sample_rate = programme.sample_rate
    resampler = av.AudioResampler(format="fltp", layout="mono", rate=audio_rate, frame_size=1024)
    pts = round(start_s * audio_rate)
    for chunk in [*resampler.resample(source), *resampler.resample(None)]:
        chunk.pts, chunk.time_base = pts, Fraction(1, audio_rate)
        pts += chunk.samples
        muxer.mux(stream.encode(chunk))
    muxer.mux(stream.encode(None))


def _even(value: float) -> int:
    return max(2, round(value / 2.0) * 2)


def _crop(frame: RGB, fraction: float, bias: float) -> RGB:
    if fraction <= 0:
        return frame
    height, width = frame.shape[:2]
    cut_h, cut_w = round(height * fraction), round(width * fraction)
    share = (1.0 + max(-1.0, min(1.0, bias))) / 2.0
    top, left = round(cut_h * share), round(cut_w * share)
    return frame[top : height - (cut_h - top), left : width - (cut_w - left)]


def _colour_shift(frame: RGB, strength: float) -> RGB:
    pixels = frame.astype(np.float32)
    grey = pixels.mean(axis=2, keepdims=True)
    pixels = grey + (pixels - grey) * (1.0 - 0.5 * strength)  # desaturate
    angle = 0.6 * strength  # hue rotation about the grey axis (radians)
    cos, sin = math.cos(angle), math.sin(angle)
    k = (1.0 - cos) / 3.0
    s3 = math.sqrt(1 / 3) * sin
    rotation = np.array(
        [[cos + k, k - s3, k + s3], [k + s3, cos + k, k - s3], [k - s3, k + s3, cos + k]],
        dtype=np.float32,
    )
    pixels = pixels @ rotation.T
    pixels = (pixels - 128.0) * (1.0 + 0.3 * strength) + 128.0 + 25.0 * strength
    shifted: RGB = np.clip(pixels, 0, 255).astype(np.uint8)
    return shifted


def _resize(frame: RGB, width: int, height: int) -> RGB:
    if frame.shape[1] == width and frame.shape[0] == height:
        return frame
    source = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="rgb24")
    resized: Any = source.reformat(
        width=width, height=height, interpolation="BILINEAR"
    ).to_ndarray()
    return np.asarray(resized, dtype=np.uint8)


def _draw_logo(canvas: RGB, area: float, corner: Corner) -> None:
    height, width = canvas.shape[:2]
    # A 2:1 badge: the shape of most channel bugs and pirate watermarks.
    logo_h = min(height, max(2, round(math.sqrt(area * width * height / 2.0))))
    logo_w = min(width, 2 * logo_h)
    margin = max(0, min(round(0.03 * height), height - logo_h, width - logo_w))
    top = margin if corner.startswith("top") else height - logo_h - margin
    left = margin if corner.endswith("left") else width - logo_w - margin
    badge = canvas[top : top + logo_h, left : left + logo_w]
    badge[:] = (235, 235, 235)
    stripe = max(1, logo_h // 4)
    badge[stripe : 2 * stripe, : logo_w // 2] = (200, 20, 30)
    badge[2 * stripe : 3 * stripe, logo_w // 3 :] = (20, 40, 160)
