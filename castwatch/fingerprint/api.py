"""The verification facade the CLI calls: fingerprint media, compare two, search a library.

    prints = fingerprint_media("capture.ts")                 # {"video": ..., "audio": ...}
    library = ReferenceLibrary()
    library.add("channel:bbc-one", fingerprint_media("bbc.ts", keyframes_only=False))
    library.query(prints)[0]                                 # Candidate(key="channel:bbc-one", ...)

Every registered fingerprinter takes part (the built-ins, video and audio, and any
plugin's), each under its ``kind``. Kinds are judged separately and combined by their
false-match rates: the combined rate is the product (independent evidence) times the
number of kinds tried.
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from castwatch.errors import FingerprintFormatError, NoMediaStream, UnknownPlugin
from castwatch.fingerprint.base import (
    MATCH_FMR,
    NO_MATCH,
    Fingerprint,
    Fingerprinter,
    Match,
    MediaInput,
    fingerprinters,
)
from castwatch.fingerprint.index import FingerprintIndex

_LIBRARY_MAGIC = b"CWLB"
_LEN = struct.Struct("<I")


@dataclass(frozen=True)
class PairResult:
    """Whether two media carry the same content; ``by_kind`` holds each kind's own verdict."""

    match: bool
    score: float
    offset_s: float
    matched_fraction: float
    by_kind: dict[str, Match] = field(default_factory=dict)


@dataclass(frozen=True)
class Candidate:
    """One reference a query may be: ``score`` is -log10 of the false-match rate."""

    key: str
    score: float
    offset_s: float
    matched_fraction: float
    match: bool
    kind_scores: dict[str, float] = field(default_factory=dict)


def fingerprinters_by_kind() -> dict[str, Fingerprinter]:
    """One instance of every registered fingerprinter, by the kind it reads (video first)."""
    return {cls.kind: cls() for cls in fingerprinters().values()}


def fingerprint_media(
    source: MediaInput,
    kinds: Iterable[str] | None = None,
    max_seconds: float | None = None,
    keyframes_only: bool = True,
) -> dict[str, Fingerprint]:
    """Fingerprints of ``source`` by kind (every registered kind when ``kinds`` is None); a
    kind whose stream is absent is skipped.

    ``keyframes_only=True`` makes query fingerprints (cheap); False makes reference ones.
    """
    printers = fingerprinters_by_kind()
    prints: dict[str, Fingerprint] = {}
    wanted = list(printers) if kinds is None else list(kinds)
    for kind in wanted:
        if kind not in printers:
            raise UnknownPlugin("fingerprinter kind", kind, sorted(printers))
        if hasattr(source, "seek"):
            source.seek(0)
        try:
            prints[kind] = printers[kind].fingerprint(
                source, max_seconds=max_seconds, keyframes_only=keyframes_only
            )
        except NoMediaStream:
            continue
    if not prints:
        raise NoMediaStream(f"the media has none of the streams asked for ({', '.join(wanted)})")
    return prints


def combine(by_kind: Mapping[str, Match]) -> Match:
    """One verdict from per-kind matches: product of their false-match rates (when they
    agree on the offset), times the number of kinds tried."""
    if not by_kind:
        return NO_MATCH
    best = max(by_kind.values(), key=lambda m: m.score)
    agreeing = [
        m for m in by_kind.values() if abs(m.offset_s - best.offset_s) <= 0.5 and m.score > 0
    ]
    log_fmr = (
        sum(math.log10(max(m.false_match_rate, 1e-300)) for m in agreeing) if agreeing else 0.0
    )
    log_fmr = min(0.0, log_fmr + math.log10(len(by_kind)))
    fmr = 10.0**log_fmr
    return Match(
        match=fmr <= MATCH_FMR and any(m.match for m in by_kind.values()),
        score=-log_fmr,
        offset_s=best.offset_s,
        matched_fraction=max(m.matched_fraction for m in by_kind.values()),
        false_match_rate=fmr,
    )


