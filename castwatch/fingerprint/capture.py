"""Capture a probe: a few seconds of a stream kept as evidence, with thumbnails.

:func:`capture` reads a local file, an HLS playlist (live or VOD, master or media, MPEG-TS
or fMP4 segments) or a direct ``.ts`` / ``.mkv`` / ``.mp4`` URL, stops once it holds
``seconds`` of media or ``max_bytes``, and writes what it read to one file named by its
SHA-256 under ``evidence_dir`` (TS segments concatenated; the fMP4 init segment, then the
segments). It then decodes that file with PyAV to measure what it really holds and to draw
a few PNG thumbnails, so a :class:`Capture` always describes decodable media.

A hostile source ends in an error that names the cause, within ``timeout_s`` for the
network part and ``max_bytes`` for everything. The transport and the playlists fail as
:class:`~castwatch.errors.SourceError` subclasses: an HTML page or a channel list where
media should be (``ProtocolError``), an endless or enormous body (``ResponseTooLarge``), a
slow or dead server (``SourceTimeout``), a missing segment (``HttpStatusError``). The media
fails as :class:`~castwatch.errors.MediaError` subclasses: garbage or undecodable bytes
(``CorruptMedia``), no audio or video stream (``NoMediaStream``), an encrypted stream
(``EncryptedMedia``).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import tempfile
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Required, TypedDict, Unpack
from urllib.parse import unquote, urlsplit

from castwatch.catalog.credentials import redact_url
from castwatch.errors import (
    CorruptMedia,
    FetchError,
    ProtocolError,
    ResponseTooLarge,
    SourceError,
    SourceTimeout,
)
from castwatch.fingerprint.probe import analyse, media_span, write_thumbnails
from castwatch.net.client import HttpClient, is_retriable, run_sync
from castwatch.net.hls import (
    HlsClient,
    VariantChoice,
    looks_like_playlist,
    refuse_protected_init,
)
from castwatch.net.policy import FetchOptions

__all__ = ["Capture", "capture", "capture_async"]

MIB = 1024 * 1024
#: Bytes read from a local file at a time.
_CHUNK = MIB
#: A direct stream is first checked for its duration after this many bytes, then each time
#: it grows by :data:`_CHECK_GROWTH`: the checks cost a small multiple of one full read.
_FIRST_CHECK = 128 * 1024
_CHECK_GROWTH = 1.25
_PLAYLIST_SUFFIXES = (".m3u8", ".m3u")
#: Bytes looked at before deciding whether a body is media, a playlist or a page.
_SNIFF_BYTES = 64


@dataclass(frozen=True, slots=True)
class Capture:
    """One captured probe: the evidence file, what it holds and where it came from.

    URLs are redacted (credentials replaced by ``{username}`` / ``{password}``): the record
    is meant to be stored and shown.
    """

    path: Path
    sha256: str
    size: int
    #: Seconds of media the file decodes to (video if it has any, else audio).
    duration_s: float
    #: MIME type of the file: ``video/mp2t``, ``video/mp4``, ``video/x-matroska``...
    media_type: str
    source_url: str
    #: HLS: every segment fetched, the fMP4 init segment first. Empty for a direct read.
    segment_urls: tuple[str, ...]
    started_at: datetime
    finished_at: datetime
    #: PNG files of frames spread over the capture, in time order.
    thumbnails: tuple[Path, ...]

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON-ready values (paths and times as strings)."""
        return {
            "path": str(self.path),
            "sha256": self.sha256,
            "size": self.size,
            "duration_s": round(self.duration_s, 3),
            "media_type": self.media_type,
            "source_url": self.source_url,
            "segment_urls": list(self.segment_urls),
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "thumbnails": [str(path) for path in self.thumbnails],
        }

    def to_json(self) -> str:
        """The record as a JSON document."""
        return json.dumps(self.to_dict(), indent=2)


class CaptureOptions(TypedDict, total=False):
    """The keywords of :func:`capture` beside the source; see :func:`capture_async`."""

    seconds: float
    max_bytes: int
    timeout_s: float
    evidence_dir: Required[Path]
    thumbnails: int
    options: FetchOptions | None
    prefer: VariantChoice


def capture(source: str | Path, **options: Unpack[CaptureOptions]) -> Capture:
    """Capture up to ``seconds`` of ``source`` into ``evidence_dir``; see the module doc.

    The keywords and their defaults are :func:`capture_async`'s. ``options`` sets the user
    agent, read timeout and retries for HTTP (its ``max_bytes`` is replaced by this
    function's); ``prefer`` picks the HLS variant. Raises ``ValueError`` for nonsensical
    arguments, :class:`~castwatch.errors.SourceError` and
    :class:`~castwatch.errors.MediaError` subclasses for sources that cannot be captured.
    Runs its own event loop: from async code, await :func:`capture_async` instead.
    """
    return run_sync(capture_async(source, **options))


