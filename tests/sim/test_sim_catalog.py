"""The synthetic catalog: exact sizes, determinism, consistent ids, pirate-style names."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from castwatch.sim import SimCatalog, cached_catalog, generate_catalog


def check_consistent(catalog: SimCatalog) -> None:
    """Ids unique and in their own ranges; every row's category is of its own kind."""
    live_ids = {c.category_id for c in catalog.live_categories}
    vod_ids = {c.category_id for c in catalog.vod_categories}
    series_ids = {c.category_id for c in catalog.series_categories}
    assert not (live_ids & vod_ids or live_ids & series_ids or vod_ids & series_ids)
    assert all(channel.category_id in live_ids for channel in catalog.live)
    assert all(film.category_id in vod_ids for film in catalog.films)
    assert all(show.category_id in series_ids for show in catalog.series)
    assert [c.stream_id for c in catalog.live] == list(range(1, len(catalog.live) + 1))
    stream_ids = [c.stream_id for c in catalog.live] + [f.stream_id for f in catalog.films]
    episode_ids = [e.episode_id for e in catalog.episodes]
    assert len(set(stream_ids + episode_ids)) == len(stream_ids) + len(episode_ids)
    for show in catalog.series:
        assert catalog.series_by_id[show.series_id] is show
        seasons = Counter(episode.season for episode in show.episodes)
        assert sorted(seasons) == list(range(1, len(seasons) + 1))
        for season, count in seasons.items():
            numbers = [e.episode_num for e in show.episodes if e.season == season]
            assert numbers == list(range(1, count + 1))
        assert all(e.series_id == show.series_id for e in show.episodes)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    live=st.integers(0, 400),
    films=st.integers(0, 600),
    series=st.integers(1, 60),
    episodes=st.integers(0, 900),
)
def test_sizes_are_exact_and_ids_consistent(
    seed: int, live: int, films: int, series: int, episodes: int
) -> None:
    catalog = generate_catalog(seed, live, films, series, episodes)
    assert (len(catalog.live), len(catalog.films), len(catalog.series)) == (live, films, series)
    assert len(catalog.episodes) == episodes
    assert sum(len(show.episodes) for show in catalog.series) == episodes
    check_consistent(catalog)


def test_the_same_seed_gives_the_same_catalog() -> None:
    first = generate_catalog(seed=7, live=80, films=300, series=25, episodes=200)
    again = generate_catalog(seed=7, live=80, films=300, series=25, episodes=200)
    other = generate_catalog(seed=8, live=80, films=300, series=25, episodes=200)
    assert first == again
    assert first.films != other.films


def test_the_default_size_generates_correctly() -> None:
    catalog = generate_catalog()
    assert len(catalog.live) == 6000
    assert len(catalog.films) == 120_000
    assert len(catalog.series) == 5000
    assert len(catalog.episodes) == 80_000
    check_consistent(catalog)
    # Episodes really vary from series to series.
    assert len({len(show.episodes) for show in catalog.series}) > 10


def test_names_look_like_a_pirate_panel() -> None:
    catalog = cached_catalog()
    live = [channel.name for channel in catalog.live]
    for prefix in ("FR|", "|FR|", "FR:", "[FR]", "FR -", "┃FR┃", "FR ➤"):
        assert any(name.startswith(prefix) for name in live), prefix
    for tag in ("FHD", "4K", "HEVC", "ᴴᴰ", "BACKUP", "+1", "VIP", "50FPS", "⚽", "★"):
        assert any(tag in name for name in live), tag
    for brand in ("CANAL+ SPORT", "beIN SPORTS 1", "RMC SPORT", "TF1", "BBC One", "MBC 1"):
        assert any(brand in name for name in live), brand
    assert any("بي ان سبورت" in name for name in live)
    assert sum(name.count("CANAL+ SPORT ") for name in live) >= 2  # several feeds of one brand
    groups = {c.name for c in catalog.live_categories}
    assert {"FR | SPORTS", "AR | BEIN", "UK | ENTERTAINMENT", "4K | UHD"} <= groups
    assert "SERIES | NETFLIX" in {c.name for c in catalog.series_categories}
    assert "VOD | ACTION" in {c.name for c in catalog.vod_categories}
    assert any(c.epg_channel_id == "CanalPlusSport.fr" for c in catalog.live)
    films = [film.name for film in catalog.films]
    assert any(re.fullmatch(r".+ \(\d{4}\) \[MULTI\] 1080p", name) for name in films)
    assert any(name.startswith("VOD| ") and name.endswith("4K HDR") for name in films)
    assert any(", " in name and '"' in name for name in films)
    assert any(film.tmdb is None for film in catalog.films)
    episode = catalog.series[0].episodes[0]
    assert re.fullmatch(r".+ S01 E01", episode.title)


def test_impossible_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="zero or more"):
        generate_catalog(live=-1)
    with pytest.raises(ValueError, match="at least one series"):
        generate_catalog(series=0, episodes=3)


def test_the_cache_shares_one_catalog() -> None:
    assert cached_catalog(3, 10, 10, 2, 5) is cached_catalog(3, 10, 10, 2, 5)


def test_films_and_series_carry_real_titles_and_a_share_of_invented_ones() -> None:
    import gzip

    from castwatch.sim.catalog import REAL_FILM_SHARE
    from castwatch.sim.naming import BUNDLED_WORKS, dotted

    catalog = generate_catalog(seed=3, live=0, films=4000, series=200, episodes=400)
    with gzip.open(BUNDLED_WORKS, "rt", encoding="utf-8") as handle:
        rows = [line.split("\t") for line in handle.read().splitlines()[1:]]
    titles = {row[0]: (row[1], row[2]) for row in rows}
    real = [film for film in catalog.films if film.work_id]
    # Ground truth: the title and year of the bundled work are in the name as listed.
    for film in real:
        title, year = titles[film.work_id]
        assert str(film.year) == year
        assert title in film.name or dotted(title) in film.name
    share = len(real) / len(catalog.films)
    assert REAL_FILM_SHARE - 0.05 < share < REAL_FILM_SHARE + 0.05
    names = [film.name for film in real]
    assert any(re.fullmatch(r"FR\| .+ \(\d{4}\) MULTi 1080p", name) for name in names)
    assert any(
        re.search(r"\.\d{4}\.(?:1080p|MULTi|FRENCH|2160p|AMZN|TRUEFRENCH)\.", n) for n in names
    )
    assert any(show.work_id for show in catalog.series)
    assert any(not show.work_id for show in catalog.series)
    for show in catalog.series:
        if show.work_id:
            assert titles[show.work_id][0] in show.name


def test_dotted_release_names() -> None:
    from castwatch.sim.naming import dotted

    assert dotted("Alien from L.A.") == "Alien.from.L.A"
    assert dotted("Mission: Impossible – Fallout") == "Mission.Impossible.Fallout"
    assert dotted("Harry & Sally's Day") == "Harry.and.Sallys.Day"
