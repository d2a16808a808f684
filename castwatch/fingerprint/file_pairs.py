"""Compare media files with one another: the whole of ``castwatch fp compare``."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from castwatch.errors import MediaError


@dataclass(frozen=True, slots=True)
class FilePair:
    """Whether file ``a`` carries what file ``b`` does; ``offset_s``: where A's start is in B."""

    a: str
    b: str
    match: bool
    score: float
    offset_s: float
    matched_fraction: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "match": self.match,
            "score": self.score,
            "offset_s": self.offset_s,
            "matched_fraction": self.matched_fraction,
        }


def compare_files(paths: Sequence[Path]) -> list[FilePair]:
    """Fingerprint each file once (reference prints: every frame), then compare every pair,
    in the order given. :class:`MediaError` names a path that is not a file."""
    from castwatch.fingerprint import compare_media, fingerprint_media

    for path in paths:
        if not path.is_file():
            raise MediaError(f"no such file: {path}")
    prints = {path: fingerprint_media(path, keyframes_only=False) for path in paths}
    pairs: list[FilePair] = []
    for a, b in itertools.combinations(paths, 2):
        verdict = compare_media(prints[a], prints[b])
        pairs.append(
            FilePair(
                a=str(a),
                b=str(b),
                match=bool(verdict.match),
                score=round(float(verdict.score), 4),
                offset_s=round(float(verdict.offset_s), 3),
                matched_fraction=round(float(verdict.matched_fraction), 4),
            )
        )
    return pairs
