"""The inverted index behind :class:`~.matcher.ChannelMatcher`.

Every name a channel goes by (its name, alt names, feed names, and their variants) becomes an
*entry*: normalised tokens, the joined key, and what the name itself says about country, time
shift and quality. Entries are found three ways: by exact key (``CANALPLUS`` = ``CANAL PLUS``),
by stemmed token (postings weighted by IDF), and for tokens the registry has never seen, by a
split into known tokens (``BEINSPORTS``) or a one-letter typo (SymSpell-style deletion
neighbourhoods, precomputed). All of it is plain lists, tuples and dicts, so that
:mod:`marshal` writes and reads it in one call: loading is much faster than building.

To index another kind of name (a network, an EPG id), add entries in :func:`build_index` with
a new ``KIND_*`` code; the matcher scores every entry the same way.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields

from castwatch.catalog.registry import ChannelRecord
from castwatch.identify.channels.callsigns import station_key
from castwatch.identify.channels.names import NormalizedName, normalize_registry_name

KIND_NAME, KIND_ALT, KIND_FEED, KIND_VARIANT = 0, 1, 2, 3
_MIN_TYPO_LENGTH = 4
_MAX_SPLIT_LENGTH = 32


def stem(token: str) -> str:
    """The token as the index files it: ``sports`` -> ``sport``, ``الجزيره`` -> ``جزيره``."""
    if len(token) >= 4 and token[-1] == "s" and token[-2] != "s" and token.isascii():
        return token[:-1]
    if len(token) >= 5 and token.startswith("ال"):
        return token[2:]  # the Arabic article: "الجزيرة" and "جزيرة" are the same word
    return token


def deletions(word: str) -> Iterator[str]:
    """``word`` with each one of its letters left out."""
    for i in range(len(word)):
        yield word[:i] + word[i + 1 :]


FeedFields = tuple[str, bool, tuple[str, ...], tuple[str, ...], tuple[str, ...], int, str]


@dataclass(slots=True)
class FeedInfo:
    """What the matcher needs of a feed to say a name implies it."""

    feed_id: str
    is_main: bool
    countries: tuple[str, ...]
    regions: tuple[str, ...]
    languages: tuple[str, ...]
    timeshift: int  # 0: not time-shifted
    quality: str  # "HD", "SD", "UHD" or ""


@dataclass(slots=True)
class ChannelIndex:
    """Channels, entries and the lookups over them, as parallel lists (see module doc)."""

    channel_ids: list[str] = field(default_factory=list)
    channel_closed: list[bool] = field(default_factory=list)
    channel_countries: list[tuple[str, ...]] = field(default_factory=list)
    channel_regions: list[tuple[str, ...]] = field(default_factory=list)
    channel_languages: list[tuple[str, ...]] = field(default_factory=list)
    #: Per channel, its feeds as :class:`FeedInfo` field tuples.
    channel_feeds: list[list[FeedFields]] = field(default_factory=list)
    entry_channel: list[int] = field(default_factory=list)
    entry_kind: list[int] = field(default_factory=list)
    #: Index into ``channel_feeds[channel]``, or -1 when the entry names no feed.
    entry_feed: list[int] = field(default_factory=list)
    entry_tokens: list[tuple[str, ...]] = field(default_factory=list)
    entry_stems: list[tuple[str, ...]] = field(default_factory=list)
    entry_key: list[str] = field(default_factory=list)
    #: Sum of the IDF of the entry's distinct stems.
    entry_mass: list[float] = field(default_factory=list)
    entry_numbers: list[frozenset[str]] = field(default_factory=list)
    entry_timeshift: list[int] = field(default_factory=list)
    entry_tags: list[tuple[str, ...]] = field(default_factory=list)
    entry_countries: list[tuple[str, ...]] = field(default_factory=list)
    postings: dict[str, tuple[int, ...]] = field(default_factory=dict)
    idf: dict[str, float] = field(default_factory=dict)
    keys: dict[str, tuple[int, ...]] = field(default_factory=dict)
    typos: dict[str, tuple[str, ...]] = field(default_factory=dict)
    default_idf: float = 0.0
    #: Call sign -> (entry, sub-channel, major, network key) of the stations bearing it,
    #: lowest major channel first (:mod:`~.callsigns`).
    call_signs: dict[str, list[tuple[int, int, int, str]]] = field(default_factory=dict)

    def feed(self, channel: int, position: int) -> FeedInfo:
        """The feed at ``position`` of ``channel``."""
        return FeedInfo(*self.channel_feeds[channel][position])

    def to_payload(self) -> dict[str, object]:
        """The index as a dict of plain values, for :mod:`marshal`."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_payload(cls, payload: dict[str, object]) -> ChannelIndex:
        """The index back from :meth:`to_payload`'s dict."""
        return cls(**payload)  # type: ignore[arg-type]

    def split_known(self, token: str) -> tuple[str, ...] | None:
        """``token`` as the fewest known stems (``beinsports`` -> bein, sport), if it splits.

        Pieces are three letters or more, or digits, so that a typo is not cut into the
        short words every name has.
        """
        size = len(token)
        if size < 5 or size > _MAX_SPLIT_LENGTH:
            return None
        postings, idf = self.postings, self.idf
        # best[i]: the fewest pieces covering token[:i], and their IDF (more is better).
        best: list[tuple[int, float, tuple[str, ...]] | None] = [None] * (size + 1)
        best[0] = (0, 0.0, ())
        for end in range(2, size + 1):
            for start in range(max(0, end - 16), end - 1 if end < size else end):
                before = best[start]
                piece = token[start:end]
                if before is None or (len(piece) < 3 and not piece.isdigit()):
                    continue
                piece_stem = stem(piece)
                if piece_stem not in postings:
                    continue
                found = (before[0] + 1, before[1] + idf[piece_stem], (*before[2], piece_stem))
                current = best[end]
                if current is None or (found[0], -found[1]) < (current[0], -current[1]):
                    best[end] = found
        result = best[size]
        return result[2] if result is not None and 2 <= result[0] <= 4 else None

    def near(self, token: str) -> tuple[str, ...]:
        """Known stems one edit (insertion, deletion, substitution) away from ``token``."""
        if len(token) < _MIN_TYPO_LENGTH:
            return ()
        found: dict[str, None] = {}
        for probe in (token, *deletions(token)):
            for known in self.typos.get(probe, ()):
                found[known] = None
        found.pop(token, None)
        return tuple(found)


