"""HLS for hostile servers: master and media playlists, live and VOD, TS and fMP4 segments.

:func:`parse_playlist` turns a playlist body into a :class:`MasterPlaylist` or a
:class:`MediaPlaylist` (the ``m3u8`` package does the line grammar; this module decides what
castwatch accepts). :class:`HlsClient` fetches through :class:`HttpClient`, so every request
has the usual caps, deadlines and retries, and :meth:`HlsClient.follow` yields a stream's
segments in order: a VOD playlist's from the first, a live playlist's from near its live
edge, reloading at the target-duration pace for as long as the caller keeps asking.

What a hostile server cannot do here: make a playlist body larger than
:attr:`HlsLimits.max_playlist_bytes` or longer than :attr:`HlsLimits.max_segments`, send
the client round a loop of master playlists, make it poll faster than
:attr:`HlsLimits.min_reload_s` or wait on a live playlist that stopped advancing. Encrypted
streams (``EXT-X-KEY`` with a method other than ``NONE``, ``EXT-X-SESSION-KEY``, an fMP4
init segment declaring protected tracks) are refused with :class:`EncryptedMedia`:
castwatch never circumvents DRM or conditional access.
"""

from __future__ import annotations

import asyncio
import math
import re
import time
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass, replace
from typing import Literal
from urllib.parse import urlsplit

import m3u8  # type: ignore[import-untyped]  # no py.typed marker; its use stays in this module

from castwatch.catalog.credentials import redact_url
from castwatch.errors import EncryptedMedia, ProtocolError, ResponseTooLarge, SourceTimeout
from castwatch.net.client import AsyncClosing, HttpClient, Response
from castwatch.net.policy import FetchOptions, NetPolicy

#: Which variant of a master playlist to follow.
VariantChoice = Literal["lowest", "highest"]
_MIB = 1024 * 1024
#: Four-character codes of protected sample entries and DRM boxes in an fMP4 init segment.
_PROTECTED_BOXES = (b"encv", b"enca", b"pssh", b"sinf")
#: An IPTV list entry: ``#EXTINF:-1`` or a duration followed by ``tvg-id=``-style attributes.
_CHANNEL_ENTRY = re.compile(r"^#EXTINF:\s*(?:-1\b|-?[\d.]+\s+[\w-]+=)", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class HlsLimits:
    """Bounds that keep a hostile HLS server harmless; the defaults suit real services."""

    #: Cap on one playlist body (a real one is a few kilobytes).
    max_playlist_bytes: int = 2 * _MIB
    #: Most segments one media playlist may list.
    max_segments: int = 20_000
    #: Most variants one master playlist may list.
    max_variants: int = 500
    #: Master playlists followed before a media playlist must appear.
    max_hops: int = 3
    #: A live stream starts this many segments from its end (the spec's live-edge rule).
    live_edge_segments: int = 3
    #: Reload pace bounds: a zero target duration must not make us hammer the server, a
    #: huge one must not make us sleep past the caller's deadline.
    min_reload_s: float = 0.5
    max_reload_s: float = 10.0
    #: A live playlist without a new segment for this many target durations is dead.
    stall_target_durations: float = 3.0
    #: Longest segment duration believed (seconds).
    max_segment_s: float = 3600.0


@dataclass(frozen=True, slots=True)
class Variant:
    """One rendition a master playlist offers."""

    url: str
    bandwidth: int
    resolution: tuple[int, int] | None
    codecs: str | None


@dataclass(frozen=True, slots=True)
class MasterPlaylist:
    """A multivariant playlist: the renditions to choose from."""

    url: str
    variants: tuple[Variant, ...]


@dataclass(frozen=True, slots=True)
class Segment:
    """One media segment: its absolute URL, media sequence number and announced duration."""

    url: str
    sequence: int
    duration: float
    #: The fMP4 initialisation segment (``EXT-X-MAP``) it needs, or None (MPEG-TS).
    init_url: str | None = None
    #: Whether ``EXT-X-DISCONTINUITY`` precedes it (timestamps or encoding may jump).
    discontinuity: bool = False


@dataclass(frozen=True, slots=True)
class MediaPlaylist:
    """A media playlist: segments in order; ``ended`` for VOD (``EXT-X-ENDLIST``)."""

    url: str
    target_duration: float
    media_sequence: int
    segments: tuple[Segment, ...]
    ended: bool

    @property
    def last_sequence(self) -> int:
        """Sequence number of the last segment (one before the first when there is none)."""
        return self.media_sequence + len(self.segments) - 1


Playlist = MasterPlaylist | MediaPlaylist


def looks_like_playlist(head: bytes) -> bool:
    """Whether a body starts like an HLS (or any extended M3U) playlist."""
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"#EXTM3U")


