"""Read the iptv-org database tables into channel records, and fetch fresh copies.

iptv-org (https://github.com/iptv-org/database, public domain) lists some 41,000 channels and
45,000 feeds with their networks, owners and countries, and a blocklist of channels it
refuses to carry (``dmca``: a takedown notice; ``nsfw``). Its tables are CSV with ``;``
between the values of multi-valued columns, ``TRUE``/``FALSE`` booleans and empty cells for
nothing. :func:`load_iptv_org` reads a directory of them; :func:`download_iptv_org` fetches
the current tables through the same hardened HTTP client the sources use.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from castwatch import __version__
from castwatch.catalog.registry import ChannelRecord, FeedRecord
from castwatch.errors import RegistryError
from castwatch.net.policy import FetchOptions

DEFAULT_BASE_URL = "https://raw.githubusercontent.com/iptv-org/database/master/data"

#: Each table castwatch reads: its required columns, then the optional ones.
TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "channels.csv": (
        ("id", "name"),
        (
            "alt_names",
            "network",
            "owners",
            "country",
            "categories",
            "is_nsfw",
            "launched",
            "closed",
            "replaced_by",
            "website",
        ),
    ),
    "feeds.csv": (
        ("channel", "id", "name"),
        ("alt_names", "is_main", "broadcast_area", "languages", "format"),
    ),
    "blocklist.csv": (("channel", "reason"), ()),
    "countries.csv": (("code", "name"), ("languages",)),
    "languages.csv": (("code", "name"), ()),
    "categories.csv": (("id", "name"), ()),
    "regions.csv": (("code", "name", "countries"), ()),
}
#: Tables without which identification cannot work; the others only enrich it.
REQUIRED_TABLES = ("channels.csv", "feeds.csv", "blocklist.csv", "countries.csv")
_MAX_WARNINGS = 200
#: Longest channel or feed id stored (storage/tables.py); iptv-org's longest is 54.
MAX_ID_LENGTH = 100


class Country(NamedTuple):
    """A country as iptv-org names it, with its usual languages (ISO 639-3)."""

    name: str
    languages: tuple[str, ...]


class Region(NamedTuple):
    """An iptv-org region (``MENA``, ``EUR``): a name and its countries."""

    name: str
    countries: tuple[str, ...]


@dataclass(slots=True)
class IptvOrgData:
    """Everything read from one copy of the iptv-org tables, ready to store."""

    channels: list[ChannelRecord]
    countries: dict[str, Country]
    languages: dict[str, str]
    categories: dict[str, str]
    regions: dict[str, Region]
    #: BLAKE2b of the tables read, to tell whether an update changed anything.
    digest: str
    #: Rows skipped or repaired, and optional columns or tables that were missing.
    warnings: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "channels": len(self.channels),
            "feeds": sum(len(channel.feeds) for channel in self.channels),
            "blocked": sum(1 for channel in self.channels if channel.blocked),
            "countries": len(self.countries),
            "languages": len(self.languages),
            "categories": len(self.categories),
            "regions": len(self.regions),
            "warnings": len(self.warnings),
        }


class _Warnings:
    """Collects problems up to a cap: a mangled file must not produce a million messages."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.dropped = 0

    def add(self, message: str) -> None:
        if len(self.messages) < _MAX_WARNINGS:
            self.messages.append(message)
        else:
            self.dropped += 1

    def result(self) -> list[str]:
        if self.dropped:
            return [*self.messages, f"... and {self.dropped:,} more warnings"]
        return list(self.messages)


#: The copy shipped with castwatch (gzipped CSV), for the demo and offline use.
BUNDLED = Path(__file__).parent.parent / "data" / "iptv-org"


