"""Read an extended M3U playlist, from a file or an http(s) URL, into an Inventory.

The bytes are parsed as they arrive (:mod:`castwatch.sources.clients.m3u`), so a 200,000-entry
panel export never sits in memory as text. Each playlist item becomes one entry:

* **Kodi headers**: a ``|Header=value&...`` suffix (``...mp4|User-Agent=VLC&Referer=...``)
  is split off first, into ``extra`` as ``header:NAME`` (values decoded), so that it never
  reads as the container and the URL is the stream's.
* **Kind**, first rule that fits: a path segment ``/live/``, ``/movie/`` or ``/series/``
  (the Xtream layout) gives live, film or episode; else a video-file container (``.mkv``,
  ``.mp4``, ``.avi``...) is VOD, an episode when the group names series (``SERIES``,
  ``SÉRIES``, ``SERIEN``, ``TV SHOWS``) or the title has a ``S01E03`` mark, else a film;
  else an HLS, DASH or TS URL (``.m3u8``, ``.mpd``, ``.ts``) or a multicast or RTMP/RTSP/SRT
  one is live, whatever its group is called (public lists file live channels under
  "Movies"); else (no container: ``/play/123``, ``.php``) the group decides, series or
  films (``VOD``, ``FILMS``, ``MOVIES``), else live.
* **Key**: ``live:{stream_id}``, ``film:{stream_id}``, ``episode:{episode_id}`` for Xtream
  URLs (``/live/U/P/ID.ext`` and the short ``/U/P/ID[.ext]``, numeric ids only), the keys
  the Xtream source gives the same streams; otherwise ``{kind}:url:{redacted URL}``. An
  entry listed again gets ``#2``, ``#3``... .
* **Separators**: an entry whose title is a separator (``=====sudan=====``) and whose URL is
  a placeholder (no host, ``localhost``, ``0.0.0.0``, ``example.com``, a bare ``http://h/``...)
  is no entry: it is counted in the warnings with those that had no URL at all.
* **URL**: credentials and named secrets replaced by placeholders and registered once in the
  inventory. Attributes beyond ``tvg-id``, ``tvg-name``, ``tvg-logo`` and ``group-title``
  go to ``extra`` as given (URLs in them redacted), with ``vlcopt:KEY``, ``kodiprop:KEY``,
  ``header:NAME``, ``extgrp`` and ``directives``. Durations of zero or less (``-1``:
  unknown) are dropped.
"""

from __future__ import annotations

import asyncio
import codecs
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, unquote_plus, urlsplit

from castwatch.catalog import Credentials, Entry, EntryKind, Inventory, ServiceKind
from castwatch.catalog.credentials import (
    PASSWORD,
    USERNAME,
    is_account_segment,
    redact_url,
    split_credentials,
)
from castwatch.errors import (
    AuthenticationError,
    FetchError,
    HttpStatusError,
    ProtocolError,
    SourceError,
)
from castwatch.net.client import HttpClient, is_retriable, paused_gc, run_sync
from castwatch.net.policy import FetchOptions
from castwatch.sources.base import Progress, Source, no_progress, register_source
from castwatch.sources.clients import m3u

#: Bytes read from a file at a time.
CHUNK_BYTES = 1 << 18
#: Bytes looked at before deciding what the body is (encoding, HTML, HLS, binary).
HEAD_BYTES = 4096