def parse_playlist(text: str, url: str, limits: HlsLimits | None = None) -> Playlist:
    """Read a playlist body fetched from ``url`` (the base for relative URIs).

    Raises :class:`ProtocolError` when the body is not an HLS playlist castwatch can follow
    (no ``#EXTM3U``, no segments or variants, byte ranges, non-HTTP URIs, over the limits)
    and :class:`~castwatch.errors.EncryptedMedia` when it is encrypted. Never raises anything
    else.
    """
    limits = limits or HlsLimits()
    shown = redact_url(url)
    body = text.lstrip("\ufeff \t\r\n")
    if not body.startswith("#EXTM3U"):
        raise ProtocolError(f"expected an HLS playlist but got {_describe(body)}", shown)
    if "#EXT-X-TARGETDURATION" not in body and _CHANNEL_ENTRY.search(body):
        raise ProtocolError(
            "this is an IPTV channel list (extended M3U), not an HLS stream: capture one of "
            "its entries' URLs",
            shown,
        )
    listed = body.count("#EXTINF")
    if listed > limits.max_segments:
        # Counted before parsing: m3u8 spends about 20 us a segment, and this is hostile input.
        raise ProtocolError(
            f"media playlist lists {listed:,} segments, over the limit of {limits.max_segments:,}",
            shown,
        )
    try:
        parsed = m3u8.loads(body, uri=url)
    except Exception as exc:  # a third-party parser on hostile input: any failure is the body's
        raise ProtocolError(
            f"unreadable HLS playlist ({type(exc).__name__}: {exc})", shown
        ) from None
    try:
        if parsed.is_variant:
            return _master(parsed, url, shown, limits)
        return _media(parsed, url, shown, limits)
    except (ValueError, TypeError, AttributeError) as exc:
        # Attributes m3u8 keeps as raw text (a BANDWIDTH of "x") fail only when read.
        raise ProtocolError(f"malformed HLS playlist ({exc})", shown) from None


def _describe(body: str) -> str:
    head = body[:200].lower()
    if head.startswith(("<!doctype", "<html", "<")):
        return "an HTML page (a login wall, a block page or the wrong URL?)"
    if not body.strip():
        return "an empty body"
    return "a body without #EXTM3U"


def _http_url(uri: str, what: str, shown: str) -> str:
    scheme = urlsplit(uri).scheme.lower()
    if scheme not in ("http", "https"):
        raise ProtocolError(f"{what} URI {redact_url(uri)!r} is not HTTP(S)", shown)
    return uri


def _refuse_keys(keys: Sequence[object], shown: str, where: str) -> None:
    for key in keys:
        method = getattr(key, "method", None)
        if key is not None and method is not None and str(method).upper() != "NONE":
            raise EncryptedMedia(
                f"{where} is encrypted (EXT-X-KEY METHOD={method}); castwatch does not "
                "decrypt protected streams: capture an unencrypted source instead",
                shown,
            )


def _refuse_over(count: int, limit: int, playlist: str, items: str, shown: str) -> None:
    if count > limit:
        raise ProtocolError(
            f"{playlist} lists {count:,} {items}, over the limit of {limit:,}", shown
        )


def _master(parsed: m3u8.M3U8, url: str, shown: str, limits: HlsLimits) -> MasterPlaylist:
    _refuse_keys(parsed.session_keys or [], shown, "the master playlist (EXT-X-SESSION-KEY)")
    entries = parsed.playlists
    _refuse_over(len(entries), limits.max_variants, "master playlist", "variants", shown)
    variants = []
    for entry in entries:
        info = entry.stream_info
        bandwidth = int(info.bandwidth or info.average_bandwidth or 0)
        resolution = tuple(int(side) for side in info.resolution) if info.resolution else None
        variants.append(
            Variant(
                url=_http_url(entry.absolute_uri, "variant", shown),
                bandwidth=max(0, bandwidth),
                resolution=(resolution[0], resolution[1]) if resolution else None,
                codecs=str(info.codecs) if info.codecs else None,
            )
        )
    if not variants:
        raise ProtocolError("master playlist lists no variant", shown)
    return MasterPlaylist(url=url, variants=tuple(variants))


