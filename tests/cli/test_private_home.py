"""Private by default: the data directory 0700, everything castwatch writes in it owner-only."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from castwatch.config import PRIVATE_MARKER, Settings, make_private
from castwatch.storage.db import Store
from tests.conftest import CliRunner
from tests.storage.helpers import make_inventory

_SHARED = stat.S_IRWXG | stat.S_IRWXO


@pytest.fixture(autouse=True)
def _user_umask() -> Iterator[None]:
    # castwatch sets a process-wide umask; these tests start from a user's usual one.
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _home() -> Path:
    return Path(os.environ["CASTWATCH_HOME"])


def _open_to_others(home: Path) -> list[str]:
    """Every path under ``home`` (itself included) that group or others may use."""
    found = []
    for folder, dirs, files in os.walk(home):
        for name in [".", *dirs, *files]:
            path = Path(folder) / name if name != "." else Path(folder)
            if not path.is_symlink() and path.lstat().st_mode & _SHARED:
                found.append(f"{path.relative_to(home)} {stat.filemode(path.lstat().st_mode)}")
    return found


def test_a_new_home_is_private_with_everything_in_it(cli: CliRunner, tmp_path: Path) -> None:
    with Store.open(Settings.resolve()) as store:
        from castwatch.catalog.store import save_inventory

        save_inventory(store, make_inventory(5), "panel-one")
    assert cli("case", "open", "op-wren", "--service", "panel-one").code == 0
    capture = tmp_path / "capture.ts"
    capture.write_bytes(b"\x47" + bytes(187))
    os.umask(0o022)  # as a fresh process starts: castwatch must set its own
    added = cli("evidence", "add", "op-wren", str(capture), "--kind", "capture")
    assert added.code == 0, added.stderr
    home = _home()
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE((home / "castwatch.db").stat().st_mode) == 0o600
    assert stat.S_IMODE((home / "evidence").stat().st_mode) == 0o700
    assert (home / "keys").is_dir() and any((home / "evidence").rglob("*"))
    assert _open_to_others(home) == []
    # A new home has nothing to fix, so nothing is said about it.
    assert "private" not in added.stderr


def test_an_existing_open_home_is_made_private_once(cli: CliRunner) -> None:
    home = _home()
    (home / "cache" / "iptv-org").mkdir(parents=True)
    home.chmod(0o755)
    (home / "cache").chmod(0o777)
    (home / "cache" / "iptv-org" / "channels.csv").write_text("id\n", encoding="utf-8")
    (home / "enforce.toml").write_text("[sender]\n", encoding="utf-8")
    (home / "enforce.toml").chmod(0o644)
    (home / "tool.sh").write_text("#!/bin/sh\n", encoding="utf-8")
    (home / "tool.sh").chmod(0o755)
    # A symbolic link is not castwatch's to change, nor is what it points at.
    outside = home.parent / "shared.txt"
    outside.write_text("shared", encoding="utf-8")
    outside.chmod(0o644)
    (home / "link.txt").symlink_to(outside)

    first = cli("services", "--json")
    assert first.code == 0, first.stderr
    notes = [line for line in first.stderr.splitlines() if "private" in line]
    assert len(notes) == 1
    assert str(home) in notes[0] and "6 file(s)" in notes[0]
    assert _open_to_others(home) == []
    assert stat.S_IMODE((home / "tool.sh").stat().st_mode) == 0o700  # owner bits kept
    assert stat.S_IMODE((home / "castwatch.db").stat().st_mode) == 0o600
    assert stat.S_IMODE(outside.stat().st_mode) == 0o644
    assert (home / PRIVATE_MARKER).exists()

    again = cli("services", "--json")
    assert again.code == 0 and "private" not in again.stderr


def test_a_home_opened_up_again_is_fixed_again(tmp_path: Path) -> None:
    home = tmp_path / "home-of-another-run"
    home.mkdir(mode=0o700)
    (home / "castwatch.db").write_bytes(b"")
    (home / "castwatch.db").chmod(0o600)
    assert make_private(home) == 0  # nothing was open
    home.chmod(0o750)
    (home / "castwatch.db").chmod(0o640)
    assert make_private(home) == 2
    assert make_private(home) == 0
