"""The Xtream ``get.php?type=m3u_plus`` playlist of a simulated catalog, rendered in chunks.

The playlist carries the noise real panels produce, at fixed positions so that tests can
count on it: ``#EXTVLCOPT`` lines (one or two) on some channels, ``catchup`` attributes on
channels with an archive, and titles holding commas and double quotes. Attribute values
never hold a double quote (panels strip them there), so titles after the comma keep theirs.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain, islice
from urllib.parse import quote

from castwatch.sim.catalog import SimCatalog

#: Entries joined into one yielded string: big enough to amortise the join, small enough
#: that a server can start sending before the whole playlist exists.
ENTRIES_PER_CHUNK = 4096
#: Every channel whose id is a multiple of this gets an ``#EXTVLCOPT:http-user-agent`` line.
USER_AGENT_EVERY = 37
#: Every channel whose id is a multiple of this gets a ``http-referrer`` line as well.
REFERRER_EVERY = 111
_USER_AGENTS = (
    "Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36",
    "VLC/3.0.18 LibVLC/3.0.18",
    "okhttp/4.9.2",
)


def _attribute(value: str) -> str:
    return value.replace('"', "")


#: Film posters and series covers are fake URLs, the same in every protocol.
POSTER_BASE = "http://127.0.0.1/posters/"
COVER_BASE = "http://127.0.0.1/covers/"


def poster_url(stream_id: int) -> str:
    """The poster of a film."""
    return f"{POSTER_BASE}{stream_id}.jpg"


def cover_url(series_id: int) -> str:
    """The cover of a series."""
    return f"{COVER_BASE}{series_id}.jpg"


def iter_m3u(catalog: SimCatalog, base_url: str, username: str, password: str) -> Iterator[str]:
    """Yield the whole ``m3u_plus`` playlist: header, live channels, films, then episodes.

    Stream URLs follow the Xtream layout (``/live/U/P/ID.ts``, ``/movie/U/P/ID.EXT``,
    ``/series/U/P/EPISODE_ID.EXT``) under ``base_url``.
    """
    base = base_url.rstrip("/")
    user, secret = quote(username, safe=""), quote(password, safe="")
    guide = f"{base}/xmltv.php?username={user}&password={secret}"
    yield f'#EXTM3U url-tvg="{guide}" x-tvg-url="{guide}"\n'
    groups = {cid: _attribute(name) for cid, name in catalog.category_names.items()}
    entries = chain(
        _live_entries(catalog, groups, base, f"{base}/live/{user}/{secret}/"),
        _film_entries(catalog, groups, f"{base}/movie/{user}/{secret}/"),
        _episode_entries(catalog, groups, f"{base}/series/{user}/{secret}/"),
    )
    # Entries go out ENTRIES_PER_CHUNK at a time: one write per entry would be slow.
    while chunk := "".join(islice(entries, ENTRIES_PER_CHUNK)):
        yield chunk


def _live_entries(
    catalog: SimCatalog, groups: dict[int, str], base: str, prefix: str
) -> Iterator[str]:
    for channel in catalog.live:
        sid = channel.stream_id
        extra = (
            f' catchup="default" catchup-days="{channel.archive_days}"'
            if channel.archive_days
            else ""
        )
        options = ""
        if sid % USER_AGENT_EVERY == 0:
            options = f"#EXTVLCOPT:http-user-agent={_USER_AGENTS[sid % 3]}\n"
            if sid % REFERRER_EVERY == 0:
                options += f"#EXTVLCOPT:http-referrer={base}/\n"
        yield (
            f'#EXTINF:-1 tvg-id="{channel.epg_channel_id}" tvg-name="{_attribute(channel.name)}" '
            f'tvg-logo="{channel.logo}"{extra} group-title="{groups[channel.category_id]}",'
            f"{channel.name}\n{options}{prefix}{sid}.ts\n"
        )


def _film_entries(catalog: SimCatalog, groups: dict[int, str], prefix: str) -> Iterator[str]:
    for film in catalog.films:
        sid = film.stream_id
        yield (
            f'#EXTINF:-1 tvg-id="" tvg-name="{_attribute(film.name)}" '
            f'tvg-logo="{POSTER_BASE}{sid}.jpg" '
            f'group-title="{groups[film.category_id]}",{film.name}\n'
            f"{prefix}{sid}.{film.container_extension}\n"
        )


def _episode_entries(catalog: SimCatalog, groups: dict[int, str], prefix: str) -> Iterator[str]:
    for show in catalog.series:
        head = (
            f'tvg-logo="{COVER_BASE}{show.series_id}.jpg" group-title="{groups[show.category_id]}",'
        )
        for episode in show.episodes:
            yield (
                f'#EXTINF:-1 tvg-id="" tvg-name="{_attribute(episode.title)}" {head}'
                f"{episode.title}\n{prefix}{episode.episode_id}.{episode.container_extension}\n"
            )
