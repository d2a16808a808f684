"""Verification: prove that a stream carries a given channel or film, by fingerprints.

Video: region DCT hashes with bar removal and crop hypotheses (:mod:`.video`); audio:
spectral landmark pairs (:mod:`.audio`); indexes for many references with rolling windows
for live channels (:mod:`.index`). The facade (:mod:`.api`) is what the CLI calls; the
stage's tables are :mod:`.tables`, read and written only by :mod:`.store`.
docs/fingerprint.md explains the method, the score and the measured figures.

The names below are imported on first use: the database layer imports :mod:`.tables`
to gather the schema, and that must not pull in numpy and PyAV.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

#: Where each public name lives.
_HOMES = {
    "FingerprintError": "castwatch.errors",
    "FingerprintFormatError": "castwatch.errors",
    "MediaError": "castwatch.errors",
    "MediaTooShort": "castwatch.errors",
    "NoMediaStream": "castwatch.errors",
    "Candidate": "castwatch.fingerprint.api",
    "PairResult": "castwatch.fingerprint.api",
    "ReferenceLibrary": "castwatch.fingerprint.api",
    "compare_media": "castwatch.fingerprint.api",
    "fingerprint_media": "castwatch.fingerprint.api",
    "AudioFingerprinter": "castwatch.fingerprint.audio",
    "Fingerprint": "castwatch.fingerprint.base",
    "Fingerprinter": "castwatch.fingerprint.base",
    "Match": "castwatch.fingerprint.base",
    "fingerprinters": "castwatch.fingerprint.base",
    "get_fingerprinter": "castwatch.fingerprint.base",
    "register": "castwatch.fingerprint.base",
    "FingerprintIndex": "castwatch.fingerprint.index",
    "VideoFingerprinter": "castwatch.fingerprint.video",
}

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


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