def _areas(areas: Iterable[str]) -> tuple[set[str], set[str]]:
    countries: set[str] = set()
    regions: set[str] = set()
    for area in areas:
        kind, _, code = area.partition("/")
        if kind == "c":
            countries.add(code.upper())
        elif kind == "s":
            country = code.split("-")[0].upper()
            countries.add("UK" if country == "GB" else country)  # s/GB-WLS is in the UK
        elif kind == "r":
            regions.add(code.upper())
    return countries, regions


def _feed_quality(feed_id: str, name: str) -> str:
    tags = normalize_registry_name(f"x {name} {feed_id}").tags
    for quality in ("UHD", "4K", "FHD", "HD", "SD"):
        if quality in tags:
            return "UHD" if quality == "4K" else "HD" if quality == "FHD" else quality
    return ""


def build_index(channels: Iterable[ChannelRecord]) -> ChannelIndex:
    """Index every name of every channel (see the module doc)."""
    index = ChannelIndex()
    seen: set[tuple[int, tuple[str, ...], int, int]] = set()

    def add(channel: int, kind: int, feed: int, normalized: NormalizedName) -> None:
        readings = [(normalized.tokens, kind)]
        readings += [(variant.tokens, KIND_VARIANT) for variant in normalized.variants]
        for tokens, reading_kind in readings:
            marker = (channel, tokens, normalized.timeshift or 0, feed)
            if not tokens or marker in seen:
                continue
            seen.add(marker)
            index.entry_channel.append(channel)
            index.entry_kind.append(reading_kind)
            index.entry_feed.append(feed)
            index.entry_tokens.append(tokens)
            index.entry_stems.append(tuple(dict.fromkeys(stem(t) for t in tokens)))
            index.entry_key.append("".join(tokens))
            index.entry_timeshift.append(normalized.timeshift or 0)
            index.entry_tags.append(normalized.tags)
            index.entry_countries.append(normalized.countries)

    for number, channel in enumerate(channels):
        countries, regions = _areas(a for f in channel.feeds for a in f.broadcast_area)
        if channel.country:
            countries.add(channel.country.upper())
        index.channel_ids.append(channel.id)
        index.channel_closed.append(bool(channel.closed))
        index.channel_countries.append(tuple(sorted(countries)))
        index.channel_regions.append(tuple(sorted(regions)))
        index.channel_languages.append(
            tuple(sorted({lang for f in channel.feeds for lang in f.languages}))
        )
        feeds: list[FeedFields] = []
        for feed in channel.feeds:
            feed_countries, feed_regions = _areas(feed.broadcast_area)
            shift = normalize_registry_name(f"x {feed.name}").timeshift or 0
            if not shift and feed.feed_id.lower().startswith("plus") and feed.feed_id[4:].isdigit():
                shift = int(feed.feed_id[4:])
            feeds.append((feed.feed_id, feed.is_main, tuple(sorted(feed_countries)),
                          tuple(sorted(feed_regions)), feed.languages, shift,
                          _feed_quality(feed.feed_id, feed.name)))  # fmt: skip
        index.channel_feeds.append(feeds)
        main = normalize_registry_name(channel.name)
        station = station_key(channel.name) if channel.country in ("US", "CA") else None
        if station is not None and main.tokens:
            call, subchannel, major = station
            network = normalize_registry_name(channel.network or "").key
            index.call_signs.setdefault(call, []).append(
                (len(index.entry_channel), subchannel, major, network)
            )
        add(number, KIND_NAME, -1, main)
        for alt in channel.alt_names:
            add(number, KIND_ALT, -1, normalize_registry_name(alt))
        for position, feed in enumerate(channel.feeds):
            for feed_name in (feed.name, *feed.alt_names):
                composite = normalize_registry_name(f"{channel.name} {feed_name}")
                if composite.tokens != main.tokens:
                    add(number, KIND_FEED, position, composite)
    _finish(index)
    return index


