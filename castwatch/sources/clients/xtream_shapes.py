"""The shapes real Xtream panels answer in, reduced to one: episodes and duplicate keys.

Panels built on different forks of the Xtream Codes code send ``get_series_info`` in
several shapes (each one documented, with an example, in ``docs/protocols.md``):

* ``episodes`` an object keyed by season number: ``{"1": [ep, ...], "2": {...}}``;
* ``episodes`` a list of lists, the index being the season (PHP's ``json_encode`` turns an
  array keyed ``0, 1, 2...`` into a list), empty groups skipped;
* ``episodes`` a flat list of episode objects, each carrying its own ``season``;
* no usable ``episodes`` but ``seasons[]`` whose items hold ``episodes`` and a
  ``season_number``.

:func:`flatten_series_info` turns each into one list of episode objects with ``season`` set
where it is known, and reports what it could not read instead of raising, so that one bad
episode never costs the series. Duplicate JSON keys are found here too: orjson keeps the
last value silently, so :func:`has_duplicate_keys` spots them cheaply and the login answer
is parsed with the standard library to see them all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import orjson

JsonObject = dict[str, Any]

#: Keys that make an object an episode rather than a group of episodes keyed by number.
_EPISODE_KEYS = frozenset({"id", "episode_id", "stream_id", "title", "episode_num", "info"})


@dataclass(slots=True)
class SeriesEpisodes:
    """One series' episodes as read, with what could not be read."""

    episodes: list[JsonObject] = field(default_factory=list)
    #: ``(reason, example)`` for each item that is not an episode (skipped, counted).
    bad: list[tuple[str, Any]] = field(default_factory=list)
    #: ``(reason, example)`` for oddities that lost nothing (a season key that is no number).
    notes: list[tuple[str, Any]] = field(default_factory=list)


def flatten_series_info(answer: Any) -> SeriesEpisodes:
    """Every episode of a ``get_series_info`` answer; ValueError when it is no series at all.

    A series without episodes arrives as ``{}``, ``[]``, ``null`` or ``{"episodes": {}}``:
    that is an empty result, not an error.
    """
    result = SeriesEpisodes()
    if answer is None or answer == [] or answer == {}:
        return result
    if isinstance(answer, list):
        # Some panels answer the episodes alone, without the enclosing object.
        answer = {"episodes": answer}
    if not isinstance(answer, dict):
        raise ValueError(f"get_series_info answered a JSON {_type(answer)}, not an object")
    episodes = answer.get("episodes")
    if isinstance(episodes, dict):
        for key, group in episodes.items():
            season = _season_key(key)
            if season is None:
                result.notes.append(("season key is not a number", key))
            _add_group(result, group, season)
    elif isinstance(episodes, list):
        _add_list(result, episodes)
    elif episodes not in (None, ""):
        result.bad.append((f"episodes is a JSON {_type(episodes)}", episodes))
    if not result.episodes:
        _add_seasons(result, answer.get("seasons"))
    return result


def _add_list(result: SeriesEpisodes, items: list[Any]) -> None:
    """A list of season groups (index = season), of episodes, or of both."""
    for index, item in enumerate(items):
        grouped = isinstance(item, dict) and not _EPISODE_KEYS.intersection(item)
        if isinstance(item, list) or grouped:
            _add_group(result, item, index)
        else:
            _add_episode(result, item, None)


def _add_group(result: SeriesEpisodes, group: Any, season: int | None) -> None:
    if isinstance(group, dict):
        if _EPISODE_KEYS.intersection(group):
            _add_episode(result, group, season)  # a season of one episode, sent bare
            return
        group = list(group.values())  # episodes keyed by number: {"0": ep, "1": ep}
    if isinstance(group, list):
        for item in group:
            _add_episode(result, item, season)
    elif group not in (None, ""):
        result.bad.append((f"a season group is a JSON {_type(group)}", group))


def _add_seasons(result: SeriesEpisodes, seasons: Any) -> None:
    """``seasons[]`` items that carry their own ``episodes``, numbered by ``season_number``."""
    if not isinstance(seasons, list):
        return
    for item in seasons:
        if isinstance(item, dict) and "episodes" in item:
            season = _season_key(item.get("season_number", item.get("season")))
            _add_group(result, item["episodes"], season)


def _add_episode(result: SeriesEpisodes, episode: Any, season: int | None) -> None:
    if not isinstance(episode, dict):
        result.bad.append((f"an episode is a JSON {_type(episode)}, not an object", episode))
        return
    if season is not None and episode.get("season") in (None, ""):
        episode["season"] = season
    result.episodes.append(episode)


def _season_key(value: Any) -> int | None:
    if type(value) is int:
        return value
    if isinstance(value, str) and value.strip().isdecimal():
        return int(value)
    return None


def _type(value: Any) -> str:
    return {
        str: "string",
        int: "number",
        float: "number",
        bool: "boolean",
        list: "list",
        dict: "object",
    }.get(type(value), "null" if value is None else type(value).__name__)


def has_duplicate_keys(body: bytes, value: Any) -> bool:
    """Whether the JSON ``body`` (parsed as ``value``) repeats a key inside one object.

    The parsed value holds each key once, so serialising it again (orjson, in C) and
    counting key ends (``":``) in both tells whether the body had more, for under half the
    cost of the parse (docs/protocols.md has the figure). Only when the counts differ
    (duplicates, or merely strings written with other escapes or blanks) is the body parsed
    again, exactly, by :func:`find_duplicate_keys`.
    """
    try:
        again = orjson.dumps(value)
    except (TypeError, orjson.JSONEncodeError):
        return bool(find_duplicate_keys(body))
    # A body written with blanks (``"key" : 1``) counts fewer here and takes the exact path.
    if body.count(b'":') == again.count(b'":'):
        return False
    return bool(find_duplicate_keys(body))


@dataclass(slots=True, frozen=True)
class DuplicateKey:
    """One key given more than once in one JSON object."""

    #: Where the object sits, as dotted keys (``user_info``); empty for the top level.
    path: str
    key: str
    values: tuple[Any, ...]

    @property
    def conflicting(self) -> bool:
        """Whether the repeats disagree (``"Banned"`` then ``"Active"``)."""
        return any(value != self.values[0] for value in self.values[1:])


def find_duplicate_keys(body: bytes) -> list[DuplicateKey]:
    """Every repeated key of the JSON ``body``, with where it sits and every value given.

    Uses the standard library's ``object_pairs_hook``, which sees the pairs before they are
    folded into a dict. An invalid body has no duplicates to report.
    """
    found: list[DuplicateKey] = []

    def pairs(items: list[tuple[str, Any]]) -> _Pairs:
        return _Pairs(items)

    try:
        parsed = json.loads(body, object_pairs_hook=pairs)
    except (ValueError, RecursionError):
        return []
    _walk(parsed, "", found)
    return found


class _Pairs(list[tuple[str, Any]]):
    """An object's pairs in order, kept so that repeats stay visible."""


def _walk(value: Any, path: str, found: list[DuplicateKey]) -> None:
    if isinstance(value, _Pairs):
        values: dict[str, list[Any]] = {}
        for key, item in value:
            values.setdefault(key, []).append(item)
            _walk(item, f"{path}.{key}" if path else key, found)
        found.extend(
            DuplicateKey(path, key, tuple(_plain(v) for v in given))
            for key, given in values.items()
            if len(given) > 1
        )
    elif isinstance(value, list):
        for item in value:
            _walk(item, path, found)


def _plain(value: Any) -> Any:
    if isinstance(value, _Pairs):
        return {key: _plain(item) for key, item in value}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value