async def capture_async(
    source: str | Path,
    *,
    seconds: float = 10.0,
    max_bytes: int = 64 * MIB,
    timeout_s: float = 60.0,
    evidence_dir: Path,
    thumbnails: int = 3,
    options: FetchOptions | None = None,
    prefer: VariantChoice = "lowest",
) -> Capture:
    """:func:`capture` for callers already running an event loop."""
    if not seconds > 0 or not timeout_s > 0 or max_bytes < 1 or thumbnails < 0:
        raise ValueError("seconds, timeout_s and max_bytes must be positive, thumbnails >= 0")
    options = options or FetchOptions(
        timeout=min(15.0, timeout_s), deadline=timeout_s, retries=2, backoff=0.25
    )
    shown = _shown(source)
    evidence_dir.mkdir(parents=True, exist_ok=True)
    started_at = datetime.now(UTC)
    evidence = _EvidenceFile(evidence_dir, max_bytes)
    try:
        try:
            async with asyncio.timeout(timeout_s):
                segment_urls = await _read(source, evidence, options, seconds, prefer)
        except TimeoutError:
            raise SourceTimeout(
                f"capture did not finish within {timeout_s:g} s ({evidence.size:,} bytes read; "
                "a slow or stalled server? raise timeout_s)",
                shown,
            ) from None
        evidence.close()
        if evidence.size == 0:
            raise CorruptMedia("the source sent no bytes at all", shown)
        # Decoding is bounded by max_bytes, not by the clock: it runs off the event loop.
        report = await asyncio.to_thread(analyse, evidence.path, thumbnails, shown)
        path, digest = evidence.keep(report.suffix)
    finally:
        evidence.discard()
    return Capture(
        path=path,
        sha256=digest,
        size=evidence.size,
        duration_s=report.duration_s,
        media_type=report.media_type,
        source_url=shown,
        segment_urls=segment_urls,
        started_at=started_at,
        finished_at=datetime.now(UTC),
        thumbnails=write_thumbnails(report, evidence_dir, digest),
    )


def _shown(source: str | Path) -> str:
    if isinstance(source, Path):
        return source.resolve().as_uri()
    if _scheme(source) in ("", "file"):
        return _local_path(source).resolve().as_uri()
    return redact_url(source)


def _scheme(source: str) -> str:
    scheme = urlsplit(source).scheme.lower()
    # "C:\x.ts" parses with scheme "c": one letter is a drive, not a protocol.
    return "" if len(scheme) == 1 else scheme


def _local_path(source: str) -> Path:
    return Path(unquote(urlsplit(source).path) if source.startswith("file:") else source)


async def _read(
    source: str | Path,
    evidence: _EvidenceFile,
    options: FetchOptions,
    seconds: float,
    prefer: VariantChoice,
) -> tuple[str, ...]:
    """Fill ``evidence`` from ``source``; the redacted segment URLs when it is HLS."""
    if isinstance(source, Path) or _scheme(source) in ("", "file"):
        path = source if isinstance(source, Path) else _local_path(source)
        # Absolute, so the file: URI recorded as the source is always expressible.
        await _read_file(path.absolute(), evidence, seconds)
        return ()
    if _scheme(source) not in ("http", "https"):
        raise SourceError(
            f"cannot capture a {_scheme(source)}:// source: castwatch reads HTTP(S) and files",
            redact_url(source),
        )
    if urlsplit(source).path.lower().endswith(_PLAYLIST_SUFFIXES):
        return await _read_hls(source, evidence, options, seconds, prefer)
    if await _read_direct(source, evidence, options, seconds):
        return await _read_hls(source, evidence, options, seconds, prefer)
    return ()


async def _read_file(path: Path, evidence: _EvidenceFile, seconds: float) -> None:
    async def chunks() -> AsyncGenerator[bytes, None]:
        with path.open("rb") as file:
            while chunk := file.read(_CHUNK):
                yield chunk

    try:
        if await _fill(chunks(), evidence, seconds, path.as_uri()):
            raise ProtocolError(
                "this is a playlist: capture reads HLS over HTTP(S); serve it, or capture "
                "one of its segments",
                path.as_uri(),
            )
    except OSError as exc:
        raise SourceError(f"cannot read the file: {exc.strerror or exc}", str(path)) from None


async def _read_direct(
    url: str, evidence: _EvidenceFile, options: FetchOptions, seconds: float
) -> bool:
    """Stream a direct media URL into ``evidence``; True when it turned out to be a playlist."""
    # The body is cut at max_bytes here, not refused: the first megabytes of a large file
    # are a fine probe, so the client must not reject a large Content-Length up front.
    direct = replace(options, max_bytes=1 << 62)
    attempt = 0
    async with HttpClient(direct) as http:
        while True:
            try:
                async with http.stream(url) as chunks:
                    return await _fill(chunks, evidence, seconds, redact_url(url))
            except FetchError as exc:
                # Retry only while nothing was kept: a stream cannot resume mid-body.
                if not is_retriable(exc) or evidence.size or attempt >= options.retries:
                    raise
            await asyncio.sleep(options.backoff * 2**attempt)
            attempt += 1


