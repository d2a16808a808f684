"""Real video for the simulated panel: live HLS and MPEG-TS per channel, film and episode clips.

Every live feed shows its *channel's* programme (:func:`~castwatch.sim.programme.programme_for`
of the channel key) through the feed's own restream (:func:`~castwatch.sim.restream.restream_for`
of ``live:{stream_id}``): the several feeds of one brand carry the same pictures, each
rescaled, cropped or logo-stamped its own way, as pirate restreams do. The clean programme is
the rights holder's reference feed. Paths (``U``/``P`` are the panel's account):

=====================================  ================================================
``/live/U/P/ID.m3u8``                  live HLS media playlist of feed ``ID``
``/hls/U/P/ID/SEQ.ts``                 its segments
``/live/U/P/ID.ts``                    the same feed as one endless MPEG-TS stream
``/ref/CHANNEL_KEY/index.m3u8``        the channel's clean reference feed (no account)
``/ref/CHANNEL_KEY/SEQ.ts``            its segments
``/movie/U/P/ID.EXT``                  a film clip (``EXT``: mp4, mkv, avi, ts)
``/series/U/P/ID.EXT``                 an episode clip
=====================================  ================================================

Live time is wall-clock time: segment ``SEQ`` covers ``[SEQ * SEGMENT_S, (SEQ + 1) * SEGMENT_S)``
seconds since the epoch, the playlist lists the last :data:`WINDOW` complete segments, and
the programme repeats daily (timestamps wrap at midnight UTC, marked by a discontinuity).
A reference capture and a service capture made at the same time therefore show the same
instants. Nothing is encoded until requested (a default catalog has 6,000 channels); clips
are cached in a bounded LRU and at most :data:`ENCODERS` encode at once.
"""

from __future__ import annotations

import asyncio
import io
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from castwatch.sim import naming
from castwatch.sim.asgi import PLAYLIST_TYPE, Receive, Reply, Scope, Send, empty_reply, send_start
from castwatch.sim.catalog import LiveChannel, SimCatalog
from castwatch.sim.config import SimConfig
from castwatch.sim.faults import Account, DisconnectWatch, account_state
from castwatch.sim.programme import programme_for
from castwatch.sim.restream import CLEAN, encode_clip, restream_for
from castwatch.sim.truth import (
    REFERENCES_PATH,
    carried_key,
    pirate_truth,
    reference_list,
    swapped_streams,
)

#: Seconds per live segment (a whole number of the encoder's 2 s GOPs).
SEGMENT_S = 4.0
#: Complete segments a live playlist lists.
WINDOW = 5
#: Segments still served after they leave the window, for clients a little behind.
GRACE = 10
#: Segments sent at once when an MPEG-TS stream starts (a real server's buffer).
BURST = 2
#: The programme repeats daily: MPEG-TS timestamps (33 bits of 90 kHz) cannot count years.
DAY_S = 86_400
#: Seconds of a film or episode clip.
CLIP_S = 8.0
#: Encodes running at once, and the cache of what they made.
ENCODERS = 2
CACHE_BYTES = 64 * 1024 * 1024
TS_TYPE = b"video/mp2t"
_CONTAINERS = {
    "mp4": ("mp4", b"video/mp4"),
    "mkv": ("matroska", b"video/x-matroska"),
    "avi": ("avi", b"video/x-msvideo"),
    "ts": ("mpegts", TS_TYPE),
}
#: Most feeds a brand has in the catalog (naming: two to five qualities).
_MAX_FEEDS = 5


@dataclass(frozen=True, slots=True)
class LiveFeed:
    """Where one simulated live entry can be watched, and the reference it restreams."""

    stream_id: int
    name: str
    #: The channel it carries: the brand's iptv-org style id (``CanalPlusSport.fr``), a
    #: filler channel's ``tvg-id``, or ``sim-live-ID`` for a filler without one.
    channel_key: str
    hls_url: str
    ts_url: str
    reference_url: str


def channel_keys(live: Sequence[LiveChannel]) -> list[str]:
    """The channel key of every live entry, in catalog order.

    The catalog lists each brand's feeds together, brands in :data:`naming.BRANDS` order,
    then filler channels; a feed belongs to a brand when the brand's name appears in its
    display name (the longer name wins: ``CANAL+ SPORT`` over ``CANAL+``). Backup feeds,
    which carry no ``tvg-id``, still get their brand's key.
    """
    brands = naming.BRANDS
    keys: list[str] = []
    current, feeds = -1, 0
    for channel in live:
        padded = f" {channel.name} "
        here = 0 <= current < len(brands) and feeds < _MAX_FEEDS
        here = here and f" {brands[current].name} " in padded
        following = current + 1
        there = following < len(brands) and f" {brands[following].name} " in padded
        if there and (not here or len(brands[following].name) > len(brands[current].name)):
            current, feeds, here = following, 0, True
        if here:
            keys.append(brands[current].channel_id)
            feeds += 1
        else:
            current = len(brands)  # past the brands: every other channel is its own
            keys.append(channel.epg_channel_id or f"sim-live-{channel.stream_id}")
    return keys


