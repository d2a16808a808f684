"""``--shapes mixed`` for the Xtream side: every answer shape real panels use, in one panel.

The canonical simulator answers in one shape, the most common one; real panels built on
different forks disagree on nearly every field, and a reader tested against one shape broke
on the others. Under ``mixed`` the panel rotates, by series id or stream id, through every
shape documented in ``docs/protocols.md``, so that one ingest meets all of them, while the
catalog (names, ids, seasons, episodes) stays exactly the canonical one: an ingest of either
must store the same entries.

To add a shape, add a variant to the rotation it belongs to; the ingest test of the mixed
panel then checks that the reader still stores every episode.
"""

from __future__ import annotations

from typing import Any

Row = dict[str, Any]

#: ``get_series_info`` shapes, chosen by ``series_id % len(SERIES_INFO_SHAPES)``.
SERIES_INFO_SHAPES = (
    "by-season-object",
    "list-of-lists",
    "flat-list",
    "seasons-episodes",
    "by-season-numbered-objects",
)


def series_info_shape(series_id: int) -> str:
    """Which ``get_series_info`` shape the mixed panel uses for this series."""
    return SERIES_INFO_SHAPES[series_id % len(SERIES_INFO_SHAPES)]


def live_row(row: Row) -> Row:
    """A live row with numeric ``category_ids`` or an icon list, one in three each."""
    sid = row["stream_id"]
    if sid % 3 == 1:
        row["category_ids"] = [int(row.pop("category_id"))]
    elif sid % 3 == 2:
        row["stream_icon"] = [row["stream_icon"], ""] if row["stream_icon"] else []
    return row


def film_row(row: Row) -> Row:
    """A film row: ids as strings, ``tmdb_id`` numbers, icon lists, ``category_ids``."""
    sid = row["stream_id"]
    variant = sid % 4
    if variant == 1:
        row["stream_id"] = str(sid)
        tmdb = row.pop("tmdb")
        row["tmdb_id"] = int(tmdb) if str(tmdb).isdigit() else None
    elif variant == 2:
        row["stream_icon"] = [row["stream_icon"]]
        row["category_ids"] = [int(row.pop("category_id"))]
    elif variant == 3 and str(row["tmdb"]).isdigit():
        row["tmdb"] = int(row["tmdb"])
    return row


def series_row(row: Row) -> Row:
    """A series row: ``cover`` as a list, ``category_ids``, ``tmdb_id`` as a number."""
    sid = row["series_id"]
    variant = sid % 3
    if variant == 1:
        row["cover"] = [row["cover"]]
        row["category_ids"] = [int(row.pop("category_id"))]
    elif variant == 2:
        row["series_id"] = str(sid)
        tmdb = row.pop("tmdb")
        row["tmdb_id"] = int(tmdb) if str(tmdb).isdigit() else tmdb
    return row


def episode_row(row: Row, episode_id: int) -> Row:
    """An episode with its id under ``id``, ``episode_id`` or ``stream_id``, and varied info."""
    del row["id"]
    variant = episode_id % 3
    if variant == 0:
        row["id"] = str(episode_id)
    elif variant == 1:
        row["episode_id"] = episode_id
    else:
        row["stream_id"] = str(episode_id)
    info = row["info"]
    if episode_id % 2:
        # Older panels give the length only as text.
        del info["duration_secs"]
    if episode_id % 4 < 2:
        info["movie_image"] = [info["movie_image"]]
    return row


def series_info(
    series_id: int, seasons: dict[int, list[Row]], season_rows: list[Row], info: Row
) -> Any:
    """One ``get_series_info`` answer in the shape :func:`series_info_shape` picks.

    ``seasons`` maps season numbers to episode rows (already in their mixed form, each with
    its ``season``); the shapes differ only in how they group them.
    """
    shape = series_info_shape(series_id)
    if not seasons:
        # PHP's empty array: some panels send the whole answer as [], others an empty object.
        return [] if series_id % 2 else {"seasons": [], "info": info, "episodes": []}
    if shape == "by-season-object":
        episodes: Any = {str(number): rows for number, rows in seasons.items()}
    elif shape == "list-of-lists":
        # PHP turns an array keyed 0..n into a list: index = season, season 0 empty here, and
        # the episodes carry no season of their own.
        episodes = [[] for _ in range(max(seasons) + 1)]
        for number, rows in seasons.items():
            episodes[number] = [_without_season(row) for row in rows]
    elif shape == "flat-list":
        episodes = [row for rows in seasons.values() for row in rows]
    elif shape == "seasons-episodes":
        by_number = {row["season_number"]: row for row in season_rows}
        nested = [
            {**by_number[number], "episodes": [_without_season(row) for row in rows]}
            for number, rows in seasons.items()
        ]
        return {"seasons": nested, "info": info}
    else:
        episodes = {
            str(number): {str(k): row for k, row in enumerate(rows)}
            for number, rows in seasons.items()
        }
    return {"seasons": season_rows, "info": info, "episodes": episodes}


def _without_season(row: Row) -> Row:
    return {key: value for key, value in row.items() if key != "season"}