def load_iptv_org(directory: Path = BUNDLED) -> IptvOrgData:
    """Read the iptv-org tables in ``directory``; :class:`RegistryError` if unusable."""
    if not directory.is_dir():
        raise RegistryError(
            f"{directory}: not a directory; give the folder holding the iptv-org tables "
            "(channels.csv, feeds.csv, ...), or run `castwatch registry update`"
        )
    warnings = _Warnings()
    hasher = hashlib.blake2b(digest_size=16)
    texts: dict[str, str | None] = {}
    for name in TABLES:
        path = directory / name
        packed = directory / f"{name}.gz"
        if not path.is_file() and packed.is_file():
            # The bundled copy is gzipped; the digest covers the CSV text either way.
            try:
                raw = gzip.decompress(packed.read_bytes())
            except (OSError, EOFError, zlib.error) as exc:
                raise RegistryError(f"{packed}: not a readable gzip file ({exc})") from None
            path = packed
        elif not path.is_file():
            if name in REQUIRED_TABLES:
                raise RegistryError(
                    f"{path}: required iptv-org table is missing; "
                    "run `castwatch registry update` to fetch a complete copy"
                )
            warnings.add(f"{name}: table missing, left empty")
            texts[name] = None
            continue
        else:
            raw = path.read_bytes()
        hasher.update(name.encode() + b"\0" + raw)
        try:
            texts[name] = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise RegistryError(
                f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})"
            ) from None

    def rows(name: str) -> Iterator[tuple[int, tuple[str, ...]]]:
        return _rows(directory / name, texts[name], warnings)

    channels = _channels(rows("channels.csv"), warnings)
    _attach_feeds(rows("feeds.csv"), channels, warnings)
    _attach_blocklist(rows("blocklist.csv"), channels, warnings)
    countries = {
        code.strip().upper(): Country(name.strip(), _split(languages))
        for _, (code, name, languages) in rows("countries.csv")
        if code.strip() and name.strip() and len(code.strip()) <= 16
    }
    regions = {
        code.strip(): Region(name.strip(), _split(members))
        for _, (code, name, members) in rows("regions.csv")
        if code and name
    }
    # One order whatever the file's: by id, each channel's main feed first.
    for channel in channels.values():
        channel.feeds.sort(key=lambda feed: (not feed.is_main, feed.feed_id))
    return IptvOrgData(
        channels=sorted(channels.values(), key=lambda channel: channel.id),
        countries=countries,
        languages={code.strip(): name.strip() for _, (code, name) in rows("languages.csv")},
        categories={code.strip(): name.strip() for _, (code, name) in rows("categories.csv")},
        regions=regions,
        digest=hasher.hexdigest(),
        warnings=warnings.result(),
    )


def _rows(
    path: Path, text: str | None, warnings: _Warnings
) -> Iterator[tuple[int, tuple[str, ...]]]:
    """``(line, values)`` for each row, values in the order TABLES lists the columns."""
    if text is None:
        return
    name = path.name
    required, optional = TABLES[name]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [column.strip() for column in next(reader, [])]
        positions = {column: index for index, column in enumerate(header)}
        missing = [column for column in required if column not in positions]
        if missing:
            found = ", ".join(header)[:200] if any(header) else "nothing"
            raise RegistryError(
                f"{path}: required column {missing[0]!r} is missing (found: {found}); "
                "is this an iptv-org database table?"
            )
        for column in optional:
            if column not in positions:
                warnings.add(f"{name}: column {column!r} missing, left empty")
        # A missing optional column reads as the empty cell appended to every row.
        indexes = [positions.get(column, len(header)) for column in (*required, *optional)]
        # PostgreSQL text cannot hold NUL: rows with one are skipped (checked only if present).
        has_nul = "\x00" in text
        pick = itemgetter(*indexes)
        width = len(header)
        for row in reader:
            if len(row) != width:
                if row:
                    warnings.add(
                        f"{name} line {reader.line_num}: {len(row)} fields, expected {width}; "
                        "skipped"
                    )
                continue
            if has_nul and "\x00" in "".join(row):
                warnings.add(f"{name} line {reader.line_num}: NUL character; skipped")
                continue
            row.append("")
            # Every table has two columns or more, so itemgetter always returns a tuple.
            yield reader.line_num, pick(row)
    except csv.Error as exc:
        raise RegistryError(f"{path}, line {reader.line_num}: unreadable CSV ({exc})") from None


@lru_cache(maxsize=1 << 16)
def _split(value: str) -> tuple[str, ...]:
    # Cached: the same language, area and category lists repeat across thousands of rows.
    return tuple(part for part in (piece.strip() for piece in value.split(";")) if part)


def _flag(value: str, name: str, line: int, column: str, warnings: _Warnings) -> bool:
    if value == "TRUE":
        return True
    if value not in ("FALSE", ""):
        warnings.add(f"{name} line {line}: {column} {value!r} is not TRUE/FALSE; read as FALSE")
    return False


def _channels(
    rows: Iterator[tuple[int, tuple[str, ...]]], warnings: _Warnings
) -> dict[str, ChannelRecord]:
    channels: dict[str, ChannelRecord] = {}
    for line, values in rows:
        (channel_id, name, alt_names, network, owners, country, categories, is_nsfw,
         launched, closed, replaced_by, website) = values  # fmt: skip
        channel_id, name = channel_id.strip(), name.strip()
        if not channel_id or not name or len(channel_id) > MAX_ID_LENGTH:
            warnings.add(f"channels.csv line {line}: no id, no name or an overlong id; skipped")
            continue
        if channel_id in channels:
            warnings.add(f"channels.csv line {line}: duplicate id {channel_id!r}; skipped")
            continue
        channels[channel_id] = ChannelRecord(
            id=channel_id,
            name=name,
            alt_names=_split(alt_names),
            network=network.strip() or None,
            owners=_split(owners),
            country=country.strip().upper() or None,
            categories=_split(categories),
            is_nsfw=_flag(is_nsfw, "channels.csv", line, "is_nsfw", warnings),
            launched=launched or None,
            closed=closed or None,
            replaced_by=replaced_by or None,
            website=website or None,
        )
    return channels