#: Statuses worth another try before the body starts (overloaded or flaky panels).
_HLS_TAGS = (b"#EXT-X-TARGETDURATION", b"#EXT-X-MEDIA-SEQUENCE", b"#EXT-X-STREAM-INF")
_MPEGURL_TYPES = ("audio/x-mpegurl", "audio/mpegurl", "application/vnd.apple.mpegurl")
# Xtream stream URLs, `http://h:8080/live/USER/PASS/1234.ts`, are most entries. Their prefix
# (all but the last segment) repeats, so it is matched once and cached; the last segment is
# checked with string methods when it is `digits.ext`. These accept only URLs that
# split_credentials splits the same way (tests/sources/test_m3u_source.py checks).
_XTREAM_PREFIX = re.compile(
    r"(https?://[A-Za-z0-9.:_-]+)/(live|movie|series)/([^/?#@\s]+)/([^/?#@\s]+)\Z"
)
_XTREAM_TAIL = re.compile(r"([0-9]+)(?:\.([A-Za-z0-9]{1,5}))?\Z")
# The short live form after split_credentials: `/{username}/{password}/1234[.ts]`.
_SHORT_XTREAM = re.compile(r"/\{username\}/\{password\}/([0-9]+)(?:\.([A-Za-z0-9]{1,5}))?\Z")
# A Kodi header suffix: `|Name=value&Name2=value2` after the URL.
_KODI_HEADERS = re.compile(r"\|([A-Za-z][A-Za-z0-9_-]*=[^|]*)\Z")
# Characters a separator title starts or ends with: a cheap test before the regex.
_SEPARATOR_ENDS = m3u.SEPARATOR_CHARS
_LIVE_CONTAINERS = frozenset({"m3u8", "m3u", "mpd", "ts", "m2ts", "mpegts", "flv", "isml"})
_LIVE_SCHEMES = ("udp://", "rtp://", "rtmp://", "rtmps://", "rtsp://", "srt://", "mms://")
_PLACEHOLDER_HOSTS = frozenset(
    {"", "localhost", "0.0.0.0", "127.0.0.1", "example.com", "example.org", "example.net",
     "separator", "null", "none", "dummy", "blank", "x", "xxx"}
)  # fmt: skip
_PREFIX_CACHE_SIZE = 1024
_SEGMENT_KIND = {"live": EntryKind.LIVE, "movie": EntryKind.FILM, "series": EntryKind.EPISODE}
_KEY_PREFIX = {kind: f"{kind.value}:" for kind in EntryKind}
_PATH_KIND = re.compile(r"/(live|movie|series)/")
_SERIES_GROUP = re.compile(r"\b(?:S[ÉE]RIES?|SERIEN|TV SHOWS)\b", re.IGNORECASE)
_FILM_GROUP = re.compile(r"\b(?:VOD|FILMS|MOVIES)\b", re.IGNORECASE)
_VIDEO_FILES = frozenset({"mkv", "mp4", "avi", "mov", "m4v", "wmv", "mpg", "mpeg", "webm"})
_EPISODE_MARK = re.compile(r"\bS(\d{1,3})\s?E(\d{1,4})\b", re.IGNORECASE)
_NAMED_ATTRS = frozenset({"tvg-id", "tvg-name", "tvg-logo", "group-title"})


@register_source
class M3USource(Source):
    """Reads an extended M3U playlist: a panel's ``get.php``, a file, any ``.m3u`` URL."""

    name = "m3u"

    @classmethod
    def probe(cls, target: str, head: bytes, content_type: str | None) -> bool:
        """An ``#EXTM3U``/``#EXTINF`` head, or an M3U path or type not hiding HTML or HLS."""
        start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        if any(tag in head for tag in _HLS_TAGS):
            # One stream's segments (HLS), not a list of services: detection says so.
            return False
        if start.startswith((b"#EXTM3U", b"#EXTINF")):
            return True
        if start.startswith(b"<") or b"\x00" in head[:HEAD_BYTES]:
            return False
        media_type = (content_type or "").split(";")[0].strip().lower()
        if media_type in _MPEGURL_TYPES:
            return b"#EXTINF" in head
        return _path(target).lower().endswith((".m3u", ".m3u8"))

    def fetch(
        self, target: str, options: FetchOptions, progress: Progress = no_progress
    ) -> Inventory:
        """Read the whole playlist; a URL is streamed under the options' size cap and timeout."""
        return read_playlist(target, options, PlaylistBuilder(target, progress))


