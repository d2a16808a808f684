"""The verification stage's store: references with their prints (named by fingerprinter and
version) and verification results, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from castwatch.catalog.store import save_inventory
from castwatch.catalog.store_queries import find_service
from castwatch.catalog.verification import (
    ReferenceInfo,
    VerificationResult,
    reference_key,
    split_reference_key,
)
from castwatch.errors import NotFound, StorageError
from castwatch.fingerprint import store as fingerprint_store
from castwatch.fingerprint.base import Fingerprint
from castwatch.fingerprint.tables import ReferencePrintRow
from castwatch.storage.db import Store
from tests.storage.helpers import make_inventory


def _info(subject_id: str = "CanalPlus.fr", **changes: object) -> ReferenceInfo:
    fields: dict[str, object] = {
        "subject_kind": "channel",
        "subject_id": subject_id,
        "live": True,
        "source": "http://127.0.0.1/ref/index.m3u8",
        "duration_s": 600.0,
        "updated_at": datetime.now(UTC),
        "window_s": 600.0,
        "sha256": "ab" * 32,
    }
    fields.update(changes)
    return ReferenceInfo(**fields)  # type: ignore[arg-type]


def _print(name: str, seed: int, version: int = 1) -> Fingerprint:
    """A small real fingerprint of fingerprinter ``name`` (the store keeps its bytes)."""
    rng = np.random.default_rng(seed)
    times = np.arange(0.0, 4.0, 0.5, dtype=np.float32)
    return Fingerprint(name, version, times, rng.integers(0, 2**63, 8, dtype=np.uint64), 4.0)


def test_reference_key_round_trips() -> None:
    assert reference_key("work", "tt:1") == "work:tt:1"
    assert split_reference_key("work:tt:1") == ("work", "tt:1")


def test_a_reference_is_replaced_whole(store: Store) -> None:
    video, audio = _print("video-dct", 1), _print("audio-landmark", 2)
    first = fingerprint_store.save_reference(store, _info(), {"video": video, "audio": audio})
    newer = _print("video-dct", 3)
    again = fingerprint_store.save_reference(store, _info(duration_s=30.0), {"video": newer})
    assert first == again
    [(info, prints)] = list(fingerprint_store.iter_reference_prints(store))
    assert info.key == "channel:CanalPlus.fr"
    assert info.duration_s == 30.0
    assert info.updated_at.tzinfo is not None
    assert prints == {"video": newer}
    assert fingerprint_store.load_reference_prints(store, "channel", "CanalPlus.fr") == prints
    assert fingerprint_store.load_reference_prints(store, "channel", "nothing") == {}
    [listed] = fingerprint_store.list_references(store)
    assert listed.fingerprinters == ("video",)


def test_a_print_is_stored_under_its_fingerprinter_s_name_and_version(store: Store) -> None:
    fingerprint_store.save_reference(
        store, _info(), {"video": _print("video-dct", 1), "fake": _print("fake-hash", 4, 7)}
    )
    with store.session() as session:
        rows = session.query(ReferencePrintRow).order_by(ReferencePrintRow.kind).all()
        stored = [(row.kind, row.fingerprinter, row.version) for row in rows]
    assert stored == [("fake", "fake-hash", 7), ("video", "video-dct", 1)]


def test_bad_references_are_refused_and_store_nothing(store: Store) -> None:
    with pytest.raises(StorageError, match="channel or a work"):
        fingerprint_store.save_reference(
            store, _info(subject_kind="song"), {"video": _print("video-dct", 1)}
        )
    with pytest.raises(StorageError, match="no fingerprints"):
        fingerprint_store.save_reference(store, _info(), {})
    assert fingerprint_store.list_references(store) == []


def test_delete_reference(store: Store) -> None:
    fingerprint_store.save_reference(store, _info("A.fr"), {"video": _print("video-dct", 1)})
    fingerprint_store.save_reference(store, _info("B.fr"), {"video": _print("video-dct", 2)})
    fingerprint_store.delete_reference(store, "channel", "A.fr")
    assert [info.subject_id for info in fingerprint_store.list_references(store)] == ["B.fr"]
    with pytest.raises(NotFound):
        fingerprint_store.delete_reference(store, "channel", "A.fr")


def test_verification_results_round_trip(store: Store) -> None:
    save_inventory(store, make_inventory(), service_name="svc")
    with store.session() as session:
        service = find_service(session, "svc")
    result = VerificationResult(
        source="http://127.0.0.1/live/u/***/1.m3u8",
        confirmed=True,
        verified_at=datetime(2026, 11, 30, 12, 0, tzinfo=UTC),
        claimed_kind="channel",
        claimed_id="CanalPlus.fr",
        matched_kind="channel",
        matched_id="CanalPlus.fr",
        score=0.97,
        offset_s=-3.5,
        matched_fraction=0.9,
        candidates=[{"key": "channel:CanalPlus.fr", "score": 0.97}],
        capture_sha256="cd" * 32,
        capture_path="/tmp/x.ts",
        thumbnails=["/tmp/x-1.png"],
        service_id=service.id,
    )
    fingerprint_store.save_verification(store, result)
    fingerprint_store.save_verification(store, VerificationResult(
        source="/nowhere.ts", confirmed=False, verified_at=result.verified_at, error="corrupt"
    ))  # fmt: skip
    [loaded] = fingerprint_store.load_verifications(store, service_id=service.id)
    assert loaded == result
    assert loaded.to_json()["match"] == "channel:CanalPlus.fr"
    assert len(fingerprint_store.load_verifications(store)) == 2
    assert fingerprint_store.service_urls(store, service.id) == tuple(service.base_urls)
    assert fingerprint_store.service_urls(store, service.id + 1000) == ()


def test_stream_targets_restore_credentials_and_carry_claims(store: Store) -> None:
    from castwatch.catalog.registry import Identification
    from castwatch.storage.reference import save_identifications

    summary = save_inventory(store, make_inventory(10), service_name="svc")
    service_id, snapshot_id, targets = fingerprint_store.stream_targets(
        store, "svc", kinds=("live",)
    )
    assert snapshot_id == summary.id
    assert [t.kind for t in targets] == ["live"] * 5
    assert all("/live/alice/s3cret-pass/" in t.url for t in targets)
    first = targets[0]
    save_identifications(
        store, snapshot_id, [(first.entry_id, Identification("channel", "CanalPlus.fr", 0.9))], "t"
    )
    _, _, again = fingerprint_store.stream_targets(store, "svc")
    claimed = {t.entry_id: (t.claimed_kind, t.claimed_id) for t in again}
    assert claimed[first.entry_id] == ("channel", "CanalPlus.fr")
    assert len(again) == 10
    assert service_id > 0