def _media(parsed: m3u8.M3U8, url: str, shown: str, limits: HlsLimits) -> MediaPlaylist:
    entries = parsed.segments
    _refuse_over(len(entries), limits.max_segments, "media playlist", "segments", shown)
    if not entries and not parsed.is_endlist and not parsed.target_duration:
        # Neither a segment nor a media tag: an M3U of channels, not HLS.
        raise ProtocolError("playlist lists neither HLS segments nor variants", shown)
    _refuse_keys(parsed.keys or [], shown, "the stream")
    first = int(parsed.media_sequence or 0)
    if first < 0:
        raise ProtocolError(f"negative media sequence {first}", shown)
    segments = []
    for index, entry in enumerate(entries):
        if entry.byterange:
            raise ProtocolError(
                "byte-range segments (EXT-X-BYTERANGE) are not supported; capture the "
                "resource as a direct URL instead",
                shown,
            )
        duration = float(entry.duration or 0.0)
        if not math.isfinite(duration) or not 0.0 <= duration <= limits.max_segment_s:
            raise ProtocolError(f"segment {index} announces a duration of {duration}", shown)
        init = entry.init_section
        segments.append(
            Segment(
                url=_http_url(entry.absolute_uri, "segment", shown),
                sequence=first + index,
                duration=duration,
                init_url=_http_url(init.absolute_uri, "EXT-X-MAP", shown) if init else None,
                discontinuity=bool(entry.discontinuity),
            )
        )
    target = float(parsed.target_duration or 0.0)
    if not math.isfinite(target) or target <= 0:
        target = max((segment.duration for segment in segments), default=0.0)
    return MediaPlaylist(
        url=url,
        target_duration=target,
        media_sequence=first,
        segments=tuple(segments),
        ended=bool(parsed.is_endlist),
    )


def choose_variant(master: MasterPlaylist, prefer: VariantChoice = "lowest") -> Variant:
    """The lowest- or highest-bandwidth variant; ties go to the one listed first.

    The lowest is the default: a fingerprint needs few pixels, and it costs the pirate
    service (and us) the least.
    """
    if prefer == "highest":
        return max(master.variants, key=lambda variant: variant.bandwidth)
    return min(master.variants, key=lambda variant: variant.bandwidth)


def refuse_protected_init(init: bytes, url: str) -> None:
    """Raise :class:`EncryptedMedia` if an fMP4 init segment declares protected tracks."""
    for box in _PROTECTED_BOXES:
        if box in init:
            raise EncryptedMedia(
                f"the init segment declares protected tracks ({box.decode()} box: CENC/DRM); "
                "castwatch does not decrypt protected streams",
                redact_url(url),
            )


