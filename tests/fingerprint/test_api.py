"""The facade the CLI calls: fingerprint media, compare two, and a reference library."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from castwatch.fingerprint import (
    FingerprintFormatError,
    MediaError,
    NoMediaStream,
    ReferenceLibrary,
    compare_media,
    fingerprint_media,
)
from castwatch.sim.restream import Restream
from tests.fingerprint.conftest import (
    SEEDS,
    audio_only_clip,
    clip,
    query_prints,
    reference_prints,
    video_only_clip,
)

MIXED = Restream(letterbox=0.2, logo=0.1, crop=0.05, colour=0.4, audio_rate=44100, fps=12.5)


def test_fingerprint_media_gives_both_kinds() -> None:
    prints = query_prints(SEEDS[0])
    assert set(prints) == {"video", "audio"}


def test_absent_streams_are_skipped() -> None:
    assert set(fingerprint_media(io.BytesIO(video_only_clip()))) == {"video"}
    assert set(fingerprint_media(io.BytesIO(audio_only_clip()))) == {"audio"}
    with pytest.raises(NoMediaStream):
        fingerprint_media(io.BytesIO(audio_only_clip()), kinds=("video",))


def test_file_paths_work(tmp_path: Path) -> None:
    path = tmp_path / "clip.ts"
    path.write_bytes(clip(SEEDS[1], Restream(), 7.3, 10.0))
    assert compare_media(fingerprint_media(path), reference_prints(SEEDS[1])).match


def test_compare_media_combines_kinds() -> None:
    result = compare_media(query_prints(SEEDS[0], MIXED), reference_prints(SEEDS[0]))
    assert result.match
    assert set(result.by_kind) == {"video", "audio"}
    assert result.offset_s == pytest.approx(0.0, abs=0.35)
    assert result.score >= max(m.score for m in result.by_kind.values()) - 1
    other = compare_media(query_prints(SEEDS[0], MIXED), reference_prints(SEEDS[1]))
    assert not other.match


def test_library_finds_the_source_and_survives_save_and_load(tmp_path: Path) -> None:
    library = ReferenceLibrary()
    for seed in SEEDS:
        library.add(f"channel:{seed}", reference_prints(seed), window_s=600)
    candidates = library.query(query_prints(SEEDS[2], MIXED), k=3)
    assert candidates[0].key == f"channel:{SEEDS[2]}"
    assert candidates[0].match
    assert set(candidates[0].kind_scores) == {"video", "audio"}
    assert not any(c.match for c in candidates[1:])
    library.save(tmp_path / "library.bin")
    loaded = ReferenceLibrary.load(tmp_path / "library.bin")
    again = loaded.query(query_prints(SEEDS[2], MIXED), k=3)
    assert again[0].key == candidates[0].key
    assert again[0].score == pytest.approx(candidates[0].score)
    assert loaded.memory_bytes() > 0


def test_a_broken_library_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.bin"
    path.write_bytes(b"not a library")
    with pytest.raises(FingerprintFormatError):
        ReferenceLibrary.load(path)


def test_missing_file_is_a_media_error(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match=r"missing\.ts"):
        fingerprint_media(tmp_path / "missing.ts")
