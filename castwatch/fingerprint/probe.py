"""What a captured probe holds: its decoded duration, its container, and thumbnails.

:func:`analyse` decodes a captured file with PyAV under hard limits (picture size, decode
errors) so that a :class:`~castwatch.fingerprint.capture.Capture` always describes media
that really decodes; :func:`media_span` is the cheap packet-level duration used while a
direct stream is still being read; :func:`write_thumbnails` files the PNG frames beside
the capture, named by its SHA-256.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, overload

import av
import av.error

from castwatch.errors import CorruptMedia, NoMediaStream

P = TypeVar("P")
#: Largest picture decoded (8K): a forged header must not make the decoder allocate gigabytes.
_MAX_PIXELS = 8192 * 4320
#: Thumbnails wider than this are scaled down: they illustrate, the evidence file is the proof.
_THUMBNAIL_WIDTH = 640
#: Packets that fail to decode before a file counts as corrupt rather than damaged.
_MAX_DECODE_ERRORS = 200
#: Container names (as FFmpeg calls them) -> MIME type and evidence file suffix.
_CONTAINERS: dict[str, tuple[str, str]] = {
    "mpegts": ("video/mp2t", ".ts"),
    "mov,mp4,m4a,3gp,3g2,mj2": ("video/mp4", ".mp4"),
    "matroska,webm": ("video/x-matroska", ".mkv"),
    "flv": ("video/x-flv", ".flv"),
    "avi": ("video/x-msvideo", ".avi"),
    "aac": ("audio/aac", ".aac"),
    "mp3": ("audio/mpeg", ".mp3"),
}


def write_thumbnails(report: MediaReport, directory: Path, digest: str) -> tuple[Path, ...]:
    paths = []
    for index, png in enumerate(report.thumbnails):
        path = directory / f"{digest}-{index}.png"
        # The same bytes captured again (with another thumbnail count) must not overwrite a
        # frame already filed in the evidence ledger: the frame there is of this capture too.
        if not path.exists():
            path.write_bytes(png)
        paths.append(path)
    return tuple(paths)


@dataclass(frozen=True, slots=True)
class MediaReport:
    """What decoding a captured file found."""

    duration_s: float
    media_type: str
    #: Evidence file suffix matching ``media_type`` (``.ts``, ``.mp4``...).
    suffix: str
    #: PNG images of frames spread over the file, in time order.
    thumbnails: tuple[bytes, ...]


def media_span(path: Path) -> float:
    """Seconds of media the packets of ``path`` hold so far, from demuxing alone (0.0 if none).

    Cheap enough to call on a file still being written: a truncated tail just ends the count.
    """
    return _packet_census(path)[0]


def _packet_census(path: Path) -> tuple[float, int]:
    """Seconds the main stream's packets hold (video, else audio), and how many there are.

    Packet durations are added up rather than timestamps subtracted: live streams jump
    (discontinuities, a restarted encoder, the 33-bit MPEG-TS clock wrapping).
    """
    seconds, count = 0.0, 0
    try:
        with av.open(str(path)) as container:
            stream: av.VideoStream | av.AudioStream
            if container.streams.video:
                stream = container.streams.video[0]
                fallback = 1.0 / float(stream.average_rate or stream.guessed_rate or 25)
            elif container.streams.audio:
                stream, fallback = container.streams.audio[0], 0.0
            else:
                return 0.0, 0
            for packet in _until_error(container.demux(stream)):
                if packet.size == 0:
                    continue  # the end-of-stream marker
                count += 1
                base = packet.time_base
                seconds += float(packet.duration * base) if packet.duration and base else fallback
    except Exception:  # FFmpeg on hostile or partial bytes: what was read so far is the answer
        pass
    return seconds, count


def analyse(path: Path, thumbnails: int, shown: str) -> MediaReport:
    """Decode ``path``: the seconds its frames hold, its type, and ``thumbnails`` PNG frames.

    Raises :class:`~castwatch.errors.CorruptMedia` (naming ``shown``) when nothing in it
    decodes, :class:`~castwatch.errors.NoMediaStream` when it has neither audio nor video.
    """
    try:
        with av.open(str(path)) as container:
            name = container.format.name
            media_type, suffix = _CONTAINERS.get(name, ("application/octet-stream", ".bin"))
            if container.streams.video:
                stream = container.streams.video[0]
                if stream.width * stream.height > _MAX_PIXELS:
                    raise CorruptMedia(
                        f"the video claims {stream.width}x{stream.height} pixels, over the "
                        "8K limit (a forged header?)",
                        shown,
                    )
                packets = _packet_census(path)[1]
                # Frames to draw: the middles of equal slices (frames come one per packet).
                picks = [
                    packets * (2 * index + 1) // (2 * thumbnails) for index in range(thumbnails)
                ]
                duration, pngs = _decode_video(container, stream, picks)
            elif container.streams.audio:
                duration, pngs = _decode_audio(container, container.streams.audio[0]), ()
            else:
                raise NoMediaStream(f"the {name} file holds no audio or video stream", shown)
    except (av.error.FFmpegError, ValueError) as exc:  # FFmpeg's, or a metadata decode
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise CorruptMedia(
            f"not a readable audio or video file ({reason}); "
            "garbage bytes, an encrypted stream or an MP4 cut before its index",
            shown,
        ) from None
    if duration <= 0:
        raise CorruptMedia(
            f"no audio or video frame decodes from the {path.stat().st_size:,} bytes read "
            "(corrupt, encrypted or not media at all)",
            shown,
        )
    return MediaReport(duration, media_type, suffix, pngs)


def _decode_video(
    container: av.container.InputContainer, stream: av.VideoStream, picks: list[int]
) -> tuple[float, tuple[bytes, ...]]:
    """Decode every frame: the seconds they hold, and PNGs of the frames numbered in ``picks``."""
    seconds = 0.0
    pngs: list[bytes] = []
    last: av.VideoFrame | None = None
    fallback = 1.0 / float(stream.average_rate or stream.guessed_rate or 25)
    for decoded, frame in enumerate(_decoded(container, stream)):
        base = frame.time_base
        seconds += float(frame.duration * base) if frame.duration and base else fallback
        while len(pngs) < len(picks) and decoded >= picks[len(pngs)]:
            pngs.append(_png(frame))
        last = frame
    if last is not None and len(pngs) < len(picks):
        # Fewer frames decoded than there were packets: the missing picks take the last one.
        pngs += [_png(last)] * (len(picks) - len(pngs))
    return seconds, tuple(pngs)


def _decode_audio(container: av.container.InputContainer, stream: av.AudioStream) -> float:
    seconds = 0.0
    for frame in _decoded(container, stream):
        if frame.sample_rate:
            seconds += frame.samples / frame.sample_rate
    return seconds


@overload
def _decoded(
    container: av.container.InputContainer, stream: av.VideoStream
) -> Iterator[av.VideoFrame]: ...
@overload
def _decoded(
    container: av.container.InputContainer, stream: av.AudioStream
) -> Iterator[av.AudioFrame]: ...
def _decoded(container: av.container.InputContainer, stream: Any) -> Iterator[Any]:
    """The frames of ``stream`` until its end, a demuxing error, or too many bad packets."""
    errors = 0
    packets: Iterator[Any] = container.demux(stream)
    for packet in _until_error(packets):
        try:
            frames = packet.decode()
        except av.error.FFmpegError:
            errors += 1
            if errors > _MAX_DECODE_ERRORS:
                return
            continue
        yield from frames


def _until_error(packets: Iterator[P]) -> Iterator[P]:
    """``packets`` until their end or the first demuxing error (a truncated tail)."""
    while True:
        try:
            packet = next(packets)
        except (StopIteration, av.error.FFmpegError):
            return
        yield packet


def _png(frame: av.VideoFrame) -> bytes:
    width, height = frame.width, frame.height
    if width > _THUMBNAIL_WIDTH:
        width, height = _THUMBNAIL_WIDTH, max(2, round(height * _THUMBNAIL_WIDTH / width))
    encoder = av.CodecContext.create("png", "w")
    assert isinstance(encoder, av.VideoCodecContext)
    encoder.width, encoder.height, encoder.pix_fmt = width, height, "rgb24"
    picture = frame.reformat(width=width, height=height, format="rgb24")
    return b"".join(bytes(packet) for packet in [*encoder.encode(picture), *encoder.encode(None)])
