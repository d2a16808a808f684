"""Restream transformations and clip encoding: sizes, bars, logos, continuous timestamps."""

from __future__ import annotations

import io

import av
import numpy as np
import pytest

from castwatch.sim.programme import Programme
from castwatch.sim.restream import CLEAN, Restream, encode_clip, restream_for

PROGRAMME = Programme(seed=5)


def test_clean_keeps_the_picture() -> None:
    frame = PROGRAMME.frame(3)
    assert np.array_equal(CLEAN.apply(frame), frame)


def test_letterbox_and_pillarbox_are_black_bars_of_the_asked_share() -> None:
    boxed = Restream(letterbox=0.25).apply(PROGRAMME.frame(0))
    assert boxed.shape == (180, 320, 3)
    black_rows = int((boxed.max(axis=(1, 2)) == 0).sum())
    assert abs(black_rows - 45) <= 2
    pillared = Restream(pillarbox=0.2, scale=0.5).apply(PROGRAMME.frame(0))
    assert pillared.shape == (90, 160, 3)
    black_cols = int((pillared.max(axis=(0, 2)) == 0).sum())
    assert abs(black_cols - 32) <= 2


@pytest.mark.parametrize("corner", ["top-left", "top-right", "bottom-left", "bottom-right"])
def test_logo_covers_the_asked_area_in_its_corner(corner: str) -> None:
    frame = PROGRAMME.frame(0)
    logo = Restream(logo=0.1, logo_corner=corner).apply(frame)  # type: ignore[arg-type]
    changed = np.any(logo != frame, axis=2)
    assert abs(changed.mean() - 0.1) < 0.02
    rows, cols = np.nonzero(changed)
    assert (rows.mean() < 90) == corner.startswith("top")
    assert (cols.mean() < 160) == corner.endswith("left")


def test_restream_for_is_deterministic_and_varied() -> None:
    assert restream_for("live:1") == restream_for("live:1")
    assert len({restream_for(f"live:{n}") for n in range(20)}) > 10


@pytest.mark.parametrize("container", ["mpegts", "mp4", "matroska"])
def test_encoded_clips_start_at_start_s(container: str) -> None:
    buffer = io.BytesIO()
    restream = Restream(fps=5.0, audio_rate=22050, scale=0.5)
    encode_clip(PROGRAMME, restream, start_s=4.0, seconds=2.0, output=buffer, container=container)
    buffer.seek(0)
    with av.open(buffer) as media:
        frames = list(media.decode(video=0))
    assert len(frames) == 10
    assert frames[0].time == pytest.approx(4.0)
    assert frames[-1].time == pytest.approx(5.8)
    assert (frames[0].width, frames[0].height) == (160, 90)
