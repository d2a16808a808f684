"""The video fingerprinter: the contract battery, the transformation suite, bar removal."""

from __future__ import annotations

import io

import numpy as np

from castwatch.fingerprint import VideoFingerprinter
from castwatch.fingerprint.video import CROPS, REGIONS, picture_hashes, strip_bars
from castwatch.sim.programme import Programme
from castwatch.sim.restream import Restream
from tests.fingerprint.conftest import SEEDS, clip
from tests.fingerprint.contract import FingerprinterContract
from tests.fingerprint.transforms import VIDEO_TRANSFORMS


class TestVideoFingerprinter(FingerprinterContract):
    fingerprinter = VideoFingerprinter()
    restreams = VIDEO_TRANSFORMS

    def test_queries_carry_crop_hypotheses_and_references_do_not(self) -> None:
        assert self.query(SEEDS[0]).hashes.shape[1] == len(CROPS) ** 2 * REGIONS
        assert self.reference(SEEDS[0]).hashes.shape[1] == REGIONS

    def test_queries_read_keyframes_only(self) -> None:
        # 10 s with a 2 s GOP: five keyframes, not a hundred frames.
        assert 4 <= len(self.query(SEEDS[0])) <= 7

    def test_a_query_can_serve_as_reference(self) -> None:
        query = self.query(SEEDS[0])
        other = self.fingerprinter.fingerprint(io.BytesIO(clip(SEEDS[0], Restream(logo=0.1), 7.3)))
        assert self.fingerprinter.compare(other, query).match


def _gray(rgb: np.ndarray) -> np.ndarray:
    return (rgb @ np.array([0.299, 0.587, 0.114])).astype(np.uint8)


def test_bars_are_stripped_to_the_picture() -> None:
    frame = _gray(Restream(letterbox=0.25, pillarbox=0.1).apply(Programme(seed=4).frame(0)))
    content = strip_bars(frame)
    assert abs(content.shape[0] - 135) <= 3
    assert abs(content.shape[1] - 288) <= 3


def test_a_dark_picture_is_not_mistaken_for_bars() -> None:
    dark = np.full((180, 320), 10, dtype=np.uint8)
    dark[80:100, 150:170] = 12
    assert strip_bars(dark).shape == (180, 320)


def test_flat_pictures_have_no_hash() -> None:
    assert picture_hashes(np.zeros((180, 320), dtype=np.uint8)) is None
    assert picture_hashes(np.full((180, 320), 128, dtype=np.uint8)) is None


def test_hashes_of_different_programmes_are_far_apart() -> None:
    hashes = [picture_hashes(_gray(Programme(seed=seed).frame(0)), CROPS[:1]) for seed in range(8)]
    for i, first in enumerate(hashes):
        for second in hashes[i + 1 :]:
            assert first is not None and second is not None
            assert int(np.bitwise_count(first ^ second).min()) > 14
