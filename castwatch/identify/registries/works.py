"""Stream films and series from a CSV or TSV file: castwatch's own columns, or IMDb's.

Two layouts are recognised by their header:

- castwatch's (docs/rights-holders.md): ``id, title, original_title, year, kind, imdb, tmdb,
  holder, companies``; only ``id`` and ``title`` are required, ``kind`` is ``film`` (the
  default) or ``series``. Comma, semicolon or tab separated. ``companies`` (production
  companies, ``|``-separated) gives a row without a ``holder`` the holder the studio table
  assigns (:mod:`castwatch.identify.registries.bundled`); the bundled registry uses it.
- IMDb's ``title.basics.tsv`` as published (optionally gzipped): ``tconst, titleType,
  primaryTitle, originalTitle, isAdult, startYear, ...`` with ``\\N`` for nothing. Films
  (``movie``, ``tvMovie``, ``short``) and series (``tvSeries``, ``tvMiniSeries``) are kept;
  episodes and everything else are ignored.

Rows are read one at a time (a 10-million-row IMDb file never sits in memory); a malformed
row is skipped and reported with its line number instead of stopping the import.
"""

from __future__ import annotations

import csv
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from castwatch.catalog.registry import WorkKind, WorkRecord
from castwatch.errors import RegistryError
from castwatch.identify.registries.bundled import (
    StudioGroups,
    default_studio_groups,
    open_registry_text,
)

_IMDB_KINDS = {
    "movie": WorkKind.FILM,
    "tvMovie": WorkKind.FILM,
    "short": WorkKind.FILM,
    "tvSeries": WorkKind.SERIES,
    "tvMiniSeries": WorkKind.SERIES,
}
_KINDS = {"film": WorkKind.FILM, "movie": WorkKind.FILM, "series": WorkKind.SERIES}
CASTWATCH_COLUMNS: tuple[str, ...] = (
    "id",
    "title",
    "original_title",
    "year",
    "kind",
    "imdb",
    "tmdb",
    "holder",
    "companies",
)
IMDB_COLUMNS: tuple[str, ...] = (
    "tconst",
    "titletype",
    "primarytitle",
    "originaltitle",
    "startyear",
)
_MAX_PROBLEMS = 100
#: Longest work id and holder name stored (storage/tables.py).
MAX_TEXT_ID = 200


@dataclass(slots=True)
class WorksReport:
    """What reading a works file met, for the import summary: counts and skipped lines."""

    layout: str = ""
    rows: int = 0
    works: int = 0
    #: Rows of kinds castwatch does not track (IMDb episodes, video games, ...).
    ignored: int = 0
    skipped: int = 0
    #: ``(line, reason)`` of the first skipped rows.
    problems: list[tuple[int, str]] = field(default_factory=list)

    def skip(self, line: int, reason: str) -> None:
        self.skipped += 1
        if len(self.problems) < _MAX_PROBLEMS:
            self.problems.append((line, reason))


@dataclass(slots=True, frozen=True)
class _Layout:
    name: str
    delimiter: str
    columns: dict[str, int]
    width: int


def read_works(
    path: Path, report: WorksReport | None = None, studios: StudioGroups | None = None
) -> Iterator[WorkRecord]:
    """The works in ``path``, streamed; :class:`RegistryError` at once if it has no known header.

    Pass a :class:`WorksReport` to learn how many rows were ignored or skipped, and why;
    ``studios`` maps a ``companies`` column to holders (default: the shipped table).
    """
    report = report if report is not None else WorksReport()
    with open_registry_text(path, "works file") as handle:
        try:
            first_line = handle.readline()
        except (OSError, EOFError, zlib.error) as exc:
            raise RegistryError(f"{path}: cannot read the works file ({exc})") from None
    layout = _layout(path, first_line)
    report.layout = layout.name
    if studios is None and "companies" in layout.columns:
        studios = default_studio_groups()
    return _stream(path, layout, report, studios)


def _layout(path: Path, first_line: str) -> _Layout:
    suffixes = [suffix.lower() for suffix in path.suffixes]
    if ".tsv" in suffixes:
        delimiter = "\t"
    elif ".csv" in suffixes and first_line.count(";") <= first_line.count(","):
        delimiter = ","
    else:
        delimiter = max("\t,;", key=first_line.count)
    header = [column.strip().casefold() for column in first_line.rstrip("\r\n").split(delimiter)]
    positions: dict[str, int] = {}
    for index, column in enumerate(header):
        positions.setdefault(column.strip('"'), index)
    if all(column in positions for column in IMDB_COLUMNS[:3]):
        name, wanted = "imdb", IMDB_COLUMNS
    elif "id" in positions and "title" in positions:
        name, wanted = "castwatch", CASTWATCH_COLUMNS
    else:
        shown = ", ".join(header)[:200] or "an empty first line"
        raise RegistryError(
            f"{path}: no recognisable header (found: {shown}); expected castwatch's columns "
            "(id, title, kind, year, ...) or IMDb title.basics columns (tconst, titleType, "
            "primaryTitle, ...), see docs/rights-holders.md"
        )
    columns = {column: positions[column] for column in wanted if column in positions}
    return _Layout(name, delimiter, columns, len(header))


