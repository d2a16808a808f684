"""A database made by round-1 castwatch (revision 0009) upgrades to head with its data intact.

The fixture (``data/round1-0009``, see its README) was written by ``castwatch demo`` of the
commit before the migrations were squashed, through the old nine-step chain; a database still
at one of the folded steps (0001-0008) is refused with one line naming its revision.
"""

from __future__ import annotations

import gzip
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, create_engine, inspect

from castwatch.config import Settings
from castwatch.errors import StorageError
from castwatch.storage.db import Store, _alembic_config, head_revision
from tests.conftest import CliRunner

FIXTURE = Path(__file__).parent / "data" / "round1-0009"


@pytest.fixture()
def round1_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data directory holding a copy of the round-1 database and its keys."""
    home = tmp_path / "round1"
    home.mkdir(mode=0o700)
    with gzip.open(FIXTURE / "castwatch.db.gz") as packed, (home / "castwatch.db").open("wb") as db:
        shutil.copyfileobj(packed, db)
    shutil.copytree(FIXTURE / "keys", home / "keys")
    # A data directory castwatch made is owner-only; the checkout's copy is not.
    for path in home.rglob("*"):
        path.chmod(0o700 if path.is_dir() else 0o600)
    monkeypatch.setenv("CASTWATCH_HOME", str(home))
    return home


def _revision(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        (revision,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return str(revision)


def _json(cli: CliRunner, *args: str) -> Any:
    result = cli(*args, "--json")
    assert result.code == 0, result.stderr
    return result.json()


def test_the_fixture_is_at_the_baseline_revision(round1_home: Path) -> None:
    assert _revision(round1_home / "castwatch.db") == "0009"


def test_the_baseline_creates_the_schema_the_old_chain_made(
    round1_home: Path, tmp_path: Path
) -> None:
    """The squashed 0009 and the nine round-1 steps give the same tables, columns, keys."""
    old = create_engine(f"sqlite:///{round1_home / 'castwatch.db'}")
    new = create_engine(f"sqlite:///{tmp_path / 'baseline.db'}")
    try:
        with new.begin() as conn:
            command.upgrade(_alembic_config(conn), "0009")
        reflected = MetaData()
        reflected.reflect(old)
        with new.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, reflected) == []
        assert _shape(old) == _shape(new)
    finally:
        old.dispose()
        new.dispose()


def _shape(engine: Any) -> dict[str, Any]:
    found = inspect(engine)
    return {
        table: (
            [(c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(table)],
            sorted((i["name"], tuple(i["column_names"])) for i in found.get_indexes(table)),
            sorted(tuple(u["column_names"]) for u in found.get_unique_constraints(table)),
            sorted(
                (tuple(f["constrained_columns"]), f["referred_table"])
                for f in found.get_foreign_keys(table)
            ),
        )
        for table in found.get_table_names()
        if table != "alembic_version"
    }


def test_upgrading_carries_the_data_over(round1_home: Path, cli: CliRunner) -> None:
    services = _json(cli, "services")
    assert _revision(round1_home / "castwatch.db") == head_revision()
    assert {s["name"]: s["entries"] for s in services} == {
        "demo-m3u": 270,
        "demo-stalker": 278,
        "demo-xtream": 278,
    }
    assert all(s["snapshots"] == 1 for s in services)
    shown = _json(cli, "show", "demo-xtream")
    assert shown["snapshot"] == 1 and shown["counts"]["live"] == 60

    exported = cli("export", "demo-xtream", "--format", "jsonl", "--show-credentials")
    assert exported.code == 0, exported.stderr
    lines = exported.stdout.splitlines()
    assert len(lines) == 278
    # The accounts were encrypted by the round-1 vault key: they still decrypt.
    assert "{username}" not in lines[0] and "/live/" in lines[0]

    case = _json(cli, "case", "show", "1")
    assert case["name"] == "demo-xtream (demo)" and case["status"] == "evidence"
    assert (case["evidence"], case["notices"], len(case["events"])) == (4, 3, 11)
    references = _json(cli, "ref", "list")
    assert len(references) == 2
    assert {tuple(r["fingerprints"]) for r in references} == {("audio", "video")}
    assert len(_json(cli, "operators")) == 9


def test_the_ledger_still_verifies_after_the_upgrade(round1_home: Path, cli: CliRunner) -> None:
    """Links, head, signatures and anchors pass; only the left-out files are reported."""
    result = cli("evidence", "verify", "--json")
    report = result.json()
    assert isinstance(report, dict)
    assert (report["entries"], report["signatures"], report["head_seq"]) == (24, 7, 24)
    assert report["head_hash"].startswith("b4170f6f")
    failures = report["failures"]
    assert {f["check"] for f in failures} == {"file"}
    assert len(failures) == 24
    assert all("the file is missing" in f["message"] for f in failures)
    assert result.code != 0


@pytest.mark.parametrize("revision", ["0001", "0005", "0008"])
def test_a_database_at_a_squashed_revision_is_refused_in_one_line(
    round1_home: Path, cli: CliRunner, revision: str
) -> None:
    with sqlite3.connect(round1_home / "castwatch.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    result = cli("services")
    assert result.code != 0
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1
    assert f"schema revision {revision}" in message and "1fcf4e7" in message
    assert "Traceback" not in result.stderr
    assert _revision(round1_home / "castwatch.db") == revision


def test_a_database_of_a_newer_castwatch_is_refused(round1_home: Path) -> None:
    with sqlite3.connect(round1_home / "castwatch.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffff'")
    settings = Settings.resolve(
        home=round1_home, db_url=f"sqlite:///{round1_home / 'castwatch.db'}"
    )
    with pytest.raises(StorageError, match="revision ffff, which this castwatch does not know"):
        Store.open(settings)