def reference_url(base_url: str, channel_key: str) -> str:
    """The clean reference feed of a channel."""
    return f"{base_url.rstrip('/')}/ref/{quote(channel_key, safe='')}/index.m3u8"


def live_feed(catalog: SimCatalog, config: SimConfig, base_url: str, stream_id: int) -> LiveFeed:
    """URLs and channel of the live entry ``stream_id`` (a KeyError if there is none)."""
    if not 1 <= stream_id <= len(catalog.live):
        raise KeyError(f"no live stream {stream_id} in this catalog")
    channel = catalog.live[stream_id - 1]
    # Keys follow from the channels before, never after: the prefix is enough.
    key = channel_keys(catalog.live[:stream_id])
    base = base_url.rstrip("/")
    account = f"{quote(config.username, safe='')}/{quote(config.password, safe='')}"
    return LiveFeed(
        stream_id=stream_id,
        name=channel.name,
        channel_key=key[stream_id - 1],
        hls_url=f"{base}/live/{account}/{stream_id}.m3u8",
        ts_url=f"{base}/live/{account}/{stream_id}.ts",
        reference_url=reference_url(base, key[stream_id - 1]),
    )


def live_sequence(now: float | None = None) -> int:
    """The media sequence number of the segment in progress at ``now`` (default: the clock)."""
    return int((time.time() if now is None else now) // SEGMENT_S)


def live_playlist(prefix: str, now: float | None = None, ended: bool = False) -> bytes:
    """The live media playlist at ``now``: the last :data:`WINDOW` complete segments.

    ``ended`` (a frozen clock) closes it with ``EXT-X-ENDLIST``: no segment will ever follow,
    and a reader that waited for one would stall until its own timeout.
    """
    last = live_sequence(now) - 1
    first = last - WINDOW + 1
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        f"#EXT-X-TARGETDURATION:{SEGMENT_S:g}",
        f"#EXT-X-MEDIA-SEQUENCE:{first}",
    ]
    for sequence in range(first, last + 1):
        if sequence != first and _programme_time(sequence) == 0:
            lines.append("#EXT-X-DISCONTINUITY")  # midnight: the programme starts over
        lines += [f"#EXTINF:{SEGMENT_S:.3f},", f"{prefix}{sequence}.ts"]
    if ended:
        lines.append("#EXT-X-ENDLIST")
    return ("\n".join(lines) + "\n").encode()


def _programme_time(sequence: int) -> float:
    return (sequence * SEGMENT_S) % DAY_S


class ClipCache:
    """Encoded clips by key: least recently used dropped past ``max_bytes``; one encode per key.

    Encoding runs in worker threads, at most ``encoders`` at once, so the event loop keeps
    answering API calls while video is made.
    """

    def __init__(self, max_bytes: int = CACHE_BYTES, encoders: int = ENCODERS) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.encoded = 0
        self._clips: OrderedDict[Hashable, bytes] = OrderedDict()
        self._pending: dict[Hashable, asyncio.Future[bytes]] = {}
        self._slots = asyncio.Semaphore(encoders)

    async def get(self, key: Hashable, encode: Callable[[], bytes]) -> bytes:
        clip = self._clips.get(key)
        if clip is not None:
            self._clips.move_to_end(key)
            return clip
        pending = self._pending.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            async with self._slots:
                clip = await asyncio.to_thread(encode)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: nobody else may be waiting for it
            raise
        finally:
            del self._pending[key]
        future.set_result(clip)
        self.encoded += 1
        self._clips[key] = clip
        self.size += len(clip)
        while self.size > self.max_bytes and len(self._clips) > 1:
            self.size -= len(self._clips.popitem(last=False)[1])
        return clip


@dataclass(frozen=True, slots=True)
class ContinuousStream:
    """An endless MPEG-TS answer: ``run(send, receive)`` streams it until the client leaves.

    ``burst`` (its first segments) is what a fault mode that rewrites bodies breaks instead.
    """

    burst: Reply
    run: Callable[[Send, Receive], Awaitable[None]]


Answer = Reply | ContinuousStream


