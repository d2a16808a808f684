"""Works files: castwatch's columns, IMDb's title.basics, malformed rows, arbitrary bytes."""

from __future__ import annotations

import gzip
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from castwatch.catalog.registry import WorkKind, WorkRecord
from castwatch.errors import RegistryError
from castwatch.identify.registries.works import WorksReport, read_works

IMDB_HEADER = (
    "tconst\ttitleType\tprimaryTitle\toriginalTitle\tisAdult\tstartYear\tendYear\t"
    "runtimeMinutes\tgenres\n"
)
IMDB_ROWS = (
    "tt0000001\tshort\tCarmencita\tCarmencita\t0\t1894\t\\N\t1\tDocumentary,Short\n"
    "tt0111161\tmovie\tThe Shawshank Redemption\tThe Shawshank Redemption\t0\t1994\t\\N\t142\t"
    "Drama\n"
    'tt0903747\ttvSeries\tBreaking Bad\tBreaking Bad\t0\t2008\t2013\t49\tCrime,"Drama\n'
    "tt0959621\ttvEpisode\tPilot\tPilot\t0\t2008\t\\N\t58\tCrime\n"
    'tt1000000\ttvMovie\tLe Film "Quoted\tDer Film\t0\t\\N\t\\N\t\\N\t\\N\n'
    "tt2000000\tvideoGame\tA Game\tA Game\t0\t2001\t\\N\t\\N\t\\N\n"
    "tt3000000\ttvMiniSeries\tShort Run\tShort Run\t0\t20x1\t\\N\t\\N\t\\N\n"
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_castwatch_csv_columns(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "works.csv",
        "id,title,original_title,year,kind,imdb,tmdb,holder\n"
        'w1,"Dune, Part Two",,2024,film,tt15239678,693134,Warner Bros. Discovery\n'
        "w2,Lupin,,2021,SERIES,,,Netflix\n"
        "w3,Untitled,Sans titre,,,,,\n",
    )
    assert list(read_works(path)) == [
        WorkRecord(
            "w1",
            "Dune, Part Two",
            WorkKind.FILM,
            2024,
            None,
            {"imdb": "tt15239678", "tmdb": "693134"},
            "Warner Bros. Discovery",
        ),
        WorkRecord("w2", "Lupin", WorkKind.SERIES, 2021, holder="Netflix"),
        WorkRecord("w3", "Untitled", WorkKind.FILM, original_title="Sans titre"),
    ]


def test_the_separator_is_sniffed(tmp_path: Path) -> None:
    semicolons = _write(tmp_path, "works.txt", "id;title;kind\nw1;Le Film, encore;film\n")
    tabs = _write(tmp_path, "works.tsv", 'id\ttitle\nw2\tA "quoted title\n')
    assert [work.title for work in read_works(semicolons)] == ["Le Film, encore"]
    assert [work.title for work in read_works(tabs)] == ['A "quoted title']


def test_imdb_title_basics_as_published(tmp_path: Path) -> None:
    path = tmp_path / "title.basics.tsv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(IMDB_HEADER + IMDB_ROWS)
    report = WorksReport()
    works = list(read_works(path, report))
    assert [(work.id, work.kind, work.year) for work in works] == [
        ("tt0000001", WorkKind.FILM, 1894),
        ("tt0111161", WorkKind.FILM, 1994),
        ("tt0903747", WorkKind.SERIES, 2008),
        ("tt1000000", WorkKind.FILM, None),
    ]
    assert works[1].original_title is None  # the same as the title
    assert works[3].title == 'Le Film "Quoted'
    assert works[3].original_title == "Der Film"
    assert works[0].external_ids == {"imdb": "tt0000001"}
    assert report.layout == "imdb"
    assert (report.rows, report.works, report.ignored, report.skipped) == (7, 4, 2, 1)
    assert report.problems == [(8, "startYear '20x1' is not a year")]


def test_malformed_rows_are_skipped_with_their_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "works.csv",
        "id,title,year,kind\n"
        "w1,Good,1999,film\n"
        "w2,Too,many,fields,here\n"
        "w3,Bad year,99,film\n"
        "w4,Bad kind,2000,podcast\n"
        ",No id,2000,film\n"
        "w5,Nul\x00byte,2000,film\n"
        "w6,Also good,2001,series\n",
    )
    report = WorksReport()
    assert [work.id for work in read_works(path, report)] == ["w1", "w6"]
    assert [line for line, _ in report.problems] == [3, 4, 5, 6, 7]
    assert report.problems[4] == (7, "NUL character")
    assert report.problems[0] == (3, "5 fields, expected 4")
    assert "'99' is not a four-digit year" in report.problems[1][1]
    assert "'podcast' is neither film nor series" in report.problems[2][1]
    assert report.skipped == 5


@pytest.mark.parametrize(
    "text", ["", "\n", "name,year\nA,1999\n", "tconst,title\ntt1,A\n", "\x00\x01garbage"]
)
def test_a_file_without_a_known_header_is_refused(tmp_path: Path, text: str) -> None:
    path = _write(tmp_path, "works.csv", text)
    with pytest.raises(RegistryError, match="no recognisable header"):
        read_works(path)


def test_a_truncated_gzip_file_fails_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "title.basics.tsv.gz"
    rows = "".join(
        f"tt{i:07d}\tmovie\tTitle {i}\t\\N\t0\t2000\t\\N\t90\tDrama\n" for i in range(5000)
    )
    path.write_bytes(gzip.compress((IMDB_HEADER + rows).encode())[:-2000])
    works = read_works(path)
    with pytest.raises(RegistryError, match=r"unreadable after line \d+ .*is the file complete"):
        list(works)
    with pytest.raises(RegistryError, match="cannot read the works file"):
        read_works(_gzip_head(tmp_path))


def _gzip_head(tmp_path: Path) -> Path:
    path = tmp_path / "head.tsv.gz"
    path.write_bytes(b"\x1f\x8b")
    return path


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="cannot read the works file"):
        read_works(tmp_path / "missing.csv")


def test_rows_are_streamed(tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("id,title\n")
        handle.writelines(f"w{i},Title {i}\n" for i in range(50_000))
    works = read_works(path)
    assert isinstance(works, Iterator)
    assert next(works) == WorkRecord("w0", "Title 0", WorkKind.FILM)
    assert sum(1 for _ in works) == 49_999


def _assert_sound(path: Path) -> None:
    report = WorksReport()
    try:
        works = list(read_works(path, report))
    except RegistryError as exc:
        assert str(exc).startswith(str(path))
        return
    assert len(works) == report.works
    assert report.works + report.skipped + report.ignored <= report.rows
    for work in works:
        assert work.id and work.title and isinstance(work.kind, WorkKind)
        assert work.year is None or 0 <= work.year <= 9999


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=400), header=st.sampled_from(["id,title,year,kind\n", ""]))
def test_arbitrary_bytes_read_or_fail_cleanly(body: bytes, header: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "works.csv"
        path.write_bytes(header.encode() + body)
        _assert_sound(path)


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.lists(st.text(alphabet=st.sampled_from(list('ab1\t\\N"\n,')), max_size=6), max_size=10),
        max_size=8,
    )
)
def test_arbitrary_imdb_rows_read_or_fail_cleanly(rows: list[list[str]]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "title.basics.tsv"
        path.write_text(IMDB_HEADER + "".join("\t".join(row) + "\n" for row in rows))
        _assert_sound(path)
