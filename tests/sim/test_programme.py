"""The synthetic programmes: deterministic, endless, distinct per seed, changing over time."""

from __future__ import annotations

import itertools
import zlib

import numpy as np
import pytest

from castwatch.sim.programme import Programme, programme_for


def test_frames_are_deterministic_rgb_for_any_index() -> None:
    programme = programme_for("live:1")
    for index in (0, 37, 10**7):
        frame = programme.frame(index)
        assert frame.shape == (180, 320, 3)
        assert frame.dtype == np.uint8
        assert np.array_equal(frame, Programme(seed=programme.seed).frame(index))


def test_key_gives_a_stable_seed() -> None:
    assert programme_for("live:1") == programme_for("live:1")
    assert programme_for("live:1").seed == zlib.crc32(b"live:1")
    assert programme_for("live:1") != programme_for("live:2")


def test_different_seeds_do_not_look_alike() -> None:
    frames = [Programme(seed=seed).frame(0).astype(np.int16) for seed in range(6)]
    for i in range(len(frames)):
        for j in range(i + 1, len(frames)):
            assert np.abs(frames[i] - frames[j]).mean() > 20


def test_consecutive_seconds_differ_and_scenes_cut() -> None:
    programme = Programme(seed=3)
    per_second = [programme.frame(int(s * programme.fps)).astype(np.int16) for s in range(12)]
    steps = [np.abs(a - b).mean() for a, b in itertools.pairwise(per_second)]
    assert min(steps) > 0.5
    # At least one cut within 12 s: a jump far above the within-scene motion.
    assert max(steps) > 20


def test_audio_is_deterministic_bounded_and_window_independent() -> None:
    programme = Programme(seed=9)
    whole = programme.audio(0, 32000)
    assert whole.dtype == np.float32
    assert float(np.abs(whole).max()) <= 1.0
    assert float(np.abs(whole).mean()) > 0.05
    assert np.array_equal(programme.audio(12345, 1000), whole[12345:13345])
    assert not np.array_equal(whole, Programme(seed=10).audio(0, 32000))


def test_negative_indexes_are_refused() -> None:
    with pytest.raises(ValueError, match=">= 0"):
        Programme(seed=1).frame(-1)
    with pytest.raises(ValueError, match=">= 0"):
        Programme(seed=1).audio(-5, 10)
