"""Indexes: many references, rolling windows for live channels, merging, serialization."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from castwatch.fingerprint import Fingerprint, FingerprintFormatError, FingerprintIndex
from castwatch.fingerprint.index_video import REGIONS, VideoIndex

RATE = 5.0


def _reference(rng: np.random.Generator, start: float, seconds: float) -> Fingerprint:
    count = int(seconds * RATE)
    hashes = rng.integers(0, 2**63, size=(count, REGIONS), dtype=np.uint64)
    times = (start + np.arange(count) / RATE).astype(np.float32)
    return Fingerprint("video-dct", 1, times, hashes, seconds)


def _query_from(
    reference: Fingerprint, at: list[int], shift: float, flip_bits: int = 3
) -> Fingerprint:
    """Query frames copied from ``reference`` rows, a few bits flipped, times shifted."""
    hashes = reference.hashes[at].copy()
    for bit in range(flip_bits):
        hashes ^= np.uint64(1 << (bit * 7))
    return Fingerprint("video-dct", 1, reference.times[at] - shift, hashes, 10.0)


def _index(
    rng: np.random.Generator, channels: int = 20, seconds: float = 60.0
) -> tuple[VideoIndex, list[Fingerprint]]:
    index = VideoIndex("video-dct", 1)
    references = [_reference(rng, 0.0, seconds) for _ in range(channels)]
    for number, reference in enumerate(references):
        index.add(f"live:{number}", reference)
    return index, references


def test_query_finds_the_planted_reference_and_its_offset(rng: np.random.Generator) -> None:
    index, references = _index(rng)
    query = _query_from(references[7], [50, 60, 70, 80, 90], shift=-33.0)
    best_key, best = index.query(query, k=3)[0]
    assert best_key == "live:7"
    assert best.match
    assert best.offset_s == pytest.approx(-33.0, abs=0.05)
    assert best.matched_fraction == 1.0


def test_random_queries_match_nothing(rng: np.random.Generator) -> None:
    index, _ = _index(rng)
    for _ in range(20):
        query = _reference(rng, 0.0, 2.0)
        assert not any(match.match for _, match in index.query(query))


def test_rolling_window_drops_old_hashes(rng: np.random.Generator) -> None:
    index = VideoIndex("video-dct", 1)
    old = _reference(rng, 0.0, 60.0)
    index.add("live:1", old, window_s=120.0)
    assert index.query(_query_from(old, [10, 20, 30], 0.0))[0][1].match
    # Three more minutes arrive: the first minute is now out of the 2-minute window.
    for minute in range(1, 4):
        index.add("live:1", _reference(rng, 60.0 * minute, 60.0), window_s=120.0)
    results = index.query(_query_from(old, [10, 20, 30], 0.0))
    assert not any(match.match for _, match in results)
    assert len(index) == pytest.approx(120 * RATE, abs=RATE)


def test_delta_shard_and_merge_give_the_same_answer(rng: np.random.Generator) -> None:
    index, _references = _index(rng, channels=10)
    small = _reference(rng, 0.0, 10.0)
    index.add("live:new", small)  # stays in the delta shard (small next to the main)
    query = _query_from(small, [5, 15, 25, 35], shift=2.0)
    before = index.query(query)[0]
    restored = FingerprintIndex.from_bytes(index.to_bytes())  # merged on save
    after = restored.query(query)[0]
    assert before[0] == after[0] == "live:new"
    assert before[1].offset_s == pytest.approx(after[1].offset_s)


def test_serialization_round_trips_keys_windows_and_memory(rng: np.random.Generator) -> None:
    index, _references = _index(rng, channels=5)
    index.add("live:0", _reference(rng, 60.0, 30.0), window_s=60.0)
    restored = FingerprintIndex.from_bytes(index.to_bytes())
    assert restored.keys() == index.keys()
    assert len(restored) == len(index)
    assert restored.memory_bytes() > 0


@settings(max_examples=60)
@given(st.binary(max_size=512))
def test_index_bytes_that_are_garbage_give_a_clear_error(data: bytes) -> None:
    with contextlib.suppress(FingerprintFormatError):
        FingerprintIndex.from_bytes(b"CWIX\x01" + data)


def test_memory_grows_linearly_with_reference_seconds(rng: np.random.Generator) -> None:
    small, _ = _index(rng, channels=10, seconds=60.0)
    large, _ = _index(rng, channels=20, seconds=60.0)
    small.query(_reference(rng, 0, 1)), large.query(_reference(rng, 0, 1))
    # Per frame: 4 hashes (32 B), time and key (8 B), 16 chunk-table row ids (64 B).
    per_second = (large.memory_bytes() - small.memory_bytes()) / (10 * 60)
    assert per_second == pytest.approx(104 * RATE)
