"""The audio fingerprinter: the contract battery over resampled and re-encoded sound."""

from __future__ import annotations

import io

import numpy as np
import pytest

from castwatch.fingerprint import AudioFingerprinter, MediaTooShort
from castwatch.fingerprint.audio import landmarks
from castwatch.sim.programme import Programme
from tests.fingerprint.conftest import audio_only_clip
from tests.fingerprint.contract import FingerprinterContract
from tests.fingerprint.transforms import AUDIO_TRANSFORMS


class TestAudioFingerprinter(FingerprinterContract):
    fingerprinter = AudioFingerprinter()
    restreams = AUDIO_TRANSFORMS

    def test_audio_only_media_is_fingerprinted(self) -> None:
        fingerprint = self.fingerprinter.fingerprint(io.BytesIO(audio_only_clip()))
        assert len(fingerprint) > 100


def test_landmarks_do_not_depend_on_where_the_window_starts() -> None:
    pcm = Programme(seed=5, sample_rate=8000).audio(0, 8000 * 8)
    times, hashes = landmarks(pcm)
    later_times, later_hashes = landmarks(pcm[8000 * 2 :])
    # A window shifted by half an STFT hop keeps only part of its landmarks (steady tones
    # peak anywhere along their length): enough for votes to find it, which is what counts.
    kept = np.isin(hashes[times > 3.0], later_hashes).mean()
    assert kept > 0.05
    assert later_times.max() < times.max()


def test_silence_is_too_short_to_fingerprint() -> None:
    with pytest.raises(MediaTooShort):
        AudioFingerprinter().fingerprint(io.BytesIO(_silence()))


def _silence() -> bytes:
    import av

    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="wav") as muxer:
        stream = muxer.add_stream("pcm_s16le", rate=8000, layout="mono")
        frame = av.AudioFrame.from_ndarray(
            np.zeros((1, 400), dtype=np.int16), format="s16", layout="mono"
        )
        frame.sample_rate = 8000
        muxer.mux(stream.encode(frame))
        muxer.mux(stream.encode(None))
    return buffer.getvalue()