def read_playlist(target: str, options: FetchOptions, builder: PlaylistBuilder) -> Inventory:
    """Feed the playlist at ``target`` (a file, or a URL streamed) to ``builder``; its result.

    Raises the source errors of an M3U read (an account refused, a file that cannot be read,
    a body that is no playlist).
    """
    # Some 600,000 long-lived objects are made here: see paused_gc.
    with paused_gc():
        if target.lower().startswith(("http://", "https://")):
            run_sync(_stream_url(target, options, builder))
        else:
            _read_file(target, builder)
        return builder.finish()


async def _stream_url(target: str, options: FetchOptions, builder: PlaylistBuilder) -> None:
    async with HttpClient(options) as http:
        attempt = 0
        while True:
            try:
                async with http.stream(target) as chunks:
                    async for chunk in chunks:
                        builder.feed(chunk)
                return
            except HttpStatusError as exc:
                if exc.status in (401, 403) and split_credentials(target)[1]:
                    raise AuthenticationError(
                        f"the server refused the playlist's account (HTTP {exc.status}): "
                        "wrong, expired or banned credentials",
                        exc.url,
                    ) from None
                if not is_retriable(exc) or builder.started or attempt >= options.retries:
                    raise
            except FetchError as exc:
                # Retry only while nothing was parsed: a stream cannot resume mid-body.
                if not is_retriable(exc) or builder.started or attempt >= options.retries:
                    raise
            await asyncio.sleep(options.backoff * 2**attempt)
            attempt += 1


def _read_file(target: str, builder: PlaylistBuilder) -> None:
    path = Path(unquote(_path(target)) if target.startswith("file:") else target)
    try:
        with path.open("rb") as file:
            while chunk := file.read(CHUNK_BYTES):
                builder.feed(chunk)
    except OSError as exc:
        raise SourceError(f"cannot read the playlist file: {exc.strerror or exc}", target) from None


