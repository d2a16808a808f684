"""The synthetic catalog the simulated panel serves: channels, films, series and episodes.

:func:`generate_catalog` is deterministic for a seed (it draws from its own
``random.Random``, never the global one) and produces exactly the sizes asked for;
:func:`cached_catalog` shares one catalog between every server in a process. Items are
``NamedTuple`` rows because a default catalog holds over 200,000 of them and must build in
well under two seconds.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from castwatch.sim import naming

#: Ratings as panels send them: a string with one decimal.
_RATINGS: tuple[str, ...] = tuple(f"{tenths / 10:.1f}" for tenths in range(30, 96))
_ADDED_FROM = 1_500_000_000
_ADDED_SPAN = 200_000_000
_GENERAL_VOD = tuple(c for c in naming.VOD_CATEGORIES if c not in ("VOD | 4K", "VOD | ARABIC"))
_SERIES_NOT_ARABIC = tuple(c for c in naming.SERIES_CATEGORIES if c != "SERIES | ARABIC")
#: Gives the id of a category name, creating the category on first use.
CategoryId = Callable[[str], int]


def _split_shape(shape: str) -> tuple[str, str, str, bool]:
    """``"{t} ({y}) 4K"`` as ``("", " (", ") 4K", True)``: f-strings beat ``str.format``."""
    before, rest = shape.split("{t}")
    between, after = rest.split("{y}")
    return before, between, after, "4K" in shape


_FILM_SHAPES = tuple(_split_shape(shape) for shape in naming.FILM_FORMATS)
#: Share of works drawn from the bundled registry; the rest are invented, in no registry.
REAL_FILM_SHARE = 0.85
REAL_SERIES_SHARE = 0.6
#: How many releases of one work a panel lists.
_RELEASES = (1, 1, 1, 2, 2, 3)


class Category(NamedTuple):
    """A panel category; ids are distinct across live, VOD and series."""

    category_id: int
    name: str


class LiveChannel(NamedTuple):
    """A live channel feed; one brand usually has several (qualities, backups)."""

    stream_id: int
    name: str
    category_id: int
    #: The ``tvg-id``, empty when the panel has none for this feed.
    epg_channel_id: str
    logo: str
    added: int
    #: Days of catch-up (``tv_archive_duration``); 0 for none.
    archive_days: int


class Film(NamedTuple):
    """One film release as listed; the same work often appears as two or three releases."""

    stream_id: int
    name: str
    category_id: int
    container_extension: str
    year: int
    rating: str
    tmdb: str | None
    added: int
    #: Ground truth: the bundled work's id (IMDb), empty for an invented title.
    work_id: str = ""


class Episode(NamedTuple):
    """One episode; ``episode_id`` is its stream id, unique across the whole panel."""

    episode_id: int
    series_id: int
    season: int
    episode_num: int
    title: str
    container_extension: str
    added: int


class Series(NamedTuple):
    """A series with its episodes in season order (possibly none, as on real panels)."""

    series_id: int
    name: str
    category_id: int
    year: int
    tmdb: str | None
    rating: str
    added: int
    episodes: tuple[Episode, ...]
    #: Ground truth: the bundled work's id (IMDb), empty for an invented title.
    work_id: str = ""


@dataclass(frozen=True, slots=True)
class SimCatalog:
    """Everything one simulated panel lists, in the order the panel lists it."""

    seed: int
    live_categories: tuple[Category, ...]
    vod_categories: tuple[Category, ...]
    series_categories: tuple[Category, ...]
    live: tuple[LiveChannel, ...]
    films: tuple[Film, ...]
    series: tuple[Series, ...]
    #: Every episode of every series, in series order.
    episodes: tuple[Episode, ...]
    #: Category name by id, for all three kinds.
    category_names: Mapping[int, str]
    series_by_id: Mapping[int, Series]


def generate_catalog(
    seed: int = 0,
    live: int = 6000,
    films: int = 120_000,
    series: int = 5000,
    episodes: int = 80_000,
) -> SimCatalog:
    """Build a catalog with exactly these counts, the same one every time for ``seed``."""
    if min(live, films, series, episodes) < 0:
        raise ValueError("catalog sizes must be zero or more")
    if episodes and not series:
        raise ValueError("episodes need at least one series to belong to")
    rng = naming.Draw(seed)
    # The collector would walk the growing lists again and again for nothing: rows hold
    # only strings and ints. Pausing it takes a third off the build.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _generate(rng, seed, live, films, series, episodes)
    finally:
        if collecting:
            gc.enable()


def _generate(
    rng: naming.Draw, seed: int, live: int, films: int, series: int, episodes: int
) -> SimCatalog:
    categories: dict[str, int] = {}

    def category_id(name: str) -> int:
        # Ids follow first use, so live, VOD and series ids come out in separate blocks.
        return categories.setdefault(name, len(categories) + 1)

    live_rows = _live_channels(rng, live, category_id)
    live_end = len(categories)
    for name in naming.VOD_CATEGORIES:
        category_id(name)
    film_rows = _films(rng, films, _next_block(live), category_id)
    for name in naming.SERIES_CATEGORIES:
        category_id(name)
    episode_base = _next_block(_next_block(live) + films)
    series_rows = _series(rng, series, episodes, episode_base, category_id)

    ordered = [Category(cid, name) for name, cid in categories.items()]
    vod_end = live_end + len(naming.VOD_CATEGORIES)
    return SimCatalog(
        seed=seed,
        live_categories=tuple(ordered[:live_end]),
        vod_categories=tuple(ordered[live_end:vod_end]),
        series_categories=tuple(ordered[vod_end:]),
        live=tuple(live_rows),
        films=tuple(film_rows),
        series=tuple(series_rows),
        episodes=tuple(episode for show in series_rows for episode in show.episodes),
        category_names={cid: name for name, cid in categories.items()},
        series_by_id={show.series_id: show for show in series_rows},
    )


def cached_catalog(
    seed: int = 0,
    live: int = 6000,
    films: int = 120_000,
    series: int = 5000,
    episodes: int = 80_000,
) -> SimCatalog:
    """:func:`generate_catalog`, built once per process for each seed and size."""
    # Positional only below, so that keyword and positional calls share one entry.
    return _cached(seed, live, films, series, episodes)


@lru_cache(maxsize=4)
def _cached(seed: int, live: int, films: int, series: int, episodes: int) -> SimCatalog:
    return generate_catalog(seed, live, films, series, episodes)


def _next_block(after: int) -> int:
    """The first multiple of 100,000 above ``after``: film and episode ids get their own range."""
    return (after // 100_000 + 1) * 100_000


def _live_channels(rng: naming.Draw, count: int, category_id: CategoryId) -> list[LiveChannel]:
    rows: list[LiveChannel] = []
    names = _channel_names(rng)
    randrange = rng.below
    for stream_id in range(1, count + 1):
        name, epg_id, category = next(names)
        logo_key = epg_id.lower() if epg_id else f"ch{stream_id}"
        archive = 7 if stream_id % 11 == 0 else 0
        rows.append(
            LiveChannel(
                stream_id,
                name,
                category_id(category),
                epg_id,
                f"http://127.0.0.1/logos/{logo_key}.png",
                _ADDED_FROM + randrange(_ADDED_SPAN),
                archive,
            )
        )
    return rows


def _channel_names(rng: naming.Draw) -> Iterator[tuple[str, str, str]]:
    """(display name, tvg-id, group title): every brand in several feeds, then endless filler."""
    pick = rng.pick
    for brand in naming.BRANDS:
        country_format = pick(naming.COUNTRY_FORMATS)
        for quality in rng.sample(naming.QUALITIES, rng.randint(2, 5)):
            name = f"{country_format.format(c=brand.country)} {brand.name} {quality}".rstrip()
            epg_id = brand.epg_id
            if rng.random() < 0.2:
                name = f"{name} {pick(naming.EXTRAS)}"
                epg_id = ""  # backups and premium copies rarely carry a tvg-id
            if rng.random() < 0.08:
                decoration = pick(naming.DECORATIONS)
                name = f"{decoration} {name} {decoration}"
            if quality in naming.UHD_QUALITIES:
                yield name, epg_id, "4K | UHD"
            else:
                yield name, epg_id, f"{brand.country} | {brand.group}"
    event = 0
    while True:
        country = pick(naming.FILLER_COUNTRIES)
        prefix = pick(naming.COUNTRY_FORMATS).format(c=country)
        shape = rng.random()
        if shape < 0.03:
            event += 1
            yield f"{prefix} ⚽ EVENT {event:02d} ⚽", "", "★ EVENTS PPV ★"
            continue
        if shape < 0.05:
            yield f"24/7 {naming.english_title(rng)}", "", "24/7 | SERIES"
            continue
        group = pick(naming.LIVE_GROUPS)
        if country in naming.ARABIC_COUNTRIES:
            core = f"قناة {pick(naming.AR_CHANNEL_WORDS)}"
        elif country in naming.FRENCH_COUNTRIES:
            core = f"{pick(naming.FR_CHANNEL_WORDS)} {pick(naming.FILLER_KINDS[group])}"
        else:
            core = f"{pick(naming.EN_CHANNEL_WORDS)} {pick(naming.FILLER_KINDS[group])}"
        if rng.random() < 0.3:
            core = f"{core} {rng.randint(1, 9)}"
        epg_id = f"{naming.epg_slug(core)}.{country.lower()}" if rng.random() < 0.4 else ""
        yield f"{prefix} {core} {pick(naming.QUALITIES)}".rstrip(), epg_id, f"{country} | {group}"


def _films(rng: naming.Draw, count: int, first_id: int, category_id: CategoryId) -> list[Film]:
    below = rng.below
    # Per-release columns are drawn in bulk: ``choices`` runs one comprehension, not a call
    # per item, which is most of the time a 120,000-film catalog takes.
    shapes = rng.choices(_FILM_SHAPES, k=count)
    containers = rng.choices(naming.CONTAINERS, k=count)
    added = rng.choices(range(_ADDED_FROM, _ADDED_FROM + _ADDED_SPAN), k=count)
    general = rng.choices([category_id(name) for name in _GENERAL_VOD], k=count)
    vod_4k, vod_arabic = category_id("VOD | 4K"), category_id("VOD | ARABIC")
    vod_fr = category_id("VOD | FR")
    real_films = naming.real_works()[0]
    rows: list[Film] = []
    while len(rows) < count:
        # One work, listed as one to three releases: panels list the same film again and again.
        work_id = ""
        if real_films and rng.random() < REAL_FILM_SHARE:
            work = rng.pick(real_films)
            work_id, title, year, language = work
            # Real titles keep their language tags but take the general categories.
            language = "en" if language == "ar" else language
            tmdb = None  # the simulator does not know real works' TMDb ids: none is better
        else:
            title, language = naming.work_title(rng)
            year = 1975 + below(50)
            tmdb = str(10_000 + below(990_000)) if rng.random() < 0.85 else None
            if language == "en" and rng.random() < 0.012:
                title = naming.quirky_title(title, rng)
        rating = rng.pick(_RATINGS)
        first = len(rows)
        for index in range(first, min(first + rng.pick(_RELEASES), count)):
            before, between, after, uhd = shapes[index]
            if work_id:
                name = _real_film_name(rng, title, year, language, index, shapes)
                category = vod_4k if "2160p" in name or "4K" in name else general[index]
                rows.append(
                    Film(
                        first_id + index,
                        name,
                        category,
                        containers[index],
                        year,
                        rating,
                        tmdb,
                        added[index],
                        work_id,
                    )
                )
                continue
            if language == "ar":
                before, between, after, category = "", " (", ")", vod_arabic
            elif uhd:
                category = vod_4k
            elif language == "fr" and index % 2:
                category = vod_fr
            else:
                category = general[index]
            rows.append(
                Film(
                    first_id + index,
                    f"{before}{title}{between}{year}{after}",
                    category,
                    containers[index],
                    year,
                    rating,
                    tmdb,
                    added[index],
                )
            )
    return rows


def _real_film_name(
    rng: naming.Draw,
    title: str,
    year: int,
    language: str,
    index: int,
    shapes: list[tuple[str, str, str, bool]],
) -> str:
    """A real film as a panel lists it: a panel shape, a language-tagged one or a release."""
    shape = rng.random()
    if shape < 0.15:
        release = rng.pick(naming.RELEASE_FORMATS)
        return release.replace("{t}", naming.dotted(title) or title).replace("{y}", str(year))
    if shape < 0.4:
        tagged = rng.pick(naming.REAL_FILM_FORMATS).replace(
            "{c}", naming.language_tag(language, rng)
        )
        return tagged.replace("{t}", title).replace("{y}", str(year))
    before, between, after, _ = shapes[index]
    return f"{before}{title}{between}{year}{after}"


def _series(
    rng: naming.Draw, count: int, episodes: int, first_episode_id: int, category_id: CategoryId
) -> list[Series]:
    rows: list[Series] = []
    pick = rng.pick
    episode_id = first_episode_id
    real_series = naming.real_works()[1]
    for series_id, episode_count in enumerate(_spread(episodes, count, rng), start=1):
        work_id = ""
        if real_series and rng.random() < REAL_SERIES_SHARE:
            work_id, title, year, language = rng.pick(real_series)
            language = "en" if language == "ar" else language
        else:
            title, language = naming.work_title(rng)
            year = 1990 + rng.below(35)
        if language == "ar":
            category, shape = category_id("SERIES | ARABIC"), "{t} ({y})"
        else:
            category, shape = category_id(pick(_SERIES_NOT_ARABIC)), pick(naming.SERIES_FORMATS)
        added = _ADDED_FROM + rng.below(_ADDED_SPAN)
        extension = pick(naming.CONTAINERS)
        show: list[Episode] = []
        for season, size in enumerate(_season_sizes(episode_count, rng), start=1):
            for number in range(1, size + 1):
                label = f"{title} S{season:02d} E{number:02d}"
                show.append(
                    Episode(
                        episode_id,
                        series_id,
                        season,
                        number,
                        label,
                        extension,
                        added + len(show) * 604_800,
                    )
                )
                episode_id += 1
        tmdb = str(1000 + rng.below(200_000)) if rng.random() < 0.8 else None
        rows.append(
            Series(
                series_id,
                shape.format(t=title, y=year),
                category,
                year,
                tmdb,
                pick(_RATINGS),
                added,
                tuple(show),
                work_id,
            )
        )
    return rows


def _spread(total: int, buckets: int, rng: naming.Draw) -> list[int]:
    """Split ``total`` into ``buckets`` uneven parts that add up exactly."""
    if not buckets:
        return []
    weights = [0.05 + rng.random() ** 2 for _ in range(buckets)]
    scale = total / sum(weights)
    counts = [int(weight * scale) for weight in weights]
    shortfall = total - sum(counts)
    while shortfall < 0:  # float rounding can overshoot by one; take it back from the largest
        counts[counts.index(max(counts))] -= 1
        shortfall += 1
    for index in rng.sample(range(buckets), shortfall):
        counts[index] += 1
    return counts


def _season_sizes(episode_count: int, rng: naming.Draw) -> list[int]:
    """Episodes per season: seasons of 6 to 22 episodes, the last ones a little shorter."""
    if not episode_count:
        return []
    seasons = max(1, round(episode_count / rng.pick((6, 8, 10, 10, 12, 13, 22))))
    size, longer = divmod(episode_count, seasons)
    return [size + 1 if season < longer else size for season in range(seasons)]
