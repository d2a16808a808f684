"""Fixtures shared by the whole suite: data directories, real databases, the real CLI.

``store`` is parametrised over SQLite and PostgreSQL. PostgreSQL comes from
``$CASTWATCH_TEST_PG`` (an admin URL) or ``127.0.0.1:5432`` as user ``postgres``; each test
session creates its own throw-away database. Where no server answers, PostgreSQL tests skip
with the reason, unless ``CASTWATCH_REQUIRE_PG=1`` (set by ``.ci/run``) makes that a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import orjson
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from castwatch.cli.app import main
from castwatch.config import Settings
from castwatch.storage.db import Store

PG_ADMIN_URL = os.environ.get(
    "CASTWATCH_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # No test may read or write the developer's real data directory.
    monkeypatch.setenv("CASTWATCH_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CASTWATCH_DB", raising=False)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """The admin URL of a reachable PostgreSQL server, or a skip (a failure under CI)."""
    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    except OperationalError as exc:
        engine.dispose()
        reason = f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.orig}"
        if os.environ.get("CASTWATCH_REQUIRE_PG") == "1":
            pytest.fail(reason + " (CASTWATCH_REQUIRE_PG=1)")
        pytest.skip(reason)
    engine.dispose()
    yield PG_ADMIN_URL


@pytest.fixture()
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"castwatch_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = pg_server.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL on each backend: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'castwatch.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture()
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings.resolve(home=tmp_path / "home", db_url=db_url)


@pytest.fixture()
def store(settings: Settings) -> Iterator[Store]:
    with Store.open(settings) as opened:
        yield opened


class Result(NamedTuple):
    """What one ``castwatch`` run printed and returned (unpacks as ``code, out, err``)."""

    code: int
    stdout: str
    stderr: str

    def json(self) -> object:
        return orjson.loads(self.stdout)


CliRunner = Callable[..., Result]


@pytest.fixture()
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """``cli("ingest", url, "--json")`` runs castwatch's entry point and captures its output."""

    def run(*args: str) -> Result:
        monkeypatch.setattr("sys.argv", ["castwatch", *args])
        capsys.readouterr()
        with pytest.raises(SystemExit) as exit_info:
            main()
        out, err = capsys.readouterr()
        code = exit_info.value.code
        return Result(code if isinstance(code, int) else 1, out, err)

    return run