def _finish(index: ChannelIndex) -> None:
    for stations in index.call_signs.values():
        stations.sort(key=lambda s: (s[2], s[1]))
    postings: dict[str, list[int]] = {}
    keys: dict[str, list[int]] = {}
    for entry, stems in enumerate(index.entry_stems):
        for token in stems:
            postings.setdefault(token, []).append(entry)
        keys.setdefault(index.entry_key[entry], []).append(entry)
    total = len(index.entry_stems) or 1
    index.idf = {t: math.log(1.0 + total / len(ids)) for t, ids in postings.items()}
    index.default_idf = math.log(1.0 + total)
    index.postings = {t: tuple(ids) for t, ids in postings.items()}
    index.keys = {k: tuple(ids) for k, ids in keys.items()}
    index.entry_mass = [sum(index.idf[t] for t in stems) for stems in index.entry_stems]
    no_numbers: frozenset[str] = frozenset()
    index.entry_numbers = [
        frozenset(t for t in tokens if t.isdigit()) or no_numbers for tokens in index.entry_tokens
    ]
    typos: dict[str, list[str]] = {}
    for token in index.postings:
        if len(token) >= _MIN_TYPO_LENGTH and not token.isdigit():
            for probe in (token, *deletions(token)):
                typos.setdefault(probe, []).append(token)
    index.typos = {probe: tuple(found) for probe, found in typos.items()}
