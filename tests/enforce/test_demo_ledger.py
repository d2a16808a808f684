"""Issue 11's done-when on a real ``castwatch demo`` home: tampering with anything fails.

``castwatch demo`` runs once for the module (a small catalogue, two channels verified, with
``CASTWATCH_HOME`` in a temporary directory), then ``castwatch dossier CASE --file`` files
its dossier and ``castwatch evidence add`` adds a screenshot. Each case below works on its
own copy of that home and checks that ``castwatch evidence verify`` exits non-zero and names
what failed, for: one flipped byte of every file under ``evidence/`` and the deletion of
every one (grouped by what the file is, every file in exactly one group), every ledger
field edited, two ledger rows swapped, the last ledger row deleted (plainly, and with the
head re-pointed and its signature dropped, then the rollback shown against the head the
filed dossier printed), the signing key replaced, and a file slipped into the store that no
ledger item covers (an orphan).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update

from castwatch.config import Settings
from castwatch.enforce.ledger_anchors import CITED_HEAD
from castwatch.enforce.tables import LedgerEntryRow, LedgerHeadRow, LedgerSignatureRow
from castwatch.storage.db import Store
from castwatch.storage.ledger_key import LedgerKey, key_path, witness_path
from tests.conftest import CliRunner
from tests.enforce.test_tamper import _changed

#: What each file of a demo home's evidence store is, read off the first ledger item that
#: names it; every group must be present and every file must fall in exactly one.
GROUPS: dict[str, Callable[[str, str], bool]] = {
    "probe capture": lambda kind, text: kind == "capture" and "probe" in text,
    "probe frame": lambda kind, text: kind == "thumbnail" and "probe" in text,
    "reference capture": lambda kind, text: kind == "capture" and "reference" in text,
    "reference frame": lambda kind, text: kind == "thumbnail" and "reference" in text,
    "filed dossier": lambda kind, text: kind == "dossier",
    "added screenshot": lambda kind, text: kind == "screenshot",
}
LEDGER_COLUMNS = [column.name for column in LedgerEntryRow.__table__.columns]


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "CASTWATCH_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "castwatch", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home that ``castwatch demo`` filled, with its dossier filed and a file added."""
    home = tmp_path_factory.mktemp("demo") / "home"
    demo = _run(home, "demo", "--live", "300", "--films", "300", "--series", "10",
                "--episodes", "60", "--verify", "2")  # fmt: skip
    assert demo.returncode == 0, demo.stderr
    filed = _run(home, "dossier", "1", "--format", "html", "--file",
                 "--output", str(home / "dossier-1.html"))  # fmt: skip
    assert filed.returncode == 0, filed.stderr
    screenshot = home.parent / "shop.png"
    screenshot.write_bytes(b"\x89PNG the shop page, by hand")
    added = _run(home, "evidence", "add", "1", str(screenshot), "--kind", "screenshot")
    assert added.returncode == 0, added.stderr
    return home


