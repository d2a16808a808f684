"""The bundled works, the studio table that gives them holders, and IMDb's title.akas."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from castwatch.catalog.registry import WorkKind, WorkRecord
from castwatch.errors import RegistryError
from castwatch.identify.registries.bundled import (
    BUNDLED_WORKS,
    StudioGroups,
    company_key,
    default_studio_groups,
    load_studio_groups,
    read_akas,
    with_akas,
)
from castwatch.identify.registries.holders import DEFAULT_HOLDERS, load_holders
from castwatch.identify.registries.works import WorksReport, read_works
from tests.conftest import CliRunner

AKAS_HEADER = "titleId\tordering\ttitle\tregion\tlanguage\ttypes\tattributes\tisOriginalTitle\n"


def test_the_bundled_works_read_whole_and_studio_films_get_holders() -> None:
    report = WorksReport()
    works = list(read_works(BUNDLED_WORKS, report))
    assert report.layout == "castwatch" and report.skipped == 0
    assert len(works) > 40_000
    assert {work.kind for work in works} == {WorkKind.FILM, WorkKind.SERIES}
    assert all(work.id.startswith("tt") and work.external_ids["imdb"] == work.id for work in works)
    with_holder = [work for work in works if work.holder]
    # Wikidata names production companies for about one film in ten: say so, do not invent.
    assert 0.05 < len(with_holder) / len(works) < 0.2
    holders = {work.holder for work in with_holder}
    assert {"The Walt Disney Company", "Warner Bros. Discovery", "NBCUniversal"} <= holders
    assert BUNDLED_WORKS.stat().st_size < 3_000_000  # compact: a few MB at most


def test_every_studio_group_is_a_holder_of_the_shipped_file() -> None:
    names = {holder.name for holder in load_holders(DEFAULT_HOLDERS)}
    assert set(default_studio_groups().holders.values()) <= names


def test_holder_for_takes_the_group_most_companies_belong_to() -> None:
    groups = StudioGroups(
        {company_key("Pixar"): "Disney", company_key("Lucasfilm"): "Disney", "hbo": "WBD"}
    )
    assert groups.holder_for(["HBO", "Pixar", "Lucasfilm"]) == "Disney"
    assert groups.holder_for(["HBO", "Pixar"]) == "WBD"  # a tie: the first named
    assert groups.holder_for(["Some Independent Films"]) is None
    assert default_studio_groups().holder_for(["20Th Century Fox"]) == "The Walt Disney Company"
    assert default_studio_groups().holder_for(["Dreamworks Animation"]) == "NBCUniversal"


def test_a_works_file_with_companies_gets_holders_unless_it_names_one(tmp_path: Path) -> None:
    path = tmp_path / "works.csv"
    path.write_text(
        "id,title,year,companies,holder\n"
        "a,Toy Tale,1995,Pixar|Walt Disney Pictures,\n"
        "b,Night Hawks,2001,Columbia Pictures,Own Label\n"
        "c,Small Film,2010,Nobody Films,\n",
        encoding="utf-8",
    )
    holders = {work.id: work.holder for work in read_works(path)}
    assert holders == {"a": "The Walt Disney Company", "b": "Own Label", "c": None}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("groups: nope\n", "'groups' list"),
        ("groups:\n  - holder: A\n    companies: [X]\n  - holder: B\n    companies: [x]\n", "both"),
        ("groups:\n  - holder: A\n    companies: X\n", "group #1"),
        ("groups: [\n", "not valid YAML"),
    ],
)
def test_a_bad_studio_table_names_the_problem(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "studios.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RegistryError, match=message) as raised:
        load_studio_groups(path)
    assert str(path) in str(raised.value)


def _akas(tmp_path: Path, rows: list[str], compressed: bool = False) -> Path:
    text = AKAS_HEADER + "".join(row + "\n" for row in rows)
    if compressed:
        path = tmp_path / "title.akas.tsv.gz"
        path.write_bytes(gzip.compress(text.encode("utf-8")))
    else:
        path = tmp_path / "title.akas.tsv"
        path.write_text(text, encoding="utf-8")
    return path


AKAS_ROWS = [
    "tt2294629\t1\tFrozen\tUS\t\\N\timdbDisplay\t\\N\t0",
    "tt2294629\t2\tLa Reine des neiges\tFR\tfr\timdbDisplay\t\\N\t0",
    "tt0211915\t1\tLe Fabuleux Destin d'Amélie Poulain\t\\N\t\\N\toriginal\t\\N\t1",
    "tt0211915\t2\tAmélie\tFR\t\\N\t\\N\t\\N\t0",
    "tt9999999\t1\tNot Wanted\t\\N\t\\N\toriginal\t\\N\t1",
    "tt0211915\tbroken row",
]


@pytest.mark.parametrize("compressed", [False, True])
def test_akas_give_original_or_regional_titles(tmp_path: Path, compressed: bool) -> None:
    path = _akas(tmp_path, AKAS_ROWS, compressed)
    wanted = {"tt2294629", "tt0211915"}
    assert read_akas(path, wanted) == {"tt0211915": "Le Fabuleux Destin d'Amélie Poulain"}
    assert read_akas(path, wanted, "fr") == {
        "tt2294629": "La Reine des neiges",
        "tt0211915": "Amélie",
    }
    works = [WorkRecord("tt2294629", "Frozen", WorkKind.FILM, 2013)]
    (frozen,) = with_akas(works, read_akas(path, wanted, "FR"))
    assert frozen.original_title == "La Reine des neiges"


def test_a_file_that_is_not_akas_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "basics.tsv"
    path.write_text("tconst\ttitleType\tprimaryTitle\n", encoding="utf-8")
    with pytest.raises(RegistryError, match=r"not IMDb's title\.akas\.tsv"):
        read_akas(path)


@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["tt1", "tt2", "tt3"]),
            st.text(
                alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\t\n\r"),
                max_size=30,
            ),
            st.sampled_from(["FR", "US", "\\N", ""]),
            st.sampled_from(["0", "1", "x"]),
        ),
        max_size=20,
    )
)
@settings(max_examples=100, deadline=None)
def test_read_akas_never_fails_on_odd_rows(rows: list[tuple[str, str, str, str]]) -> None:
    import tempfile

    lines = [
        f"{tid}\t1\t{title}\t{region}\t\\N\t\\N\t\\N\t{original}"
        for tid, title, region, original in rows
    ]
    with tempfile.TemporaryDirectory() as folder:
        found = read_akas(_akas(Path(folder), lines), {"tt1", "tt2"}, "FR")
    assert set(found) <= {"tt1", "tt2"}
    assert all(title and title == " ".join(title.split()) for title in found.values())


@given(st.text(max_size=40))
def test_company_keys_ignore_case_and_punctuation(name: str) -> None:
    assert company_key(name) == company_key(name.upper().replace(" ", "")) or not name.isascii()


def test_import_works_bundled_and_with_akas(cli: CliRunner, tmp_path: Path) -> None:
    code, out, err = cli("registry", "import-works", "--bundled", "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["counts"]["read"] > 40_000 and summary["skipped"] == 0
    works = tmp_path / "mine.csv"
    works.write_text("id,title,year\ntt2294629,Frozen,2013\n", encoding="utf-8")
    akas = _akas(tmp_path, AKAS_ROWS)
    code, out, err = cli(
        "registry", "import-works", str(works), "--akas", str(akas), "--akas-region", "FR",
        "--json",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["counts"]["updated"] == 1  # the bundled Frozen, upserted by id


def test_import_works_wants_a_file_or_bundled(cli: CliRunner) -> None:
    code, _, err = cli("registry", "import-works")
    assert code == 2
    assert "--bundled" in err