class PlaylistBuilder:
    """Turns playlist bytes, chunk by chunk, into an Inventory.

    Exists to keep the per-entry work in one tight place (a panel export is some 200,000
    entries) and to check, once the first bytes are in, that the body is a playlist at all.
    """

    def __init__(
        self, target: str, progress: Progress = no_progress, *, entries: list[Entry] | None = None
    ) -> None:
        """``entries``: a list to append entries to instead of the inventory's own (a tally
        that keeps none, for a summary); repeated keys are then not told apart."""
        shown = redact_url(target)
        self.inventory = Inventory(kind=ServiceKind.M3U, source_url=shown, base_urls=[shown])
        if entries is not None:
            self.inventory.entries = entries
        self._target = shown
        self._progress = progress
        self._parser = m3u.M3UParser()
        self._head = b""
        self._decoder: codecs.IncrementalDecoder | None = None
        # Per URL prefix: kind, redacted prefix, account, and its index once a stream used it.
        self._prefixes: dict[str, list[Any] | None] = {}
        self._keys: set[str] = set() if entries is None else _NoKeys()
        self._repeats = 0
        self._suffixes: dict[str, int] = {}
        self._groups: dict[str | None, EntryKind | None] = {}
        self._read_entries = 0
        # The account in the playlist URL is the one the read used: it comes first.
        account = split_credentials(target)[1]
        if account:
            self.inventory.add_credentials(account)

    @property
    def started(self) -> bool:
        """Whether any byte has been fed."""
        return bool(self._head) or self._decoder is not None

    def feed(self, chunk: bytes) -> None:
        """Parse the next bytes and turn the entries they complete into inventory entries."""
        if self._decoder is None:
            self._head += chunk
            if len(self._head) < HEAD_BYTES:
                return
            chunk, self._head = self._head, b""
            self._decoder = self._decoder_for(chunk)
        self._add(self._parser.feed(self._decoder.decode(chunk)))

    def finish(self) -> Inventory:
        """The inventory, once every byte has been fed; ProtocolError when it is no playlist."""
        if self._decoder is None:
            head, self._head = self._head, b""
            self._decoder = self._decoder_for(head)
            self._add(self._parser.feed(self._decoder.decode(head)))
        self._add(self._parser.feed(self._decoder.decode(b"", final=True)))
        self._add(self._parser.close())
        parser, inventory = self._parser, self.inventory
        if not inventory.entries and parser.warnings[m3u.SEPARATOR]:
            raise ProtocolError(
                f"no entries: only {parser.warnings[m3u.SEPARATOR]:,} separator titles "
                "(like =====News=====) without a stream URL",
                self._target,
            )
        if not inventory.entries or (
            parser.warnings[m3u.BROKEN_URL] == len(inventory.entries) and not self._read_entries
        ):
            long_lines = parser.warnings[m3u.LONG_LINE]
            if long_lines:
                # A one-line playlist of 300 MB is not "no entries": the cap dropped it.
                raise ProtocolError(
                    f"no #EXTINF entries read: {long_lines:,} line(s) longer than the "
                    f"{parser.max_line:,}-byte line cap were skipped (first at line "
                    f"{parser.first_lines[m3u.LONG_LINE]:,}); is this a playlist written "
                    "on one line?",
                    self._target,
                )
            raise ProtocolError(
                "no #EXTINF entries and no stream URLs: not a playlist", self._target
            )
        inventory.server_info = {"header": {k: _safe(v) for k, v in parser.header.items()}}
        for warning, count in parser.warnings.items():
            line = parser.first_lines[warning]
            inventory.warnings.append(f"{count:,} × {warning}, first at line {line:,}")
        if self._repeats:
            inventory.warnings.append(
                f"{self._repeats:,} entries listed more than once (keys suffixed #2, #3...)"
            )
        return inventory

    def _decoder_for(self, head: bytes) -> codecs.IncrementalDecoder:
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return codecs.getincrementaldecoder("utf-16")(errors="replace")
        if not text:
            raise ProtocolError("an empty body, not a playlist", self._target)
        if any(tag in head for tag in _HLS_TAGS):
            raise ProtocolError(
                "an HLS stream playlist (#EXT-X- segments), not a service playlist: "
                "it plays one stream and lists no channels",
                self._target,
            )
        if text.startswith(b"<"):
            raise ProtocolError(
                "no #EXTINF entries: an HTML page (a login wall, a block page or the wrong URL?)",
                self._target,
            )
        if b"\x00" in head or head.decode("utf-8", "replace").count("\ufffd") > len(head) // 10:
            raise ProtocolError("binary data, not a playlist", self._target)
        return codecs.getincrementaldecoder("utf-8-sig")(errors="replace")

    def _add(self, items: list[m3u.PlaylistItem]) -> None:
        if not items:
            return
        append = self.inventory.entries.append
        for item in items:
            entry = self._entry(item)
            if entry is not None:
                append(entry)
        self._progress("entries", len(self.inventory.entries), None)

    def _entry(self, item: m3u.PlaylistItem) -> Entry | None:
        attrs, title, url = item.attrs, item.title, item.url
        if item.duration is not None or title or attrs:
            self._read_entries += 1
        headers: dict[str, str] | None = None
        if "|" in url and (suffix := _KODI_HEADERS.search(url)):
            url, headers = url[: suffix.start()], _kodi_headers(suffix.group(1))
        if (
            title
            and (title[0] in _SEPARATOR_ENDS or title[-1] in _SEPARATOR_ENDS)
            and m3u.is_separator_title(title)
            and _is_placeholder(url)
        ):
            # Counted with the parser's separators (those without a URL): the earliest line
            # wins, as the parser reads a chunk ahead of this.
            parser = self._parser
            parser.warnings[m3u.SEPARATOR] += 1
            first = parser.first_lines.get(m3u.SEPARATOR, item.line)
            parser.first_lines[m3u.SEPARATOR] = min(first, item.line)
            return None
        group = attrs.get("group-title") or item.extgrp or None
        stream_id = episode_id = container = None
        credential: int | None
        xtream = self._xtream(url)
        if xtream is not None:
            kind, shown, credential, ident, container = xtream
            if kind is EntryKind.EPISODE:
                episode_id = ident
            else:
                stream_id = ident
            key = _KEY_PREFIX[kind] + ident
        else:
            shown, found = split_credentials(url)
            credential = self.inventory.add_credentials(found) if found else None
            path = _path(shown)
            name, dot, extension = path.rpartition("/")[2].rpartition(".")
            container = extension.lower() if dot and name and extension.isalnum() else None
            short = _SHORT_XTREAM.search(path) if found and found.username else None
            if short is not None and container not in _VIDEO_FILES:
                # The short live form: the stream player_api lists as live:ID.
                kind, stream_id = EntryKind.LIVE, short.group(1)
                key = _KEY_PREFIX[kind] + stream_id
            else:
                kind = self._kind(shown, path, group, container, title)
                if short is not None:
                    stream_id = short.group(1)
                    key = _KEY_PREFIX[kind] + stream_id
                else:
                    key = f"{_KEY_PREFIX[kind]}url:{shown}"
        if key in self._keys:
            key = self._next_key(key)
        self._keys.add(key)
        season = episode_num = None
        if kind is EntryKind.EPISODE and (mark := _EPISODE_MARK.search(title)):
            season, episode_num = int(mark.group(1)), int(mark.group(2))
        duration = item.duration if item.duration is not None and item.duration > 0 else None
        # Positional, in Entry's field order: half the cost of keywords, once per entry.
        return Entry(
            kind, key, title or attrs.get("tvg-name") or "", group, shown, credential,
            attrs.get("tvg-id") or None, attrs.get("tvg-name") or None,
            attrs.get("tvg-logo") or None, stream_id, None, episode_id, season, episode_num,
            None, container, None, None, None, None, duration, _extra(item, headers),
        )  # fmt: skip

    def _xtream(self, url: str) -> tuple[EntryKind, str, int, str, str | None] | None:
        """Kind, redacted URL, credential index, id and extension of an Xtream stream URL."""
        prefix, _, tail = url.rpartition("/")
        if prefix in self._prefixes:
            known = self._prefixes[prefix]
        else:
            known = None
            match = _XTREAM_PREFIX.match(prefix)
            if match and is_account_segment(match[3]) and is_account_segment(match[4]):
                base, segment, user, secret = match.groups()
                shown = f"{base}/{segment}/{USERNAME}/{PASSWORD}/"
                known = [_SEGMENT_KIND[segment], shown, Credentials(user, secret), None]
            if len(self._prefixes) >= _PREFIX_CACHE_SIZE:
                self._prefixes.clear()
            self._prefixes[prefix] = known
        if known is None:
            return None
        ident, dot, extension = tail.rpartition(".")
        if not dot:
            ident, extension = tail, ""
        if not (
            ident.isascii()
            and ident.isdigit()
            and extension.isascii()
            and extension.isalnum()
            and len(extension) <= 5
        ):
            # Non-numeric ids are no Xtream stream (`/live/x/hls/playlist.m3u8`): no key, no
            # account from them.
            match = _XTREAM_TAIL.match(tail)
            if match is None:
                return None
            ident, extension = match.group(1), match.group(2) or ""
        if known[3] is None:
            # Registered on the first stream, not the first prefix: a prefix whose tails
            # are never stream ids must not invent an account.
            known[3] = self.inventory.add_credentials(known[2])
        return known[0], known[1] + tail, known[3], ident, extension.lower() or None

    def _kind(
        self, url: str, path: str, group: str | None, container: str | None, title: str
    ) -> EntryKind:
        segment = _PATH_KIND.search(path)
        if segment:
            return _SEGMENT_KIND[segment.group(1)]
        hint = self._group_hint(group)
        if container in _VIDEO_FILES:
            # VOD for sure: the group only says which kind of VOD.
            if hint is EntryKind.EPISODE or _EPISODE_MARK.search(title):
                return EntryKind.EPISODE
            return EntryKind.FILM
        if container in _LIVE_CONTAINERS or url.lower().startswith(_LIVE_SCHEMES):
            return EntryKind.LIVE
        return hint or EntryKind.LIVE

    def _group_hint(self, group: str | None) -> EntryKind | None:
        if group not in self._groups:
            hint = None
            if group and _SERIES_GROUP.search(group):
                hint = EntryKind.EPISODE
            elif group and _FILM_GROUP.search(group):
                hint = EntryKind.FILM
            self._groups[group] = hint
        return self._groups[group]

    def _next_key(self, key: str) -> str:
        # Resume from the last suffix given: a panel repeating one stream 100,000 times
        # must not cost 100,000² set lookups.
        self._repeats += 1
        number = self._suffixes.get(key, 1) + 1
        while f"{key}#{number}" in self._keys:
            number += 1
        self._suffixes[key] = number
        return f"{key}#{number}"


