"""Issue 11's done-when, on a small demo-like data directory: tampering with anything fails.

The directory is built once from real parts: a reference captured from the simulator's
clean live feed, a verification probe of the simulator's stream, a case citing that probe,
a file added with ``evidence add`` and a dossier filed with ``--file``. Then, each on a fresh
copy: a flipped byte in *every* file under ``evidence/``, *every* file deleted, a ledger
field edited, two rows swapped, the last row cut (head re-pointed, signature dropped) and an
ordinary ``evidence add`` after it, and the signing key replaced; ``castwatch evidence
verify`` must exit non-zero and name what failed.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update

from castwatch.catalog.evidence import EvidenceKind
from castwatch.config import Settings
from castwatch.enforce.cases import open_case
from castwatch.enforce.ledger import add_file, file_item, record
from castwatch.enforce.ledger_anchors import CITED_HEAD
from castwatch.fingerprint.verification import add_reference, load_library, verify_source
from castwatch.report.dossier import file_dossier
from castwatch.sim import SimServer
from castwatch.storage.db import Store
from castwatch.storage.enforcement_ledger import iter_entries
from castwatch.storage.ledger_key import LedgerKey, key_path, witness_path
from castwatch.storage.snapshots import save_inventory
from castwatch.storage.tables import LedgerEntryRow, LedgerHeadRow, LedgerSignatureRow
from tests.conftest import CliRunner
from tests.storage.helpers import make_inventory

CASE = "op-kestrel"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("demo-like") / "home"
    settings = Settings.resolve(home=home)
    outside = home.parent / "screenshot.png"
    outside.write_bytes(b"\x89PNG a screenshot taken by hand")
    with (
        SimServer(seed=7, live=2, films=1, series=1, episodes=1) as sim,
        Store.open(settings) as store,
    ):
        feed = sim.live_feed(1)
        evidence = settings.evidence_dir
        add_reference(
            store, feed.reference_url, "channel", feed.channel_key,
            evidence_dir=evidence, live=True, seconds=4.0,
        )  # fmt: skip
        result = verify_source(
            load_library(store), feed.reference_url, evidence_dir=evidence, seconds=4.0,
            claimed=("channel", feed.channel_key), store=store,
        )  # fmt: skip
        assert result.error is None and result.capture_path, result.error
        save_inventory(store, make_inventory(5), "panel-one")
        open_case(store, CASE, ["panel-one"])
        record(store, CASE, [
            file_item(store, Path(result.capture_path), EvidenceKind.CAPTURE, "the probe"),
            file_item(store, Path(result.thumbnails[0]), EvidenceKind.THUMBNAIL, "a frame"),
        ])  # fmt: skip
        add_file(store, CASE, outside, EvidenceKind.SCREENSHOT, "the shop page")
        file_dossier(store, CASE, home / "dossier.html", "html")
    yield home


@pytest.fixture()
def home(built: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "copy"
    shutil.copytree(built, copy)
    return copy


def _verify(cli: CliRunner, home: Path, *extra: str) -> tuple[int, str]:
    code, out, err = cli("--home", str(home), "evidence", "verify", *extra)
    return code, out + err


def _store(home: Path) -> Store:
    return Store.open(Settings.resolve(home=home))


def _evidence_files(home: Path) -> list[Path]:
    return sorted(p for p in (home / "evidence").iterdir() if p.is_file())


def test_the_setup_is_whole_and_every_file_is_covered(cli: CliRunner, home: Path) -> None:
    code, output = _verify(cli, home)
    assert code == 0, output
    assert "0 orphan files" in output
    with _store(home) as store:
        names = {entry.stored_name for entry in iter_entries(store)}
        kinds = {entry.kind for entry in iter_entries(store)}
    files = {p.name for p in _evidence_files(home)}
    assert files == names
    # The captures (reference and probe: one file when the live window served the same
    # segments to both), three frames, the screenshot and the dossier.
    assert len(files) >= 6
    assert {"capture", "thumbnail", "screenshot", "dossier"} <= kinds


def test_flipping_one_byte_of_any_evidence_file_fails(cli: CliRunner, home: Path) -> None:
    missed = []
    for path in _evidence_files(home):
        original = path.read_bytes()
        os.chmod(path, 0o600)
        path.write_bytes(bytes([original[0] ^ 0x01]) + original[1:])
        code, output = _verify(cli, home)
        if code == 0 or f"{path.name}): the file was altered" not in output:
            missed.append(path.name)
        path.write_bytes(original)
    assert not missed, f"a flipped byte went unnamed in {missed}"
    assert _verify(cli, home)[0] == 0


def test_deleting_any_evidence_file_fails(cli: CliRunner, home: Path) -> None:
    missed = []
    aside = home / "aside"
    for path in _evidence_files(home):
        path.rename(aside)
        code, output = _verify(cli, home)
        if code == 0 or f"{path.name}): the file is missing" not in output:
            missed.append(path.name)
        aside.rename(path)
    assert not missed, f"a deletion went unnamed in {missed}"


def test_editing_a_ledger_field_fails(cli: CliRunner, home: Path) -> None:
    with _store(home) as store, store.session() as session:
        session.execute(
            update(LedgerEntryRow).where(LedgerEntryRow.seq == 2).values(source="elsewhere")
        )
    code, output = _verify(cli, home)
    assert code == 1 and "entry 2 (" in output and "a field was changed" in output, output


def test_swapping_two_ledger_rows_fails(cli: CliRunner, home: Path) -> None:
    with _store(home) as store, store.session() as session:
        for old, new in ((1, 1000), (2, 1), (1000, 2)):
            session.execute(update(LedgerEntryRow).where(LedgerEntryRow.seq == old).values(seq=new))
    code, output = _verify(cli, home)
    assert code == 1 and "FAIL link: entry 2 does not follow" in output, output


def _cut_last_row(home: Path) -> int:
    with _store(home) as store, store.session() as session:
        last = session.scalar(select(func.max(LedgerEntryRow.seq)))
        assert last is not None
        previous = session.scalar(
            select(LedgerEntryRow.entry_hash).where(LedgerEntryRow.seq == last - 1)
        )
        session.execute(delete(LedgerEntryRow).where(LedgerEntryRow.seq == last))
        session.execute(delete(LedgerSignatureRow).where(LedgerSignatureRow.seq == last))
        session.execute(update(LedgerHeadRow).values(seq=last - 1, entry_hash=previous))
    return last


def test_deleting_the_last_row_then_an_ordinary_add_fails(
    cli: CliRunner, home: Path, tmp_path: Path
) -> None:
    removed = _cut_last_row(home)
    later = tmp_path / "later.txt"
    later.write_bytes(b"an ordinary add after the cut")
    code, _, err = cli("--home", str(home), "evidence", "add", CASE, str(later))
    assert code != 0 and "refusing to add evidence" in err, err
    code, output = _verify(cli, home)
    assert code == 1, output
    assert f"entry {removed}" in output and "removed from its end" in output, output
    # The cut-off row was the filed dossier: its copy in the store is now an orphan.
    assert "FAIL orphan:" in output


def test_the_rollback_shows_against_the_head_the_dossier_printed(
    cli: CliRunner, home: Path, tmp_path: Path
) -> None:
    cited = CITED_HEAD.findall((home / "dossier.html").read_text())
    assert cited, "the dossier prints no ledger head"
    seq, head = int(cited[0][0]), cited[0][1]
    assert _verify(cli, home, "--expect-head", head)[0] == 0
    while _cut_last_row(home) > seq:
        pass
    # The attacker also removes the witness, then an add re-signs the shorter chain.
    witness_path(home / "keys").unlink()
    later = tmp_path / "later.txt"
    later.write_bytes(b"an ordinary add after the cut")
    assert cli("--home", str(home), "evidence", "add", CASE, str(later))[0] == 0
    code, output = _verify(cli, home, "--expect-head", f"sha256:{head}")
    assert code == 1 and "FAIL expect-head: the chain holds no entry with hash" in output
    assert "FAIL citation:" in output  # the case timeline still names the cut-off items


def test_replacing_the_signing_key_fails(cli: CliRunner, home: Path) -> None:
    key_path(home / "keys").unlink()
    LedgerKey.load_or_create(home / "keys")
    code, output = _verify(cli, home)
    assert code == 1 and "the signing key was replaced" in output, output


def test_a_slipped_in_file_fails_as_an_orphan(cli: CliRunner, home: Path) -> None:
    (home / "evidence" / ("f" * 64 + "-0.png")).write_bytes(b"\x89PNG swapped frame")
    code, output = _verify(cli, home)
    assert code == 1 and re.search(r"FAIL orphan: f{64}-0\.png", output), output
