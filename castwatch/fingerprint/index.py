"""Indexes of reference fingerprints: many references, one query, the best few back.

:class:`FingerprintIndex` is the extension point (``add`` / ``query`` / ``to_bytes`` /
``from_bytes``, like ThreatExchange's ``SignalTypeIndex``). Both built-in indexes keep
their rows in two shards: a large *main* shard and a small *delta* shard that takes new
additions, so a live channel adding a segment every few seconds never rebuilds the main
tables; the delta is merged in when it passes a quarter of the main. Live rolling windows
(``add(..., window_s=...)``) set a per-key cut-off time: rows older than it are ignored at
once and dropped for good at the next merge.

Votes: every hash hit proposes ``offset = reference time - query time``; hits of one key
that agree on the offset (within the tolerance) are the evidence, scored by each index's
:meth:`FingerprintIndex._judge` (``index_video.py``, ``index_audio.py``) against
:data:`~castwatch.fingerprint.base.MATCH_FMR`.
"""

from __future__ import annotations

import json
import struct
from abc import ABC, abstractmethod
from typing import Any, ClassVar, NamedTuple

import numpy as np
import numpy.typing as npt

from castwatch.errors import FingerprintFormatError
from castwatch.fingerprint.base import FINGERPRINTERS, MATCH_FMR, NO_MATCH, Fingerprint, Match

_MAGIC = b"CWIX"
_FORMAT = 1
_HEAD = struct.Struct("<4sBI")


class Rows(NamedTuple):
    """Reference rows: time, key id, and one hash (1-D) or several (2-D) per row."""

    times: npt.NDArray[np.float32]
    keys: npt.NDArray[np.int32]
    hashes: npt.NDArray[Any]


class Hits(NamedTuple):
    """Hash hits of one query: query unit index, reference row, distance (0 for exact)."""

    query: npt.NDArray[np.int64]
    row: npt.NDArray[np.int64]
    distance: npt.NDArray[np.int64]


