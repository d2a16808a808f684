"""Migration 0010 carries stored prints over: the kind they were keyed by becomes the
built-in fingerprinter's name and version, and the prints still load and match."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from alembic import command
from sqlalchemy import create_engine, text

from castwatch.config import Settings
from castwatch.fingerprint.base import Fingerprint
from castwatch.fingerprint.store import iter_reference_prints, list_references
from castwatch.storage.db import Store, _alembic_config


def _migrate(settings: Settings, revision: str, down: bool) -> None:
    engine = create_engine(settings.db_url)
    try:
        with engine.begin() as conn:
            (command.downgrade if down else command.upgrade)(_alembic_config(conn), revision)
    finally:
        engine.dispose()


def _print(name: str, seed: int) -> Fingerprint:
    rng = np.random.default_rng(seed)
    times = np.arange(6, dtype=np.float32)
    return Fingerprint(name, 1, times, rng.integers(0, 2**31, 6, dtype=np.uint32), 6.0)


def _rows(settings: Settings) -> list[tuple[object, ...]]:
    engine = create_engine(settings.db_url)
    try:
        with engine.connect() as conn:
            found = conn.execute(text("SELECT * FROM reference_print ORDER BY fingerprinter"))
            # Before 0010 there is no kind or version column: those read as None.
            return [
                (row["fingerprinter"], row.get("kind"), row.get("version"))
                for row in found.mappings()
            ]
    finally:
        engine.dispose()


def test_prints_stored_by_kind_before_0010_upgrade_to_names_and_back(settings: Settings) -> None:
    Store.open(settings).close()
    _migrate(settings, "0009", down=True)
    video, audio = _print("video-dct", 1), _print("audio-landmark", 2)
    engine = create_engine(settings.db_url)
    now = datetime.now(UTC)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO reference (id, subject_kind, subject_id, live, source, "
                    "duration_s, created_at, updated_at) "
                    "VALUES (1, 'channel', 'CanalPlus.fr', false, 'ref.ts', 6.0, :at, :at)"
                ),
                {"at": now},
            )
            for kind, fingerprint in (("video", video), ("audio", audio)):
                conn.execute(
                    text(
                        "INSERT INTO reference_print (reference_id, fingerprinter, data) "
                        "VALUES (1, :kind, :data)"
                    ),
                    {"kind": kind, "data": fingerprint.to_bytes()},
                )
    finally:
        engine.dispose()

    _migrate(settings, "head", down=False)
    assert _rows(settings) == [("audio-landmark", "audio", 1), ("video-dct", "video", 1)]
    with Store.open(settings) as store:
        [(info, prints)] = list(iter_reference_prints(store))
        [listed] = list_references(store)
    assert info.key == "channel:CanalPlus.fr"
    assert prints == {"video": video, "audio": audio}
    assert listed.fingerprinters == ("audio", "video")

    _migrate(settings, "0009", down=True)
    assert _rows(settings) == [("audio", None, None), ("video", None, None)]
