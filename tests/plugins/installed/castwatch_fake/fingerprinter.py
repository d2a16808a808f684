"""A fingerprinter of its own kind: audio landmarks of the first audio stream."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from castwatch.errors import MediaTooShort
from castwatch.fingerprint.audio import landmarks
from castwatch.fingerprint.base import (
    NO_MATCH,
    Fingerprint,
    Fingerprinter,
    Match,
    MediaInput,
    register,
)
from castwatch.fingerprint.index import FingerprintIndex
from castwatch.fingerprint.index_audio import AudioIndex
from castwatch.fingerprint.media import AUDIO_RATE, audio_samples, describe


@register
class SoundtrackFingerprinter(Fingerprinter):
    """Landmarks like the built-in audio fingerprinter, as a kind of its own."""

    name = "fake-soundtrack"
    kind = "soundtrack"
    version = 1
    index_class: ClassVar[type[FingerprintIndex]] = AudioIndex

    def fingerprint(
        self, source: MediaInput, *, max_seconds: float | None = None, keyframes_only: bool = True
    ) -> Fingerprint:
        start, pcm = audio_samples(source, max_seconds=max_seconds)
        if pcm.shape[0] < AUDIO_RATE:
            raise MediaTooShort(f"{describe(source)}: less than one second of audio decoded")
        times, hashes = landmarks(pcm)
        return Fingerprint(
            self.name,
            self.version,
            (times + start).astype(np.float32),
            hashes,
            pcm.shape[0] / AUDIO_RATE,
        )

    def compare(self, query: Fingerprint, reference: Fingerprint) -> Match:
        index = self.new_index()
        index.add("reference", reference)
        found = index.query(query, k=1)
        return found[0][1] if found else NO_MATCH