class FingerprintIndex(ABC):
    """References by key, queried with a fingerprint of the same fingerprinter and version.

    Subclasses say how rows are tabled (:meth:`_build`), how a query finds hits
    (:meth:`_hits`) and what a set of agreeing hits is worth (:meth:`_judge`).
    """

    kind: ClassVar[str]
    #: Two hits agree on an offset when they differ by no more than this (seconds).
    tolerance_s: ClassVar[float]

    def __init__(self, fingerprinter: str, version: int) -> None:
        self.fingerprinter, self.version = fingerprinter, version
        self._keys: list[str] = []
        self._key_ids: dict[str, int] = {}
        self._cutoff: dict[int, float] = {}
        self._main: Any = None
        self._main_rows: Rows | None = None
        self._pending: list[Rows] = []
        self._delta: Any = None
        self._delta_rows: Rows | None = None
        self._seconds: float | None = None

    # -- adding -----------------------------------------------------------------------
    def add(self, key: str, fingerprint: Fingerprint, window_s: float | None = None) -> None:
        """Add ``fingerprint`` under ``key``; with ``window_s`` keep only that many seconds."""
        self._check(fingerprint)
        key_id = self._key_ids.setdefault(key, len(self._keys))
        if key_id == len(self._keys):
            self._keys.append(key)
        hashes = self._reference_hashes(fingerprint)
        times = fingerprint.times.astype(np.float32)
        self._pending.append(Rows(times, np.full(len(times), key_id, np.int32), hashes))
        if window_s is not None and len(times):
            newest = float(times.max())
            self._cutoff[key_id] = max(self._cutoff.get(key_id, -np.inf), newest - window_s)
        self._delta = self._delta_rows = None
        self._seconds = None

    def keys(self) -> list[str]:
        """Every key ever added."""
        return list(self._keys)

    def __len__(self) -> int:
        """Live reference rows (after rolling windows)."""
        return sum(int(self._alive(rows).sum()) for rows in self._all_rows())

    # -- querying ---------------------------------------------------------------------
    def query(self, fingerprint: Fingerprint, k: int = 5) -> list[tuple[str, Match]]:
        """The ``k`` best keys for ``fingerprint``, best first (matches and near misses)."""
        self._check(fingerprint)
        self._settle()
        found: list[tuple[str, Match]] = []
        for shard, rows in ((self._main, self._main_rows), (self._delta, self._delta_rows)):
            if shard is None or rows is None or not len(rows.times):
                continue
            found.extend(self._vote(fingerprint, rows, self._hits(shard, rows, fingerprint)))
        best: dict[str, Match] = {}
        for key, match in found:
            if key not in best or match.score > best[key].score:
                best[key] = match
        return sorted(best.items(), key=lambda item: -item[1].score)[:k]

    def no_match(self) -> Match:
        return NO_MATCH

    def reference_seconds(self) -> float:
        """Seconds of reference covered (the search space the false-match rate pays for)."""
        if self._seconds is None:
            first = np.full(len(self._keys), np.inf)
            last = np.full(len(self._keys), -np.inf)
            for rows in self._all_rows():
                alive = self._alive(rows)
                np.minimum.at(first, rows.keys[alive], rows.times[alive])
                np.maximum.at(last, rows.keys[alive], rows.times[alive])
            seen = np.isfinite(first)
            self._seconds = max(float((last[seen] - first[seen] + 1.0).sum()), 1.0)
        return self._seconds

    def memory_bytes(self) -> int:
        """Bytes held by rows and tables."""
        total = 0
        for rows in self._all_rows():
            total += sum(array.nbytes for array in rows)
        for shard in (self._main, self._delta):
            if shard is not None:
                total += sum(array.nbytes for array in shard)
        return total

    # -- serialization ----------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """Every live row and the rolling windows; tables are rebuilt on load."""
        self._merge()
        rows = self._main_rows or self._empty_rows()
        header = json.dumps(
            {
                "kind": self.kind,
                "fingerprinter": self.fingerprinter,
                "version": self.version,
                "keys": self._keys,
                "cutoff": {str(k): v for k, v in self._cutoff.items()},
                "count": len(rows.times),
                "shape": list(rows.hashes.shape),
                "dtype": str(rows.hashes.dtype),
            }
        ).encode()
        return b"".join(
            (
                _HEAD.pack(_MAGIC, _FORMAT, len(header)),
                header,
                rows.times.astype("<f4").tobytes(),
                rows.keys.astype("<i4").tobytes(),
                rows.hashes.astype(rows.hashes.dtype.newbyteorder("<")).tobytes(),
            )
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> FingerprintIndex:
        """An index saved by :meth:`to_bytes`, of any registered fingerprinter.

        The header names the fingerprinter; its registered ``index_class`` reads the rows, so
        a plugin's index loads the same way as a built-in one.
        """
        try:
            magic, fmt, size = _HEAD.unpack_from(data)
            if magic != _MAGIC or fmt != _FORMAT:
                raise FingerprintFormatError("not a castwatch fingerprint index (or other version)")
            header = json.loads(data[_HEAD.size : _HEAD.size + size])
            index = _index_class(str(header["fingerprinter"]), str(header["kind"]))(
                header["fingerprinter"], int(header["version"])
            )
            count, shape = int(header["count"]), tuple(header["shape"])
            body = memoryview(data)[_HEAD.size + size :]
            dtype = np.dtype(header["dtype"]).newbyteorder("<")
            times = np.frombuffer(body, "<f4", count).astype(np.float32)
            keys = np.frombuffer(body, "<i4", count, 4 * count).astype(np.int32)
            hashes = np.frombuffer(body, dtype, int(np.prod(shape)), 8 * count)
            if len(body) != 8 * count + hashes.nbytes:
                raise FingerprintFormatError("fingerprint index body has the wrong length")
        except (ValueError, KeyError, TypeError, struct.error) as exc:
            raise FingerprintFormatError(f"malformed fingerprint index: {exc}") from exc
        index._keys = [str(key) for key in header["keys"]]
        index._key_ids = {key: n for n, key in enumerate(index._keys)}
        index._cutoff = {int(k): float(v) for k, v in header["cutoff"].items()}
        if count:
            index._pending = [
                Rows(times, keys, hashes.reshape(shape).astype(dtype.newbyteorder("=")))
            ]
            index._merge()
        return index

    # -- for subclasses ---------------------------------------------------------------
    @abstractmethod
    def _reference_hashes(self, fingerprint: Fingerprint) -> npt.NDArray[Any]:
        """The hashes of ``fingerprint`` stored per row."""

    @abstractmethod
    def _build(self, rows: Rows) -> tuple[npt.NDArray[Any], ...]:
        """Lookup tables over ``rows`` (numpy arrays only: they are counted and rebuilt)."""

    @abstractmethod
    def _hits(self, tables: Any, rows: Rows, query: Fingerprint) -> Hits:
        """Every hash hit of ``query`` in one shard."""

    @abstractmethod
    def _judge(self, query: Fingerprint, distances: npt.NDArray[np.int64], units: int) -> float:
        """The false-match rate of ``units`` agreeing query units with these distances, per
        tolerance window of reference searched."""

    @abstractmethod
    def _query_units(self, query: Fingerprint) -> npt.NDArray[np.float32]:
        """The time of each query unit (frame or landmark) that hits refer to."""

    def _empty_rows(self) -> Rows:
        return Rows(np.zeros(0, np.float32), np.zeros(0, np.int32), np.zeros(0, np.uint64))

    # -- internals --------------------------------------------------------------------
    def _check(self, fingerprint: Fingerprint) -> None:
        if (fingerprint.fingerprinter, fingerprint.version) != (self.fingerprinter, self.version):
            raise FingerprintFormatError(
                f"index holds {self.fingerprinter} v{self.version} fingerprints, got "
                f"{fingerprint.fingerprinter} v{fingerprint.version}; re-fingerprint the media"
            )

    def _all_rows(self) -> list[Rows]:
        return [r for r in (self._main_rows, *self._pending) if r is not None]

    def _alive(self, rows: Rows) -> npt.NDArray[np.bool_]:
        if not self._cutoff:
            return np.ones(len(rows.times), dtype=bool)
        cutoff = np.full(len(self._keys), -np.inf, dtype=np.float64)
        for key_id, value in self._cutoff.items():
            cutoff[key_id] = value
        alive: npt.NDArray[np.bool_] = rows.times >= cutoff[rows.keys]
        return alive

    def _settle(self) -> None:
        if not self._pending:
            return
        main = len(self._main_rows.times) if self._main_rows is not None else 0
        pending = sum(len(rows.times) for rows in self._pending)
        if self._delta_rows is not None:
            return
        if pending * 4 > main:
            self._merge()
        else:
            self._delta_rows = _concat(self._pending)
            self._delta = self._build(self._delta_rows)

    def _merge(self) -> None:
        if not self._pending:
            return
        parts = [r for r in (self._main_rows, *self._pending) if r is not None]
        merged = _concat(parts)
        alive = self._alive(merged)
        merged = Rows(merged.times[alive], merged.keys[alive], merged.hashes[alive])
        self._main_rows, self._main = merged, self._build(merged)
        self._pending, self._delta, self._delta_rows = [], None, None

    def _vote(self, query: Fingerprint, rows: Rows, hits: Hits) -> list[tuple[str, Match]]:
        unit_times = self._query_units(query)
        alive = self._alive(rows)[hits.row]
        q, r, d = hits.query[alive], hits.row[alive], hits.distance[alive]
        if not q.size:
            return []
        offsets = rows.times[r].astype(np.float64) - unit_times[q]
        keys = rows.keys[r].astype(np.int64)
        bins = np.round(offsets / (2 * self.tolerance_s)).astype(np.int64)
        code = keys * (1 << 40) + bins
        # Distinct query units per (key, offset bin): a unit hitting twice counts once.
        pairs = np.unique(np.stack([code, q]), axis=1)
        codes, counts = np.unique(pairs[0], return_counts=True)
        top = codes[np.argsort(-counts, kind="stable")[:16]]
        windows = self.reference_seconds() / (2 * self.tolerance_s)
        total_units = len(unit_times)
        results: list[tuple[str, Match]] = []
        for candidate in top:
            members = code == candidate
            key_id = int(keys[members][0])
            centre = float(np.median(offsets[members]))
            near = (keys == key_id) & (np.abs(offsets - centre) <= 1.5 * self.tolerance_s)
            best: dict[int, tuple[int, float]] = {}
            hit_list = zip(q[near].tolist(), d[near].tolist(), offsets[near].tolist(), strict=True)
            for unit, distance, offset in hit_list:
                # Each unit's closest hit: in a still scene farther pictures hit too, but the
                # closest one is the right instant.
                if unit not in best or distance < best[unit][0]:
                    best[unit] = (distance, offset)
            distances = np.fromiter((value[0] for value in best.values()), dtype=np.int64)
            unit_offsets = [value[1] for value in best.values()]
            fmr = min(1.0, windows * self._judge(query, distances, total_units))
            results.append(
                (
                    self._keys[key_id],
                    Match(
                        match=bool(fmr <= MATCH_FMR and len(best) >= 2),
                        score=float(-np.log10(max(fmr, 1e-300))),
                        offset_s=float(np.median(unit_offsets)),
                        matched_fraction=len(best) / max(total_units, 1),
                        false_match_rate=fmr,
                    ),
                )
            )
        return results


def _concat(parts: list[Rows]) -> Rows:
    return Rows(
        np.concatenate([p.times for p in parts]),
        np.concatenate([p.keys for p in parts]),
        np.concatenate([p.hashes for p in parts]),
    )


def _index_class(fingerprinter: str, kind: str) -> type[FingerprintIndex]:
    # An unknown name raises UnknownPlugin listing the registered fingerprinters.
    index_class = FINGERPRINTERS.get(fingerprinter).index_class
    if index_class.kind != kind:
        raise FingerprintFormatError(
            f"the index says {kind} but the {fingerprinter} index is {index_class.kind}"
        )
    return index_class
