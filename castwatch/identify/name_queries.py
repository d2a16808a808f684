"""Identify loose names, one per line: the whole of ``castwatch identify names FILE``.

Each line is a bare name, or a JSON object with a ``"name"`` and hints (``country``,
``language``, ``group`` for channels; ``kind``, ``year``, ``tmdb`` for titles). The
answers come in the order of the lines, each with the id found (None when unknown), its
confidence and why, so that a script can join them back to its input line by line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import orjson

from castwatch.errors import CastwatchError
from castwatch.storage.db import Store

NameKind = Literal["channel", "title"]
#: The kinds of name :func:`identify_names` knows, and the id field each answer names.
ID_FIELDS: dict[str, str] = {"channel": "channel_id", "title": "work_id"}


@dataclass(frozen=True, slots=True)
class NameAnswer:
    """What one input line was identified as."""

    input: str
    kind: NameKind
    target_id: str | None
    confidence: float
    why: dict[str, Any]
    feed_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """``{"input", "channel_id" | "work_id", "confidence", "why"}`` (+ ``feed_id``)."""
        record: dict[str, Any] = {
            "input": self.input,
            ID_FIELDS[self.kind]: self.target_id,
            "confidence": round(self.confidence, 4),
            "why": self.why,
        }
        if self.feed_id:
            record["feed_id"] = self.feed_id
        return record


def identify_names(store: Store, lines: Sequence[str], kind: NameKind) -> list[NameAnswer]:
    """Identify each line as a channel or a title against the stored registries.

    :class:`CastwatchError` naming the line for a malformed JSON line, and when titles are
    asked for while no works are imported.
    """
    from castwatch.identify.channels.matcher import ChannelQuery
    from castwatch.identify.matchers import channel_matcher, work_matcher
    from castwatch.identify.works.matcher import TitleQuery

    if kind not in ID_FIELDS:
        raise CastwatchError(f"names are identified as channel or title, not {kind!r}")
    inputs = [parse_name_line(line, number) for number, line in enumerate(lines, start=1)]
    if kind == "channel":
        results = channel_matcher(store).match_many(
            ChannelQuery(i["name"], i.get("country"), i.get("language"), i.get("group"))
            for i in inputs
        )
    else:
        works = work_matcher(store)
        if works is None:
            raise CastwatchError(
                "no works imported: run `castwatch registry import-works FILE` first"
            )
        results = works.match_many(
            TitleQuery(i["name"], i.get("kind"), _year(i.get("year")), i.get("tmdb"))
            for i in inputs
        )
    return [
        NameAnswer(given, kind, result.target_id, result.confidence, result.why, result.feed_id)
        for given, result in zip(lines, results, strict=True)
    ]


def parse_name_line(line: str, number: int) -> dict[str, Any]:
    """``{"name": ...}`` and the hints of one input line (line ``number``, for errors)."""
    if not line.lstrip().startswith("{"):
        return {"name": line.strip()}
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise CastwatchError(f"line {number}: invalid JSON ({exc})") from None
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        raise CastwatchError(f'line {number}: a JSON line must be an object with a "name" string')
    hints = {k: v for k, v in value.items() if isinstance(v, str | int) and not isinstance(v, bool)}
    return {k: (str(v) if k != "year" else v) for k, v in hints.items()}


def _year(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
