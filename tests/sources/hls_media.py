"""HLS media made in the test with PyAV, and a real HLS server on 127.0.0.1 that misbehaves.

Shared by the HLS client tests and the capture tests. :func:`rendition` encodes a few seconds
of tiny video (64x36 noise, so that bytes grow with time) as MPEG-TS or fMP4 segments;
:class:`HlsServer` serves them as VOD, as live (the window slides one segment per playlist
request, so a test never waits for a clock), and under a dozen hostile paths.
"""

from __future__ import annotations

import asyncio
import tempfile
import threading
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import av
import numpy as np

from tests.servers import serve_asgi

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
Kind = Literal["ts", "fmp4"]
FPS = 10
WIDTH, HEIGHT = 64, 36


@dataclass(frozen=True)
class Rendition:
    """Segments of one encoding: ``init`` for fMP4, ``whole`` is every segment joined."""

    kind: Kind
    segment_s: float
    segments: tuple[bytes, ...]
    init: bytes | None

    @property
    def whole(self) -> bytes:
        return (self.init or b"") + b"".join(self.segments)

    @property
    def extension(self) -> str:
        return "ts" if self.kind == "ts" else "m4s"


@lru_cache(maxsize=8)
def rendition(kind: Kind = "ts", seconds: int = 6, segment_s: int = 1) -> Rendition:
    """``seconds`` of noise video cut into ``segment_s``-second segments (cached per process)."""
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        options = {"hls_time": str(segment_s), "hls_playlist_type": "vod"}
        if kind == "fmp4":
            options |= {"hls_segment_type": "fmp4", "hls_fmp4_init_filename": "init.mp4"}
        output = av.open(str(folder / "index.m3u8"), "w", format="hls", options=options)
        stream = output.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        gop = str(FPS * segment_s)
        stream.options = {"preset": "ultrafast", "g": gop, "keyint_min": gop, "sc_threshold": "0"}
        noise = np.random.default_rng(seconds)
        for index in range(seconds * FPS):
            picture = noise.integers(0, 256, (HEIGHT, WIDTH, 3), dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            frame.pts = index
            output.mux(stream.encode(frame))
        output.mux(stream.encode(None))
        output.close()
        suffix = ".ts" if kind == "ts" else ".m4s"
        names = sorted(
            (p for p in folder.iterdir() if p.suffix == suffix),
            key=lambda p: int(p.stem.removeprefix("index")),
        )
        init = (folder / "init.mp4").read_bytes() if kind == "fmp4" else None
        return Rendition(kind, float(segment_s), tuple(p.read_bytes() for p in names), init)


def media_playlist(
    rendition: Rendition,
    prefix: str,
    *,
    first: int = 0,
    count: int | None = None,
    ended: bool = True,
    extra: str = "",
) -> str:
    """A media playlist for segments ``first .. first+count`` (sequence numbers) of ``prefix``."""
    count = len(rendition.segments) if count is None else count
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:7",
        f"#EXT-X-TARGETDURATION:{rendition.segment_s:g}",
        f"#EXT-X-MEDIA-SEQUENCE:{first}",
    ]
    if extra:
        lines.append(extra)
    if rendition.init is not None:
        lines.append(f'#EXT-X-MAP:URI="{prefix}init.mp4"')
    for sequence in range(first, first + count):
        lines += [
            f"#EXTINF:{rendition.segment_s:.3f},",
            f"{prefix}seg{sequence}.{rendition.extension}",
        ]
    if ended:
        lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


MASTER = """#EXTM3U
#EXT-X-STREAM-INF:BANDWIDTH=900000,RESOLUTION=1280x720
/vod/fmp4/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=150000,RESOLUTION=64x36
/vod/ts/index.m3u8
"""
ENCRYPTED_KEY = '#EXT-X-KEY:METHOD=AES-128,URI="https://keys.example/k.bin"'
#: A fixed-size junk body: decodes as nothing at all.
GARBAGE = np.random.default_rng(7).integers(0, 256, 200_000, dtype=np.uint8).tobytes()