class HlsClient(AsyncClosing):
    """Reads HLS from one service. Use as ``async with HlsClient(options) as hls``.

    Playlists and segments go through two :class:`HttpClient`\\ s: playlists capped at
    :attr:`HlsLimits.max_playlist_bytes`, segments at ``options.max_bytes``. Both retry 5xx,
    timeouts and dropped connections as every castwatch request does, and share one network
    policy: variant playlists and segments are URLs from data.
    """

    def __init__(self, options: FetchOptions, limits: HlsLimits | None = None) -> None:
        self.limits = limits or HlsLimits()
        self.options = options
        # One network policy for both: the first playlist asked for (or the service's URLs,
        # when the caller names them) is what variants and segments may reach privately.
        policy = NetPolicy.for_urls(options.trusted_urls, options.allow_private_networks)
        self._playlists = HttpClient(
            replace(options, max_bytes=self.limits.max_playlist_bytes), policy=policy
        )
        self._segments = HttpClient(options, policy=policy)

    async def aclose(self) -> None:
        """Close the playlist and segment clients' connections."""
        await self._playlists.aclose()
        await self._segments.aclose()

    @property
    def requests(self) -> int:
        """HTTP requests made so far (playlists and segments)."""
        return self._playlists.requests + self._segments.requests

    async def playlist(self, url: str) -> Playlist:
        """Fetch and parse one playlist (relative URIs resolve against the final URL)."""
        try:
            response = await self._playlists.get(url)
        except ResponseTooLarge as exc:
            raise ResponseTooLarge(
                f"playlist is over the {self.limits.max_playlist_bytes:,}-byte cap "
                "(an endless or enormous playlist)",
                exc.url,
            ) from None
        return parse_playlist(_text(response), response.url, self.limits)

    async def media_playlist(self, url: str, prefer: VariantChoice = "lowest") -> MediaPlaylist:
        """The media playlist at ``url``, choosing a variant when ``url`` is a master."""
        seen = {url}
        playlist = await self.playlist(url)
        hops = 0
        while isinstance(playlist, MasterPlaylist):
            hops += 1
            variant = choose_variant(playlist, prefer)
            if variant.url in seen or hops > self.limits.max_hops:
                raise ProtocolError(
                    "master playlists point at each other in a loop "
                    f"({hops} hops without reaching a media playlist)",
                    redact_url(url),
                )
            seen.add(variant.url)
            playlist = await self.playlist(variant.url)
        return playlist

    async def segment(self, url: str) -> bytes:
        """One segment's bytes (or an init segment's), capped at ``options.max_bytes``."""
        response = await self._segments.get(url)
        head = response.body[:64].lstrip().lower()
        ctype = (response.content_type or "").lower()
        if ctype.startswith("text/html") or head.startswith((b"<!doctype", b"<html")):
            raise ProtocolError(
                "expected a media segment but got an HTML page (a block page?)",
                redact_url(response.url),
            )
        if looks_like_playlist(head):
            raise ProtocolError("expected a media segment but got a playlist", redact_url(url))
        return response.body

    async def follow(
        self, url: str, prefer: VariantChoice = "lowest"
    ) -> AsyncGenerator[tuple[MediaPlaylist, Segment], None]:
        """Yield the stream's segments in order with the playlist that listed them.

        VOD: every segment from the first, then stop. Live: from
        :attr:`HlsLimits.live_edge_segments` before the end, then each new segment as the
        playlist slides, for as long as the caller iterates. A live playlist that stops
        advancing raises :class:`SourceTimeout`; one whose media sequence goes backwards
        (a looping or restarted server) raises :class:`ProtocolError`.
        """
        playlist = await self.media_playlist(url, prefer)
        media_url = playlist.url
        if playlist.ended:
            for segment in playlist.segments:
                yield playlist, segment
            return
        start = max(0, len(playlist.segments) - self.limits.live_edge_segments)
        last = playlist.media_sequence + start - 1
        advanced_at = time.monotonic()
        while True:
            loaded_at = time.monotonic()
            if playlist.last_sequence < last:
                raise ProtocolError(
                    f"live playlist went back from media sequence {last} to "
                    f"{playlist.last_sequence} (a looping or restarted stream)",
                    redact_url(media_url),
                )
            fresh = [segment for segment in playlist.segments if segment.sequence > last]
            for segment in fresh:
                yield playlist, segment
                last = segment.sequence
            if playlist.ended:
                return
            target = playlist.target_duration or self.limits.max_reload_s
            if fresh:
                advanced_at = time.monotonic()
            elif time.monotonic() - advanced_at > max(
                self.limits.stall_target_durations * target, 2 * self.limits.min_reload_s
            ):
                raise SourceTimeout(
                    f"live playlist has not advanced for {time.monotonic() - advanced_at:.0f} s "
                    f"(past media sequence {last}); the channel may be off the air",
                    redact_url(media_url),
                )
            # The spec's pace: a target duration after a reload that brought something new,
            # half of one after a reload that did not.
            wait = target if fresh else target / 2
            wait = min(max(wait, self.limits.min_reload_s), self.limits.max_reload_s)
            await asyncio.sleep(max(0.0, loaded_at + wait - time.monotonic()))
            reloaded = await self.playlist(media_url)
            if isinstance(reloaded, MasterPlaylist):
                raise ProtocolError(
                    "a media playlist turned into a master playlist on reload",
                    redact_url(media_url),
                )
            playlist = reloaded


def _text(response: Response) -> str:
    # Playlists are UTF-8 by the spec; a stray byte must not stop a capture.
    return response.body.decode("utf-8", errors="replace")