class _NoKeys(set[str]):
    """A key set that remembers nothing: a summary does not tell repeats apart."""

    def __contains__(self, key: object) -> bool:
        return False

    def add(self, key: str) -> None:
        pass


def _kodi_headers(suffix: str) -> dict[str, str]:
    # `User-Agent=VLC%2F3&Referer=http%3A%2F%2Fh%2F`: Kodi's form, values URL-encoded.
    headers: dict[str, str] = {}
    for pair in suffix.split("&"):
        name, _, value = pair.partition("=")
        if name:
            headers[name] = unquote_plus(value)
    return headers


def _is_placeholder(url: str) -> bool:
    """Whether a URL stands in for no stream: no scheme, no host, a dummy host, no path."""
    scheme, sep, rest = url.partition("://")
    if not sep or not scheme:
        return True
    end = min((i for i in map(rest.find, "/?#") if i >= 0), default=len(rest))
    authority, path = rest[:end].rpartition("@")[2], rest[end:].partition("?")[0]
    host = authority[1:].partition("]")[0] if authority.startswith("[") else authority
    host = host.rpartition(":")[0] if host.count(":") == 1 else host
    host = host.lower()
    if host in _PLACEHOLDER_HOSTS or host.endswith((".example", ".invalid", ".localhost")):
        return True
    # An http(s) URL with no path is a site, not a stream (multicast URLs have no path).
    return scheme.lower() in ("http", "https") and not path.strip("/")