class HlsApp:
    """The test HLS server. Paths (``K`` is ``ts`` or ``fmp4``):

    * ``/vod/K/index.m3u8``, ``/vod/K/segN.ts|m4s``, ``/vod/fmp4/init.mp4``: 6 s of VOD;
    * ``/master.m3u8``: two variants of it (ts is the lowest bandwidth);
    * ``/live/K/index.m3u8``: a live window of 3 segments that slides one segment per request;
    * ``/direct.ts`` / ``/direct.mp4``: 20 s of continuous TS, and an MP4 file;
    * hostile: ``/garbage.ts``, ``/garbage/index.m3u8``, ``/page.ts``, ``/endless.ts``,
      ``/endless/index.m3u8``, ``/huge/index.m3u8``, ``/loop/a.m3u8``, ``/stale/index.m3u8``,
      ``/backwards/index.m3u8``, ``/missing/index.m3u8``, ``/truncated/index.m3u8``,
      ``/slow.ts``, ``/encrypted/index.m3u8``, ``/cenc/index.m3u8``, ``/html-segments/...``,
      ``/channels.m3u``, ``/octet/index.m3u8`` (a good playlist with a wrong content type).
    """

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.live_requests: Counter[str] = Counter()
        self.stopping = threading.Event()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        self.hits[path] += 1
        await self._route(path, send)

    async def _route(self, path: str, send: Send) -> None:
        ts, fmp4 = rendition("ts"), rendition("fmp4")
        parts = path.strip("/").split("/")
        if path == "/master.m3u8":
            return await _answer(send, MASTER)
        if parts[0] in ("vod", "live", "missing", "truncated", "html-segments") and len(parts) == 3:
            media = ts if parts[1] == "ts" else fmp4
            name = parts[2]
            if name == "index.m3u8":
                return await _answer(send, self._playlist(parts[0], media))
            if name == "init.mp4" and media.init is not None:
                return await _answer(send, media.init, b"video/mp4")
            if parts[0] == "missing":
                return await _answer(send, "gone", b"text/plain", status=404)
            if parts[0] == "html-segments":
                return await _answer(send, "<html><body>Blocked</body></html>", b"text/html")
            sequence = int(name.removeprefix("seg").split(".")[0]) % len(media.segments)
            body = media.segments[sequence]
            if parts[0] == "truncated":
                return await _cut(send, body)
            return await _answer(send, body, b"video/mp2t")
        if path == "/direct.ts":
            return await _answer(send, rendition("ts", 20).whole, b"video/mp2t")
        if path == "/direct.mp4":
            return await _answer(send, _mp4(), b"video/mp4")
        if path == "/garbage.ts":
            return await _answer(send, GARBAGE, b"video/mp2t")
        if path == "/garbage/index.m3u8":
            return await _answer(send, media_playlist(ts, "/garbage/", count=3))
        if path.startswith("/garbage/"):
            return await _answer(send, GARBAGE[:50_000], b"video/mp2t")
        if path == "/page.ts":
            return await _answer(send, "<!DOCTYPE html><html>Login</html>", b"text/html")
        if path in ("/endless.ts", "/endless/index.m3u8"):
            return await self._endless(send)
        if path == "/huge/index.m3u8":
            return await _answer(send, media_playlist(ts, "/vod/ts/", count=30_000))
        if path == "/loop/a.m3u8":
            return await _answer(send, "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n/loop/b.m3u8\n")
        if path == "/loop/b.m3u8":
            return await _answer(send, "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n/loop/a.m3u8\n")
        if path == "/stale/index.m3u8":
            return await _answer(send, media_playlist(ts, "/vod/ts/", count=2, ended=False))
        if path == "/backwards/index.m3u8":
            first = max(0, 50 - 10 * self.live_requests[path])
            self.live_requests[path] += 1
            return await _answer(send, media_playlist(ts, "/vod/ts/", first=first, ended=False))
        if path == "/slow.ts":
            await asyncio.to_thread(self.stopping.wait, 30)
            return await _answer(send, b"", b"video/mp2t")
        if path == "/encrypted/index.m3u8":
            return await _answer(send, media_playlist(ts, "/vod/ts/", extra=ENCRYPTED_KEY))
        if path == "/cenc/index.m3u8":
            return await _answer(send, media_playlist(fmp4, "/cenc/"))
        if path == "/cenc/init.mp4":
            return await _answer(send, (fmp4.init or b"") + b"\0\0\0\x20pssh" + bytes(24))
        if path == "/channels.m3u":
            channel = '#EXTINF:-1 tvg-id="a",Channel A\nhttp://h/live/u/p/1.ts\n'
            return await _answer(send, "#EXTM3U\n" + channel)
        if path == "/octet/index.m3u8":
            body = media_playlist(ts, "/vod/ts/")
            return await _answer(send, body, b"application/octet-stream")
        return await _answer(send, "Not Found", b"text/plain", status=404)

    def _playlist(self, mode: str, media: Rendition) -> str:
        prefix = f"/{mode}/{media.kind}/"
        if mode != "live":
            return media_playlist(media, prefix)
        step = self.live_requests[prefix]
        self.live_requests[prefix] += 1
        return media_playlist(media, prefix, first=100 + step, count=3, ended=False)

    async def _endless(self, send: Send) -> None:
        await _start(send, 200, b"application/octet-stream", None)
        # Endless to any test's cap; bounded so that a departed client frees the server.
        for _ in range(2048):
            if self.stopping.is_set():
                break
            await send({"type": "http.response.body", "body": GARBAGE[:65536], "more_body": True})
        await send({"type": "http.response.body", "body": b""})


@lru_cache(maxsize=1)
def _mp4() -> bytes:
    """A plain (non-fragmented) MP4 of 3 s, its index first."""
    return encoded_file("mp4", 3)


def encoded_file(container: str, seconds: int) -> bytes:
    """``seconds`` of noise video as one file of ``container`` (``mp4``, ``matroska``...)."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "clip"
        options = {"movflags": "faststart"} if container == "mp4" else {}
        with av.open(str(path), "w", format=container, options=options) as output:
            stream = output.add_stream("libx264", rate=FPS)
            stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
            stream.options = {"preset": "ultrafast"}
            noise = np.random.default_rng(seconds)
            for index in range(seconds * FPS):
                picture = noise.integers(0, 256, (HEIGHT, WIDTH, 3), dtype=np.uint8)
                frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
                frame.pts = index
                output.mux(stream.encode(frame))
            output.mux(stream.encode(None))
        return path.read_bytes()


async def _start(send: Send, status: int, content_type: bytes, length: int | None) -> None:
    headers = [(b"content-type", content_type)]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})


async def _answer(
    send: Send,
    body: str | bytes,
    content_type: bytes = b"application/vnd.apple.mpegurl",
    status: int = 200,
) -> None:
    data = body.encode() if isinstance(body, str) else body
    await _start(send, status, content_type, len(data))
    await send({"type": "http.response.body", "body": data})


async def _cut(send: Send, body: bytes) -> None:
    """Announce the whole body, send half of it, end the response: the connection drops."""
    await _start(send, 200, b"video/mp2t", len(body))
    await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})


@contextmanager
def serving(app: HlsApp) -> Iterator[str]:
    """Run ``app`` on a free 127.0.0.1 port; yields the base URL."""
    # Critical only: the cut responses are on purpose.
    with serve_asgi(app, log_level="critical", on_stop=app.stopping.set) as url:
        yield url