class SimMedia:
    """The video side of one simulated panel; ``handle`` answers every path in the module doc."""

    def __init__(
        self, catalog: SimCatalog, config: SimConfig, base_url: str, stopping: threading.Event
    ) -> None:
        self._catalog = catalog
        self._config = config
        self._base_url = base_url
        self._account = account_state(config.fault)
        self._keys: list[str] | None = None
        self._key_set: frozenset[str] = frozenset()
        self._swaps: dict[int, str] = {}
        self.cache = ClipCache()
        #: Set when the server shuts down: endless streams end.
        self._stopping = stopping

    @property
    def _frozen(self) -> bool:
        return self._config.frozen_clock is not None

    def _now(self) -> float:
        """Live time: the clock, or the configured frozen instant."""
        frozen = self._config.frozen_clock
        return time.time() if frozen is None else frozen

    def live_feed(self, stream_id: int) -> LiveFeed:
        """:func:`live_feed` for this panel."""
        return live_feed(self._catalog, self._config, self._base_url, stream_id)

    def channel_key(self, stream_id: int) -> str:
        return self._channel_keys()[stream_id - 1]

    def _channel_keys(self) -> list[str]:
        if self._keys is None:  # computed on first need: most runs never ask for video
            self._keys = channel_keys(self._catalog.live)
            self._key_set = frozenset(self._keys)
            self._swaps = swapped_streams(self._keys, self._config.seed, self._config.swapped)
        return self._keys

    def carried_key(self, stream_id: int) -> str:
        """The channel live stream ``stream_id`` plays (another one when it is swapped)."""
        keys = self._channel_keys()
        return carried_key(keys, self._swaps, stream_id)

    def truth(self) -> dict[str, Any]:
        """:func:`truth.pirate_truth` of this panel."""
        return pirate_truth(self._channel_keys(), self._swaps)

    def reference_list(self) -> list[dict[str, str]]:
        """:func:`truth.reference_list` of this panel."""
        return reference_list(self._channel_keys(), self._base_url)

    async def handle(self, scope: Scope) -> Answer:
        raw: bytes = scope.get("raw_path") or scope["path"].encode()
        parts = [unquote(part) for part in raw.decode("latin-1").split("/")[1:]]
        kind = parts[0]
        if "/" + "/".join(parts) == REFERENCES_PATH:
            body = json.dumps(self.reference_list()).encode()
            return Reply(200, b"application/json", (body,), "json")
        if kind == "ref" and len(parts) == 3:
            return await self._reference(parts[1], parts[2])
        if len(parts) < 4:
            return _not_found()
        refusal = self._refusal(parts[1], parts[2])
        if refusal is not None:
            return refusal
        if kind == "live" and len(parts) == 4:
            return await self._live(parts[3])
        if kind == "hls" and len(parts) == 5:
            return await self._live_segment(parts[3], parts[4])
        if kind in ("movie", "series") and len(parts) == 4:
            return await self._clip(kind, parts[3])
        return _not_found()

    def _refusal(self, username: str, password: str) -> Reply | None:
        if self._account is Account.REFUSED or (username, password) != (
            self._config.username,
            self._config.password,
        ):
            return empty_reply(401)
        if self._account is Account.BANNED:
            return empty_reply(403)
        return None

    async def _live(self, name: str) -> Answer:
        stem, _, extension = name.partition(".")
        stream_id = int(stem) if stem.isdigit() else 0
        if not 1 <= stream_id <= len(self._catalog.live) or extension not in ("m3u8", "ts"):
            return _not_found()
        if extension == "m3u8":
            prefix = f"/hls/{quote(self._config.username, safe='')}/"
            prefix += f"{quote(self._config.password, safe='')}/{stream_id}/"
            playlist = live_playlist(prefix, self._now(), self._frozen)
            return Reply(200, PLAYLIST_TYPE, (playlist,), "playlist")
        # A frozen clock: the playlist's window (what its HLS reader gets), then the end;
        # one segment up front and the rest as the reader keeps reading, so a short probe
        # costs the encodes it reads.
        first = live_sequence(self._now()) - (WINDOW if self._frozen else BURST)
        count = 1 if self._frozen else BURST
        burst = [await self._feed_segment(stream_id, first + n) for n in range(count)]
        reply = Reply(200, TS_TYPE, tuple(burst), "text")

        async def run(send: Send, receive: Receive) -> None:
            await self._stream(send, receive, reply, stream_id, first)

        return ContinuousStream(reply, run)

    async def _stream(
        self, send: Send, receive: Receive, burst: Reply, stream_id: int, first: int
    ) -> None:
        """Send the burst, then each segment as soon as the clock completes it, for ever.

        With a frozen clock the stream ends cleanly after the playlist's window: waiting for
        a segment the clock never completes stalled every reader until its own timeout (a
        probe longer than the burst came back "dark" instead of with the media there is).
        """
        await send_start(send, 200, TS_TYPE, None)
        watch = DisconnectWatch(receive)
        try:
            for piece in burst.pieces:
                await send({"type": "http.response.body", "body": piece, "more_body": True})
            sequence = first + len(burst.pieces)
            end = first + WINDOW if self._frozen else None
            while not watch.gone and not self._stopping.is_set():
                if end is not None:
                    if sequence >= end:
                        break
                elif self._now() < (sequence + 1) * SEGMENT_S:
                    await asyncio.sleep(0.1)
                    continue
                body = await self._feed_segment(stream_id, sequence)
                await send({"type": "http.response.body", "body": body, "more_body": True})
                await asyncio.sleep(0)  # a send to a dead connection does not yield
                sequence += 1
            if not watch.gone:
                await send({"type": "http.response.body", "body": b""})
        finally:
            await watch.close()

    async def _live_segment(self, stream: str, name: str) -> Answer:
        stream_id = int(stream) if stream.isdigit() else 0
        sequence = _segment_sequence(name, self._now())
        if not 1 <= stream_id <= len(self._catalog.live) or sequence is None:
            return _not_found()
        return Reply(200, TS_TYPE, (await self._feed_segment(stream_id, sequence),), "text")

    async def _feed_segment(self, stream_id: int, sequence: int) -> bytes:
        channel = self.carried_key(stream_id)
        restream = f"live:{stream_id}"
        return await self.cache.get(
            ("live", stream_id, sequence), lambda: _encode(channel, restream, sequence)
        )

    async def _reference(self, channel: str, name: str) -> Answer:
        self._channel_keys()
        if channel not in self._key_set:
            return _not_found()
        if name == "index.m3u8":
            playlist = live_playlist("", self._now(), self._frozen)
            return Reply(200, PLAYLIST_TYPE, (playlist,), "playlist")
        sequence = _segment_sequence(name, self._now())
        if sequence is None:
            return _not_found()
        body = await self.cache.get(
            ("ref", channel, sequence), lambda: _encode(channel, None, sequence)
        )
        return Reply(200, TS_TYPE, (body,), "text")

    async def _clip(self, kind: str, name: str) -> Answer:
        stem, _, extension = name.partition(".")
        item_id = int(stem) if stem.isdigit() else 0
        container = _CONTAINERS.get(extension)
        work = self._work_key(kind, item_id)
        if container is None or work is None:
            return _not_found()
        restream = f"{'film' if kind == 'movie' else 'episode'}:{item_id}"
        body = await self.cache.get(
            (kind, item_id, extension), lambda: _encode_clip(work, restream, container[0])
        )
        return Reply(200, container[1], (body,), "text")

    def _work_key(self, kind: str, item_id: int) -> str | None:
        """The programme key of a film (its work: releases of one film share it) or episode."""
        if kind == "movie":
            films = self._catalog.films
            index = item_id - films[0].stream_id if films else -1
            if 0 <= index < len(films) and films[index].stream_id == item_id:
                film = films[index]
                return f"tmdb:{film.tmdb}" if film.tmdb else f"film:{film.stream_id}"
            return None
        episodes = self._catalog.episodes
        index = item_id - episodes[0].episode_id if episodes else -1
        if 0 <= index < len(episodes) and episodes[index].episode_id == item_id:
            return f"episode:{item_id}"
        return None


def _segment_sequence(name: str, now: float) -> int | None:
    """The sequence of ``SEQ.ts`` if that segment is complete and not yet forgotten."""
    stem, _, extension = name.partition(".")
    if extension != "ts" or not stem.isdigit():
        return None
    sequence = int(stem)
    current = live_sequence(now)
    return sequence if current - WINDOW - GRACE <= sequence < current else None


def _encode(channel: str, restream: str | None, sequence: int) -> bytes:
    output = io.BytesIO()
    encode_clip(
        programme_for(channel),
        restream_for(restream) if restream else CLEAN,
        start_s=_programme_time(sequence),
        seconds=SEGMENT_S,
        output=output,
    )
    return output.getvalue()


def _encode_clip(work: str, restream: str, container: str) -> bytes:
    output = io.BytesIO()
    encode_clip(
        programme_for(work),
        restream_for(restream),
        start_s=0.0,
        seconds=CLIP_S,
        output=output,
        container=container,
    )
    return output.getvalue()


def _not_found() -> Reply:
    return Reply(404, b"text/plain; charset=utf-8", (b"Not Found",), "text")
