"""Audio fingerprints: spectral peak pairs ("landmarks"), as in Shazam and audfprint.

Sound is resampled to 8 kHz mono (so any source rate gives the same spectrum), cut into
64 ms frames every 32 ms, and the strongest local peaks of the log spectrogram are kept.
Each peak (anchor) is paired with a few later peaks nearby; a pair's hash packs the
anchor's frequency bin, the frequency step and the time step (20 bits). Codecs and
resampling move peak heights but rarely which bins peak, so pairs survive re-encoding,
and a pair's meaning is independent of where the query starts.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from castwatch.errors import MediaTooShort
from castwatch.fingerprint.base import Fingerprint, Fingerprinter, Match, MediaInput, register
from castwatch.fingerprint.index_audio import AudioIndex
from castwatch.fingerprint.media import AUDIO_RATE, audio_samples, describe

FFT = 512
HOP = 256
#: Peaks kept per second, and later peaks paired with each anchor.
PEAKS_PER_SECOND = 30
FAN_OUT = 5
_MAX_DT = 31
_MAX_DF = 63
_MIN_SECONDS = 1.0


@register
class AudioFingerprinter(Fingerprinter):
    """Landmark hashes of the first audio stream."""

    name = "audio-landmark"
    kind = "audio"
    version = 1
    index_class = AudioIndex

    def fingerprint(
        self, source: MediaInput, *, max_seconds: float | None = None, keyframes_only: bool = True
    ) -> Fingerprint:
        start, pcm = audio_samples(source, max_seconds=max_seconds)
        if pcm.shape[0] < _MIN_SECONDS * AUDIO_RATE:
            raise MediaTooShort(
                f"{describe(source)}: {pcm.shape[0] / AUDIO_RATE:.1f} s of audio decoded; "
                f"at least {_MIN_SECONDS:.0f} s is needed"
            )
        times, hashes = landmarks(pcm)
        return Fingerprint(
            self.name,
            self.version,
            (times + start).astype(np.float32),
            hashes,
            pcm.shape[0] / AUDIO_RATE,
            {"rate": AUDIO_RATE},
        )

    def compare(self, query: Fingerprint, reference: Fingerprint) -> Match:
        index = self.new_index()
        index.add("reference", reference)
        hits = index.query(query, k=1)
        return hits[0][1] if hits else index.no_match()


def landmarks(
    pcm: npt.NDArray[np.float32],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.uint32]]:
    """(anchor time in seconds from the start, 20-bit hash) of every landmark in ``pcm``."""
    frames = sliding_window_view(pcm.astype(np.float32), FFT)[::HOP] * np.hanning(FFT)
    spectrum = np.log(np.abs(np.fft.rfft(frames, axis=1))[:, 1:256] + 1e-4)  # (time, 255)
    peaks_t, peaks_f = _peaks(spectrum)
    anchors_t: list[npt.NDArray[np.int64]] = []
    codes: list[npt.NDArray[np.int64]] = []
    order = np.lexsort((peaks_f, peaks_t))
    peaks_t, peaks_f = peaks_t[order], peaks_f[order]
    paired = np.zeros(len(peaks_t), dtype=np.int64)
    for step in range(1, FAN_OUT * 4):
        # Pair each peak with the peak ``step`` places later (the next ones in time) while
        # it has fewer than FAN_OUT partners.
        if step >= len(peaks_t):
            break
        dt = peaks_t[step:] - peaks_t[:-step]
        df = peaks_f[step:] - peaks_f[:-step]
        keep = (dt >= 1) & (dt <= _MAX_DT) & (np.abs(df) <= _MAX_DF) & (paired[:-step] < FAN_OUT)
        paired[:-step] += keep
        anchors_t.append(peaks_t[:-step][keep])
        codes.append((peaks_f[:-step][keep] << 12) | ((df[keep] + 64) << 5) | dt[keep])
    if not codes:
        return np.zeros(0), np.zeros(0, dtype=np.uint32)
    anchor = np.concatenate(anchors_t)
    code = np.concatenate(codes)
    order = np.argsort(anchor, kind="stable")
    return anchor[order] * HOP / AUDIO_RATE, code[order].astype(np.uint32)


def _peaks(
    spectrum: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Local maxima over 7 frames x 15 bins, the strongest PEAKS_PER_SECOND per second."""
    padded = np.pad(spectrum, ((3, 3), (7, 7)), mode="constant", constant_values=-np.inf)
    local_max = sliding_window_view(padded, (7, 15)).max(axis=(2, 3))
    is_peak = (spectrum >= local_max) & (spectrum > np.median(spectrum) + 1.0)
    peak_t, peak_f = np.nonzero(is_peak)
    if not peak_t.size:
        return peak_t, peak_f
    # Keep the strongest per second: the same peaks survive in a copy of any loudness.
    second = peak_t * HOP // AUDIO_RATE
    strength = spectrum[peak_t, peak_f]
    order = np.lexsort((-strength, second))
    rank = np.arange(order.size) - np.searchsorted(second[order], second[order])
    chosen = order[rank < PEAKS_PER_SECOND]
    return peak_t[chosen].astype(np.int64), peak_f[chosen].astype(np.int64)