async def _fill(
    chunks: AsyncIterator[bytes], evidence: _EvidenceFile, seconds: float, shown: str
) -> bool:
    """Copy ``chunks`` until ``seconds`` of media or the cap; True if they are a playlist."""
    pending: list[bytes] = []  # the first bytes, held back until they are sniffed
    sniffed = False
    check_at = _FIRST_CHECK
    try:
        async for chunk in chunks:
            if not sniffed:
                pending.append(chunk)
                head = b"".join(pending)
                if len(head) < _SNIFF_BYTES:
                    continue
                if _sniff(head, shown):
                    return True
                sniffed, chunk = True, head
            if not evidence.write(chunk):
                return False  # the cap: what fits is the probe
            if evidence.size >= check_at:
                if media_span(evidence.flushed()) >= seconds:
                    return False
                check_at = max(int(evidence.size * _CHECK_GROWTH), evidence.size + _FIRST_CHECK)
    finally:
        if isinstance(chunks, AsyncGenerator):
            await chunks.aclose()
    if not sniffed:  # a body shorter than the sniff
        head = b"".join(pending)
        if _sniff(head, shown):
            return True
        evidence.write(head)
    return False


def _sniff(head: bytes, shown: str) -> bool:
    """True for a playlist; raises for a page where media should be; False for anything else."""
    if looks_like_playlist(head):
        return True
    start = head.lstrip().lower()
    if start.startswith((b"<!doctype", b"<html", b"<?xml", b"{")):
        what = "JSON" if start.startswith(b"{") else "an HTML or XML page"
        raise ProtocolError(
            f"expected audio or video but got {what} (a login wall, a block page or an "
            "error message?)",
            shown,
        )
    return False


async def _read_hls(
    url: str,
    evidence: _EvidenceFile,
    options: FetchOptions,
    seconds: float,
    prefer: VariantChoice,
) -> tuple[str, ...]:
    """Append segments to ``evidence`` until their announced durations reach ``seconds``."""
    fetched: list[str] = []
    covered = 0.0
    init_url: str | None = None
    hls = HlsClient(replace(options, max_bytes=evidence.max_bytes))
    async with hls, aclosing(hls.follow(url, prefer)) as segments:
        async for _, segment in segments:
            if segment.init_url != init_url:
                if fetched:
                    break  # the encoding changed mid-capture: keep one decodable file
                assert segment.init_url is not None  # init_url starts None, so it differs
                init = await hls.segment(segment.init_url)
                refuse_protected_init(init, segment.init_url)
                evidence.write(init)  # smaller than max_bytes: the client capped it
                fetched.append(redact_url(segment.init_url))
                init_url = segment.init_url
            body = await hls.segment(segment.url)
            if len(body) > evidence.room:
                if _media_segments(fetched, init_url):
                    break  # the cap: what fits is the probe
                raise ResponseTooLarge(
                    f"the first segment alone is {len(body):,} bytes, over the "
                    f"{evidence.max_bytes:,}-byte cap (raise max_bytes)",
                    redact_url(segment.url),
                )
            evidence.write(body)
            fetched.append(redact_url(segment.url))
            covered += segment.duration
            if covered >= seconds:
                break
    if not _media_segments(fetched, init_url):
        raise ProtocolError("the playlist lists no segment", redact_url(url))
    return tuple(fetched)


def _media_segments(fetched: list[str], init_url: str | None) -> int:
    """How many media segments (not counting the init segment) ``fetched`` holds."""
    return len(fetched) - (1 if init_url is not None else 0)


class _EvidenceFile:
    """Captured bytes on their way to disk: hashed as written, capped, then named by hash."""

    def __init__(self, directory: Path, max_bytes: int) -> None:
        handle, name = tempfile.mkstemp(dir=directory, prefix=".capture-", suffix=".partial")
        # Locked until discard(), on a duplicate that outlives close() (decoding comes after
        # it): `evidence verify` removes only the scratch files no writer holds.
        self._lock_fd: int | None = os.dup(handle)
        if os.name == "posix":
            import fcntl

            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._file = os.fdopen(handle, "wb")
        self._hash = hashlib.sha256()
        self.directory = directory
        self.path = Path(name)
        self.max_bytes = max_bytes
        self.size = 0
        self._kept = False

    @property
    def room(self) -> int:
        return self.max_bytes - self.size

    def write(self, data: bytes) -> bool:
        """Append what fits of ``data``; False once the cap is reached."""
        piece = data[: self.room]
        self._file.write(piece)
        self._hash.update(piece)
        self.size += len(piece)
        return len(piece) == len(data) and self.room > 0

    def flushed(self) -> Path:
        """The file's path, with everything written so far on disk."""
        self._file.flush()
        return self.path

    def close(self) -> None:
        self._file.close()

    def keep(self, suffix: str) -> tuple[Path, str]:
        """Rename the file to ``<sha256><suffix>``; its path and hash."""
        digest = self._hash.hexdigest()
        final = self.directory / f"{digest}{suffix}"
        # Same bytes, same name: capturing identical bytes twice keeps one file.
        os.replace(self.path, final)
        self._kept = True
        return final, digest

    def discard(self) -> None:
        """Close and remove the file unless it was kept (the error path)."""
        self._file.close()
        if not self._kept:
            self.path.unlink(missing_ok=True)
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None