def _extra(item: m3u.PlaylistItem, headers: dict[str, str] | None = None) -> dict[str, str]:
    if (
        _NAMED_ATTRS.issuperset(item.attrs)
        and not (item.vlcopts or item.kodiprops or item.directives)
        and item.extgrp is None
        and not headers
    ):
        return {}
    extra = {name: _safe(value) for name, value in item.attrs.items() if name not in _NAMED_ATTRS}
    for name, value in (headers or {}).items():
        extra[f"header:{name}"] = _safe(value)
    for prefix, options in (("vlcopt:", item.vlcopts), ("kodiprop:", item.kodiprops)):
        seen: dict[str, int] = {}
        for key, value in options:
            name = prefix + key
            if name in extra:
                number = seen.get(name, 1) + 1
                while f"{name}#{number}" in extra:
                    number += 1
                seen[name] = number
                name = f"{name}#{number}"
            extra[name] = _safe(value)
    if item.extgrp is not None and item.attrs.get("group-title", item.extgrp) != item.extgrp:
        extra["extgrp"] = item.extgrp  # the group is group-title's; keep the other one too
    if item.directives:
        extra["directives"] = "\n".join(_safe(line) for line in item.directives)
    return extra


def _path(target: str) -> str:
    """The path of a URL (the target itself when it is a plain path or will not parse)."""
    if "://" not in target and not target.startswith("file:"):
        return target
    try:
        return urlsplit(target).path
    except ValueError:
        return target


def _safe(value: str) -> str:
    # Catch-up templates, EPG links and referrers may carry the account: redact them too.
    return redact_url(value) if "/" in value or "=" in value else value
