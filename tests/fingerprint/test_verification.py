"""Verification workflows: rolling live references against the simulator's live feeds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from castwatch.config import Settings
from castwatch.fingerprint import Fingerprint
from castwatch.fingerprint.store import list_references, load_reference_prints
from castwatch.fingerprint.verification import follow_reference, merge_window
from castwatch.sim import SimServer
from castwatch.storage.db import Store


def _print(times: list[float], first_hash: int, version: int = 1) -> Fingerprint:
    hashes = np.arange(first_hash, first_hash + len(times), dtype=np.uint64)
    return Fingerprint("video-dct", version, np.asarray(times, np.float32), hashes, 0.0)


def test_merge_keeps_the_newest_rows_of_the_window() -> None:
    old = _print([10.0, 11.0, 12.0, 13.0, 14.0], 100)
    new = _print([13.0, 14.0, 15.0, 16.0], 200)  # overlaps the end of ``old``
    merged = merge_window(old, new, window_s=4.0)
    assert merged.times.tolist() == [12.0, 13.0, 14.0, 15.0, 16.0]
    # Where the captures overlap, the newer capture's rows win.
    assert merged.hashes.tolist() == [102, 200, 201, 202, 203]
    assert merged.duration_s == 4.0


def test_merge_after_a_timestamp_reset_keeps_only_the_new_timeline() -> None:
    merged = merge_window(_print([50.0, 51.0], 1), _print([2.0, 3.0], 9), window_s=60.0)
    assert merged.times.tolist() == [2.0, 3.0]


def test_merge_never_mixes_versions() -> None:
    new = _print([5.0], 7, version=2)
    assert merge_window(_print([1.0], 1), new, window_s=60.0) is new


@pytest.mark.slow
def test_follow_keeps_a_rolling_window_of_the_live_feed(tmp_path: Path) -> None:
    with SimServer(seed=5, live=3, films=1, series=1, episodes=1) as sim:
        feed = sim.live_feed(1)
        with Store.open(Settings.resolve(home=tmp_path)) as store:
            updates: list[float] = []
            info = follow_reference(
                store, feed.reference_url, feed.channel_key,
                evidence_dir=tmp_path / "evidence", window_s=6.0, chunk_s=4.0, rounds=2,
                on_update=lambda i: updates.append(i.duration_s),
            )  # fmt: skip
            prints = load_reference_prints(store, "channel", feed.channel_key)
            [listed] = list_references(store)
    assert len(updates) == 2
    assert info.live and info.window_s == 6.0
    assert listed.key == f"channel:{feed.channel_key}"
    video = prints["video"]
    assert (video.fingerprinter, video.version) == ("video-dct", 1)
    span = float(video.times.max() - video.times.min())
    assert 4.0 <= span <= 10.0
    assert np.all(np.diff(video.times) > 0)