def _stream(
    path: Path, layout: _Layout, report: WorksReport, studios: StudioGroups | None
) -> Iterator[WorkRecord]:
    with open_registry_text(path, "works file") as handle:
        # Tab-separated files (IMDb's above all) use no quoting: titles may hold a lone '"'.
        if layout.delimiter == "\t":
            reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        else:
            reader = csv.reader(handle, delimiter=layout.delimiter)
        next(reader, None)
        rows = _rows(path, reader, layout.width, report)
        if layout.name == "imdb":
            yield from _imdb_works(rows, layout.columns, report)
        else:
            for line, row in rows:
                work = _castwatch_row(row, layout.columns, line, report, studios)
                if work is not None:
                    report.works += 1
                    yield work


def _rows(
    path: Path, reader: Any, width: int, report: WorksReport
) -> Iterator[tuple[int, list[str]]]:
    """``(line, row)`` for each well-formed row; the others are reported and skipped."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            report.rows += 1
            report.skip(reader.line_num, f"unreadable row ({exc})")
            continue
        except (OSError, EOFError, zlib.error) as exc:
            # A damaged compressed stream cannot be resynchronised: stop, saying where.
            raise RegistryError(
                f"{path}: unreadable after line {reader.line_num} ({exc}); is the file complete?"
            ) from None
        if not row:
            continue
        report.rows += 1
        if len(row) != width:
            report.skip(reader.line_num, f"{len(row)} fields, expected {width}")
            continue
        if "\x00" in "".join(row):
            # PostgreSQL text cannot hold NUL; no real title contains one.
            report.skip(reader.line_num, "NUL character")
            continue
        yield reader.line_num, row


def _imdb_works(
    rows: Iterator[tuple[int, list[str]]], columns: dict[str, int], report: WorksReport
) -> Iterator[WorkRecord]:
    # The hot loop of a 10-million-row file: column lookups hoisted, no helper calls per cell.
    at_id, at_type, at_title = columns["tconst"], columns["titletype"], columns["primarytitle"]
    at_original, at_year = columns.get("originaltitle"), columns.get("startyear")
    kinds = _IMDB_KINDS
    for line, row in rows:
        kind = kinds.get(row[at_type])
        if kind is None:
            report.ignored += 1
            continue
        tconst, title = row[at_id].strip(), row[at_title].strip()
        if not tconst or not title or title == "\\N" or len(tconst) > MAX_TEXT_ID:
            report.skip(line, "empty tconst or primaryTitle")
            continue
        year_text = row[at_year] if at_year is not None else ""
        if year_text.isascii() and year_text.isdigit() and len(year_text) == 4:
            year: int | None = int(year_text)
        elif year_text in ("\\N", ""):
            year = None
        else:
            report.skip(line, f"startYear {year_text[:40]!r} is not a year")
            continue
        original = row[at_original].strip() if at_original is not None else ""
        report.works += 1
        yield WorkRecord(
            id=tconst,
            title=title,
            kind=kind,
            year=year,
            original_title=original if original not in ("", "\\N", title) else None,
            external_ids={"imdb": tconst},
        )


def _cell(row: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    if index is None:
        return ""
    value = row[index].strip()
    return "" if value == "\\N" else value


def _year(value: str) -> int | None:
    """The year, or None when empty; ValueError when the value is not a four-digit year."""
    if not value:
        return None
    if len(value) == 4 and value.isascii() and value.isdigit():
        return int(value)
    raise ValueError(value)


def _castwatch_row(
    row: list[str],
    columns: dict[str, int],
    line: int,
    report: WorksReport,
    studios: StudioGroups | None = None,
) -> WorkRecord | None:
    work_id, title = _cell(row, columns, "id"), _cell(row, columns, "title")
    holder = _cell(row, columns, "holder")
    if not holder and studios is not None and (companies := _cell(row, columns, "companies")):
        holder = studios.holder_for(companies.split("|")) or ""
    if not work_id or not title or len(work_id) > MAX_TEXT_ID or len(holder) > MAX_TEXT_ID:
        report.skip(line, f"empty id or title, or an id or holder over {MAX_TEXT_ID} characters")
        return None
    kind_text = _cell(row, columns, "kind").casefold()
    kind = _KINDS.get(kind_text or "film")
    if kind is None:
        report.skip(line, f"kind {kind_text[:40]!r} is neither film nor series")
        return None
    try:
        year = _year(_cell(row, columns, "year"))
    except ValueError as exc:
        report.skip(line, f"year {str(exc)[:40]!r} is not a four-digit year")
        return None
    external_ids = {
        scheme: value for scheme in ("imdb", "tmdb") if (value := _cell(row, columns, scheme))
    }
    return WorkRecord(
        id=work_id,
        title=title,
        kind=kind,
        year=year,
        original_title=_cell(row, columns, "original_title") or None,
        external_ids=external_ids,
        holder=holder or None,
    )
