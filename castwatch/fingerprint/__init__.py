"""Verification: prove that a stream carries a given channel or film, by fingerprints.

Video: region DCT hashes with bar removal and crop hypotheses (:mod:`.video`); audio:
spectral landmark pairs (:mod:`.audio`); indexes for many references with rolling windows
for live channels (:mod:`.index`). The facade (:mod:`.api`) is what the CLI calls.
docs/fingerprint.md explains the method, the score and the measured figures.
"""

from __future__ import annotations

from castwatch.errors import (
    FingerprintError,
    FingerprintFormatError,
    MediaError,
    MediaTooShort,
    NoMediaStream,
)
from castwatch.fingerprint.api import (
    Candidate,
    PairResult,
    ReferenceLibrary,
    compare_media,
    fingerprint_media,
)
from castwatch.fingerprint.audio import AudioFingerprinter
from castwatch.fingerprint.base import (
    Fingerprint,
    Fingerprinter,
    Match,
    fingerprinters,
    get_fingerprinter,
    register,
)
from castwatch.fingerprint.index import FingerprintIndex
from castwatch.fingerprint.video import VideoFingerprinter

__all__ = [
    "AudioFingerprinter",
    "Candidate",
    "Fingerprint",
    "FingerprintError",
    "FingerprintFormatError",
    "FingerprintIndex",
    "Fingerprinter",
    "Match",
    "MediaError",
    "MediaTooShort",
    "NoMediaStream",
    "PairResult",
    "ReferenceLibrary",
    "VideoFingerprinter",
    "compare_media",
    "fingerprint_media",
    "fingerprinters",
    "get_fingerprinter",
    "register",
]