def _attach_feeds(
    rows: Iterator[tuple[int, tuple[str, ...]]],
    channels: dict[str, ChannelRecord],
    warnings: _Warnings,
) -> None:
    seen: set[tuple[str, str]] = set()
    for line, values in rows:
        channel_id, feed_id, name, alt_names, is_main, area, languages, video_format = values
        channel_id, feed_id, name = channel_id.strip(), feed_id.strip(), name.strip()
        channel = channels.get(channel_id)
        if channel is None or not feed_id or len(feed_id) > MAX_ID_LENGTH:
            warnings.add(f"feeds.csv line {line}: unknown channel {channel_id!r}; skipped")
            continue
        if (channel_id, feed_id) in seen:
            warnings.add(f"feeds.csv line {line}: duplicate feed {channel_id}@{feed_id}; skipped")
            continue
        seen.add((channel_id, feed_id))
        channel.feeds.append(
            FeedRecord(
                channel_id=channel_id,
                feed_id=feed_id,
                name=name or feed_id,
                alt_names=_split(alt_names),
                is_main=_flag(is_main, "feeds.csv", line, "is_main", warnings),
                broadcast_area=_split(area),
                languages=_split(languages),
                format=video_format or None,
            )
        )


def _attach_blocklist(
    rows: Iterator[tuple[int, tuple[str, ...]]],
    channels: dict[str, ChannelRecord],
    warnings: _Warnings,
) -> None:
    for line, (channel_id, reason) in rows:
        channel_id, reason = channel_id.strip(), reason.strip()
        channel = channels.get(channel_id)
        if channel is None or not reason:
            warnings.add(f"blocklist.csv line {line}: unknown channel {channel_id!r}; skipped")
            continue
        # A takedown notice says more about rights than an nsfw flag: it wins.
        if channel.blocked is None or reason == "dmca":
            channel.blocked = reason


def download_iptv_org(
    dest: Path,
    base_url: str = DEFAULT_BASE_URL,
    *,
    timeout: float = 30.0,
    max_bytes: int = 64 * 1024 * 1024,
) -> list[Path]:
    """Fetch every table castwatch reads from ``base_url`` into ``dest``; the paths written.

    All tables are fetched and their headers checked before any file in ``dest`` is
    replaced, so a failed or half-finished update leaves the previous copy usable.
    """
    # The HTTP layer loads only when a download runs: reading the bundled copy needs none.
    from castwatch.net.client import run_sync

    options = FetchOptions(timeout=timeout, max_bytes=max_bytes, retries=2, concurrency=4)
    bodies = run_sync(_fetch_all(base_url.rstrip("/"), options))
    for name, body in bodies.items():
        _check_header(f"{base_url.rstrip('/')}/{name}", name, body)
    dest.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, body in bodies.items():
        target = dest / name
        partial = dest / f".{name}.{os.getpid()}.partial"
        partial.write_bytes(body)
        # os.replace is atomic: a reader sees the old table or the new one, never half.
        os.replace(partial, target)
        written.append(target)
    return written


async def _fetch_all(base_url: str, options: FetchOptions) -> dict[str, bytes]:
    import asyncio

    from castwatch.net.client import HttpClient

    headers = {"User-Agent": f"castwatch/{__version__} (iptv-org registry update)"}
    async with HttpClient(options, headers=headers) as client:
        # Let every request finish before raising: a request abandoned mid-connect would
        # outlive the client that owns its connection.
        outcomes = await asyncio.gather(
            *(client.get(f"{base_url}/{name}") for name in TABLES), return_exceptions=True
        )
    bodies: dict[str, bytes] = {}
    for name, outcome in zip(TABLES, outcomes, strict=True):
        if isinstance(outcome, BaseException):
            raise outcome
        bodies[name] = outcome.body
    return bodies


def _check_header(url: str, name: str, body: bytes) -> None:
    first_line = body[:4096].split(b"\n", 1)[0].decode("utf-8-sig", errors="replace")
    header = {column.strip() for column in next(csv.reader([first_line]), [])}
    missing = [column for column in TABLES[name][0] if column not in header]
    if missing:
        raise RegistryError(
            f"{url}: not an iptv-org {name} table (no column {missing[0]!r}); "
            "check --url, which must point at the folder holding the tables"
        )