@pytest.fixture()
def home(demo_home: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(demo_home, copy)
    return copy


def _verify(cli: CliRunner, home: Path, *extra: str) -> tuple[int, str]:
    code, out, err = cli("--home", str(home), "evidence", "verify", *extra)
    return code, out + err


def _store(home: Path) -> Store:
    return Store.open(Settings.resolve(home=home))


def _ledger(home: Path) -> list[Any]:
    with _store(home) as store, store.session() as session:
        return list(session.scalars(select(LedgerEntryRow).order_by(LedgerEntryRow.seq)))


def _groups(home: Path) -> dict[str, list[Path]]:
    """Every file under ``evidence/`` by group (asserting each is in exactly one)."""
    first: dict[str, Any] = {}
    for row in _ledger(home):
        first.setdefault(row.stored_name, row)
    found: dict[str, list[Path]] = {name: [] for name in GROUPS}
    for path in sorted((home / "evidence").rglob("*")):
        assert path.is_file(), f"{path} is not a plain file"
        row = first.get(path.name)
        assert row is not None, f"{path.name} is in no ledger item"
        text = row.description.lower()
        matches = [name for name, test in GROUPS.items() if test(row.kind, text)]
        assert len(matches) == 1, f"{path.name} ({row.kind}: {text}) is in groups {matches}"
        found[matches[0]].append(path)
    return found


def test_the_demo_home_verifies_and_every_file_is_in_a_group(cli: CliRunner, home: Path) -> None:
    code, output = _verify(cli, home)
    assert code == 0, output
    assert "0 orphan files" in output
    groups = _groups(home)
    assert all(groups.values()), {name: len(paths) for name, paths in groups.items()}
    # The demo verifies two channels: two probes of three frames, two references of one.
    assert len(groups["probe frame"]) >= 4 and len(groups["reference frame"]) >= 2


@pytest.mark.parametrize("group", list(GROUPS))
def test_flipping_one_byte_of_any_file_fails(cli: CliRunner, home: Path, group: str) -> None:
    missed = []
    for path in _groups(home)[group]:
        original = path.read_bytes()
        middle = len(original) // 2
        os.chmod(path, 0o600)
        path.write_bytes(
            original[:middle] + bytes([original[middle] ^ 0x01]) + original[1 + middle :]
        )
        code, output = _verify(cli, home)
        if code != 1 or f"{path.name}): the file was altered" not in output:
            missed.append((path.name, output))
        path.write_bytes(original)
    assert not missed, f"a flipped byte went unnamed: {missed}"
    assert _verify(cli, home)[0] == 0


@pytest.mark.parametrize("group", list(GROUPS))
def test_deleting_any_file_fails(cli: CliRunner, home: Path, group: str) -> None:
    missed = []
    aside = home / "aside"
    for path in _groups(home)[group]:
        path.rename(aside)
        code, output = _verify(cli, home)
        if code != 1 or f"{path.name}): the file is missing" not in output:
            missed.append((path.name, output))
        aside.rename(path)
    assert not missed, f"a deleted file went unnamed: {missed}"


@pytest.mark.parametrize("column", LEDGER_COLUMNS)
@pytest.mark.parametrize("where", ["first", "last"])
def test_editing_any_ledger_field_fails(
    cli: CliRunner, home: Path, column: str, where: str
) -> None:
    rows = _ledger(home)
    seq = rows[0].seq if where == "first" else rows[-1].seq
    with _store(home) as store, store.session() as session:
        value = session.scalar(
            select(getattr(LedgerEntryRow, column)).where(LedgerEntryRow.seq == seq)
        )
        # The demo's first items belong to no case, its last to case 1: move either over.
        other_case = None if column == "case_id" and value is not None else 1
        changed = other_case if column == "case_id" else _changed(value, column, 1)
        session.execute(
            update(LedgerEntryRow).where(LedgerEntryRow.seq == seq).values({column: changed})
        )
    code, output = _verify(cli, home)
    assert code == 1, output
    named = f"entry {seq}" if column != "seq" else "entry 99"
    assert named in output, output


@pytest.mark.parametrize("pair", ["first two", "last two", "first and last"])
def test_swapping_two_ledger_rows_fails(cli: CliRunner, home: Path, pair: str) -> None:
    seqs = [row.seq for row in _ledger(home)]
    a, b = {"first two": seqs[:2], "last two": seqs[-2:], "first and last": [seqs[0], seqs[-1]]}[
        pair
    ]
    with _store(home) as store, store.session() as session:
        for old, new in ((a, 10_000), (b, a), (10_000, b)):
            session.execute(update(LedgerEntryRow).where(LedgerEntryRow.seq == old).values(seq=new))
    code, output = _verify(cli, home)
    assert code == 1, output
    assert f"FAIL link: entry {b} does not follow" in output or (
        f"FAIL link: entry {a + 1} does not follow" in output
    ), output


def test_deleting_the_last_ledger_row_fails(cli: CliRunner, home: Path) -> None:
    last = _ledger(home)[-1].seq
    with _store(home) as store, store.session() as session:
        session.execute(delete(LedgerEntryRow).where(LedgerEntryRow.seq == last))
    code, output = _verify(cli, home)
    assert code == 1, output
    assert f"the head row names entry {last}" in output, output


def _cut_last_row(home: Path) -> int:
    """The careful cut: the last row deleted, the head row moved back and the last
    signature dropped too; the seq removed."""
    with _store(home) as store, store.session() as session:
        last = session.scalar(select(func.max(LedgerEntryRow.seq)))
        assert last is not None
        previous = session.scalar(
            select(LedgerEntryRow.entry_hash).where(LedgerEntryRow.seq == last - 1)
        )
        session.execute(delete(LedgerEntryRow).where(LedgerEntryRow.seq == last))
        session.execute(delete(LedgerSignatureRow).where(LedgerSignatureRow.seq == last))
        session.execute(update(LedgerHeadRow).values(seq=last - 1, entry_hash=previous))
    return int(last)


def test_deleting_the_last_row_with_the_head_repointed_fails(
    cli: CliRunner, home: Path, tmp_path: Path
) -> None:
    removed = _cut_last_row(home)
    code, output = _verify(cli, home)
    assert code == 1, output
    assert f"entry {removed}" in output and "removed from its end" in output, output
    # The cut-off row was the added screenshot: its copy in the store is now an orphan.
    assert "FAIL orphan:" in output
    # And no ordinary add goes onto the cut chain.
    later = tmp_path / "later.txt"
    later.write_bytes(b"an ordinary add after the cut")
    code, _, err = cli("--home", str(home), "evidence", "add", "1", str(later))
    assert code != 0 and "refusing to add evidence" in err, err


def test_a_rollback_shows_against_the_head_the_filed_dossier_printed(
    cli: CliRunner, home: Path, tmp_path: Path
) -> None:
    cited = CITED_HEAD.findall((home / "dossier-1.html").read_text())
    assert cited, "the dossier prints no ledger head"
    seq, head = int(cited[0][0]), cited[0][1]
    assert _verify(cli, home, "--expect-head", head)[0] == 0
    with _store(home) as store, store.session() as session:
        signed = set(session.scalars(select(LedgerSignatureRow.seq)))
    # Cut past the cited head, back to a head that was signed (appends sign their last row
    # only), so the shorter chain's tail is whole again.
    while (head_seq := _cut_last_row(home) - 1) >= seq or head_seq not in signed:
        pass
    # The attacker also removes the witness, then an add re-signs the shorter chain.
    witness_path(home / "keys").unlink()
    later = tmp_path / "later.txt"
    later.write_bytes(b"an ordinary add after the cut")
    assert cli("--home", str(home), "evidence", "add", "1", str(later))[0] == 0
    code, output = _verify(cli, home, "--expect-head", f"sha256:{head}")
    assert code == 1 and "FAIL expect-head: the chain holds no entry with hash" in output
    assert "FAIL citation:" in output  # the case timeline still names the cut-off items


def test_replacing_the_signing_key_fails(cli: CliRunner, home: Path) -> None:
    key_path(home / "keys").unlink()
    LedgerKey.load_or_create(home / "keys")
    code, output = _verify(cli, home)
    assert code == 1 and "the signing key was replaced" in output, output


@pytest.mark.parametrize("where", ["top", "nested"])
def test_a_file_no_item_covers_fails_as_an_orphan(cli: CliRunner, home: Path, where: str) -> None:
    frame = next(iter(_groups(home)["probe frame"]))
    # A frame named like a real one, but of no ledger item: a swap that must not pass.
    name = frame.name[:64] + "-9.png"
    target = home / "evidence" / name if where == "top" else home / "evidence" / "more" / name
    target.parent.mkdir(exist_ok=True)
    target.write_bytes(frame.read_bytes())
    code, output = _verify(cli, home)
    assert code == 1, output
    assert f"FAIL orphan: {name if where == 'top' else 'more'}" in output, output
