"""A database locked by another process: wait, then one line that says who and what to do.

The other writer is a real second process holding SQLite's write lock (``BEGIN IMMEDIATE``)
on the test's database; the commands under test run through castwatch's entry point.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from castwatch.config import Settings
from castwatch.errors import ConfigError
from castwatch.storage.db import Store
from tests.conftest import CliRunner
from tests.storage.helpers import make_inventory

#: The other process: optionally a castwatch store (which leaves its note), then the lock.
_HOLDER = """
import sqlite3, sys
from castwatch.config import Settings
from castwatch.storage.db import Store
settings = Settings.resolve(work=sys.argv[1] or None)
store = Store.open(settings) if sys.argv[1] else None
lock = sqlite3.connect(str(settings.home / "castwatch.db"), isolation_level=None)
lock.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
lock.execute("ROLLBACK")
if store is not None:
    store.close()
"""


@contextmanager
def _locked_by(work: str) -> Iterator[int]:
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, work],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline().strip() == "locked"
        yield holder.pid
    finally:
        if holder.stdin is not None:
            holder.stdin.write("\n")
            holder.stdin.close()
        holder.wait(timeout=60)
        if holder.stdout is not None:
            holder.stdout.close()


@pytest.fixture()
def prepared(cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home with one service and one case; writes wait a fraction of a second."""
    monkeypatch.setenv("CASTWATCH_BUSY_TIMEOUT", "0.2")
    with Store.open(Settings.resolve()) as store:
        from castwatch.catalog.store import save_inventory

        save_inventory(store, make_inventory(5), "panel-one")
    assert cli("case", "open", "op-owl", "--service", "panel-one").code == 0
    playlist = tmp_path / "list.m3u"
    playlist.write_text(
        '#EXTM3U\n#EXTINF:-1 group-title="News",News One\nhttp://cdn.example/live/1.m3u8\n',
        encoding="utf-8",
    )
    capture = tmp_path / "capture.ts"
    capture.write_bytes(b"\x47" + bytes(187))
    return tmp_path


def _commands(folder: Path) -> list[tuple[str, ...]]:
    return [
        ("ingest", str(folder / "list.m3u"), "--name", "panel-two", "--kind", "m3u"),
        ("case", "add", "op-owl", "--note", "seen again"),
        ("evidence", "add", "op-owl", str(folder / "capture.ts"), "--kind", "capture"),
    ]


def test_a_locked_database_fails_in_one_line_naming_the_writer(
    cli: CliRunner, prepared: Path
) -> None:
    with _locked_by("ingest") as pid:
        for command in _commands(prepared):
            result = cli(*command)
            assert result.code == 1, (command, result.stdout)
            lines = result.stderr.splitlines()
            assert len(lines) == 1, (command, lines)
            assert lines[0].startswith("error: the database ")
            assert f"is locked by castwatch ingest (pid {pid})" in lines[0]
            assert "stayed locked for 0.2 s" in lines[0]
            assert "nothing of this command was stored" in lines[0]
            assert "CASTWATCH_BUSY_TIMEOUT" in lines[0]
    # Nothing was lost or half-written: the same commands now succeed, in order.
    for command in _commands(prepared):
        result = cli(*command)
        assert result.code == 0, (command, result.stderr)
    services = cli("services", "--json").json()
    assert [row["name"] for row in services] == ["panel-one", "panel-two"]  # type: ignore[index]
    case = cli("case", "show", "op-owl", "--json").json()
    assert case["evidence"] == 1  # type: ignore[index]
    notes = [e["detail"] for e in case["events"] if e["kind"] == "note"]  # type: ignore[index]
    assert notes == ["seen again"]
    assert cli("evidence", "verify", "--json").code == 0


def test_a_lock_held_by_another_program_says_so(cli: CliRunner, prepared: Path) -> None:
    with _locked_by(""):
        result = cli("case", "add", "op-owl", "--note", "seen again")
    assert result.code == 1
    assert "locked by another program (no other castwatch process has it open)" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_a_reader_is_not_kept_waiting(cli: CliRunner, prepared: Path) -> None:
    # SQLite in WAL mode: reads go on while another process writes.
    with _locked_by("ingest"):
        listed = cli("services", "--json")
    assert listed.code == 0, listed.stderr
    assert [row["name"] for row in listed.json()] == ["panel-one"]  # type: ignore[union-attr]


@pytest.mark.parametrize("value", ["soon", "-1", "1e9"])
def test_a_bad_busy_timeout_is_refused(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASTWATCH_BUSY_TIMEOUT", value)
    with pytest.raises(ConfigError, match="CASTWATCH_BUSY_TIMEOUT"):
        Settings.resolve()


def test_a_note_left_by_a_dead_process_is_ignored(cli: CliRunner, prepared: Path) -> None:
    users = Path(os.environ["CASTWATCH_HOME"]) / ".users"
    # A castwatch process killed while it had the database open leaves its note behind.
    killed = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, "watch serve"], stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert killed.stdout is not None and killed.stdout.readline().strip() == "locked"
    killed.kill()
    killed.wait(timeout=60)
    killed.stdout.close()
    assert killed.stdin is not None
    killed.stdin.close()
    assert len(list(users.glob("*.json"))) == 1
    with _locked_by(""):
        result = cli("case", "add", "op-owl", "--note", "x")
    assert result.code == 1
    assert "watch serve" not in result.stderr
    assert "another program" in result.stderr
    assert list(users.glob("*.json")) == []
