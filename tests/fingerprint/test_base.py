"""Fingerprint serialization and the fingerprinter registry."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from castwatch.errors import DuplicatePlugin, UnknownPlugin
from castwatch.fingerprint import (
    Fingerprint,
    FingerprintFormatError,
    fingerprinters,
    get_fingerprinter,
)


def _sample(rows: int = 5, width: int = 4) -> Fingerprint:
    rng = np.random.default_rng(rows)
    hashes = rng.integers(0, 2**63, size=(rows, width), dtype=np.uint64)
    times = np.arange(rows, dtype=np.float32) / 5
    return Fingerprint("video-dct", 1, times, hashes, rows / 5, {"mode": "reference", "crops": 1})


def test_round_trip_keeps_everything() -> None:
    for fingerprint in (_sample(), _sample(0), _sample(3, 1)):
        assert Fingerprint.from_bytes(fingerprint.to_bytes()) == fingerprint
    audio = Fingerprint(
        "audio-landmark", 1, np.zeros(3, np.float32), np.arange(3, dtype=np.uint32), 1.0
    )
    assert Fingerprint.from_bytes(audio.to_bytes()) == audio


def test_serialization_is_compact() -> None:
    fingerprint = _sample(1000)
    raw = fingerprint.times.nbytes + fingerprint.hashes.nbytes
    assert len(fingerprint.to_bytes()) < raw + 256


@given(st.binary(max_size=2048))
def test_arbitrary_bytes_give_a_clear_error(data: bytes) -> None:
    with contextlib.suppress(FingerprintFormatError):
        Fingerprint.from_bytes(data)


@given(st.integers(min_value=0, max_value=400), st.binary(min_size=1, max_size=8))
def test_damaged_fingerprints_give_a_clear_error(position: int, patch: bytes) -> None:
    good = _sample(4).to_bytes()
    damaged = good[:position] + patch + good[position + len(patch) :]
    truncated = good[: position % len(good)]
    for data in (damaged, truncated):
        try:
            result = Fingerprint.from_bytes(data)
        except FingerprintFormatError:
            continue
        assert isinstance(result, Fingerprint)


def test_wrong_magic_and_version_are_named() -> None:
    good = _sample().to_bytes()
    with pytest.raises(FingerprintFormatError, match="magic"):
        Fingerprint.from_bytes(b"XXXX" + good[4:])
    with pytest.raises(FingerprintFormatError, match="format 9"):
        Fingerprint.from_bytes(good[:4] + b"\x09" + good[5:])


def test_unknown_fingerprinter_lists_the_known_ones() -> None:
    with pytest.raises(UnknownPlugin, match=r"unknown fingerprinter 'nope'.*video-dct"):
        get_fingerprinter("nope")


def test_a_second_fingerprinter_of_a_kind_is_refused_naming_both() -> None:
    # The facade keys prints by kind: two video fingerprinters would overwrite each other.
    from castwatch.fingerprint import VideoFingerprinter, register

    rival = type("RivalVideo", (VideoFingerprinter,), {"name": "video-rival"})
    with pytest.raises(DuplicatePlugin, match=r"fingerprinter kind 'video'.*VideoFingerprinter"):
        register(rival)
    assert "video-rival" not in fingerprinters()