def compare_media(
    a_prints: Mapping[str, Fingerprint], b_prints: Mapping[str, Fingerprint]
) -> PairResult:
    """Does ``a`` (a query) carry ``b`` (a reference)? ``offset_s``: a time + offset = b time."""
    by_kind = {
        kind: printer.compare(a_prints[kind], b_prints[kind])
        for kind, printer in fingerprinters_by_kind().items()
        if kind in a_prints and kind in b_prints
    }
    verdict = combine(by_kind)
    return PairResult(
        verdict.match, verdict.score, verdict.offset_s, verdict.matched_fraction, by_kind
    )


class ReferenceLibrary:
    """Reference fingerprints of channels and works, one index per kind.

    Live channels pass ``window_s`` so only the latest minutes are kept.
    """

    def __init__(self) -> None:
        self.indexes: dict[str, FingerprintIndex] = {
            kind: printer.new_index() for kind, printer in fingerprinters_by_kind().items()
        }

    def add(
        self, key: str, prints: Mapping[str, Fingerprint], window_s: float | None = None
    ) -> None:
        for kind, fingerprint in prints.items():
            if kind in self.indexes:
                self.indexes[kind].add(key, fingerprint, window_s=window_s)

    def query(self, prints: Mapping[str, Fingerprint], k: int = 5) -> list[Candidate]:
        """The ``k`` most likely references for ``prints``, best first."""
        per_key: dict[str, dict[str, Match]] = {}
        for kind, fingerprint in prints.items():
            if kind not in self.indexes:
                continue
            for key, match in self.indexes[kind].query(fingerprint, k=k * 2):
                per_key.setdefault(key, {})[kind] = match
        candidates = []
        for key, by_kind in per_key.items():
            verdict = combine(
                {kind: by_kind.get(kind, NO_MATCH) for kind in prints if kind in self.indexes}
            )
            candidates.append(
                Candidate(
                    key,
                    verdict.score,
                    verdict.offset_s,
                    verdict.matched_fraction,
                    verdict.match,
                    {kind: m.score for kind, m in by_kind.items()},
                )
            )
        return sorted(candidates, key=lambda c: -c.score)[:k]

    def keys(self) -> list[str]:
        """Every reference key held by any of the indexes, sorted."""
        return sorted({key for index in self.indexes.values() for key in index.keys()})  # noqa: SIM118

    def __len__(self) -> int:
        return len(self.keys())

    def memory_bytes(self) -> int:
        return sum(index.memory_bytes() for index in self.indexes.values())

    def save(self, path: str | Path) -> None:
        parts = [_LIBRARY_MAGIC]
        for kind, index in self.indexes.items():
            blob = index.to_bytes()
            name = kind.encode()
            parts += [_LEN.pack(len(name)), name, _LEN.pack(len(blob)), blob]
        Path(path).write_bytes(b"".join(parts))

    @classmethod
    def load(cls, path: str | Path) -> ReferenceLibrary:
        data = Path(path).read_bytes()
        if not data.startswith(_LIBRARY_MAGIC):
            raise FingerprintFormatError(f"{path} is not a castwatch reference library")
        library = cls()
        position = len(_LIBRARY_MAGIC)
        try:
            while position < len(data):
                (size,) = _LEN.unpack_from(data, position)
                kind = data[position + 4 : position + 4 + size].decode()
                position += 4 + size
                (size,) = _LEN.unpack_from(data, position)
                library.indexes[kind] = FingerprintIndex.from_bytes(
                    data[position + 4 : position + 4 + size]
                )
                position += 4 + size
        except (struct.error, UnicodeDecodeError) as exc:
            raise FingerprintFormatError(f"{path}: truncated reference library ({exc})") from exc
        return library


def describe_library(library: ReferenceLibrary) -> str:
    """One line per kind: keys and memory (for the CLI)."""
    return json.dumps(
        {
            kind: {"keys": len(index.keys()), "bytes": index.memory_bytes()}
            for kind, index in library.indexes.items()
        }
    )
