"""The audio index: an inverted index from landmark hash to reference rows."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from castwatch.fingerprint.base import Fingerprint
from castwatch.fingerprint.index import FingerprintIndex, Hits, Rows

#: A hash with more reference rows than this is too common to be evidence; skipped.
_MAX_BUCKET = 4096
#: Hashes are 20 bits but far from uniform: count them as 14 bits of evidence.
_EFFECTIVE_BITS = 14
#: Reference landmarks per second (measured, PEAKS_PER_SECOND x pairs kept).
_DENSITY = 100.0


class AudioIndex(FingerprintIndex):
    """Rows sorted by landmark hash; a query looks each of its hashes up by binary search."""

    kind: ClassVar[str] = "audio"
    tolerance_s: ClassVar[float] = 0.04

    def _reference_hashes(self, fingerprint: Fingerprint) -> npt.NDArray[Any]:
        return fingerprint.hashes.astype(np.uint32)

    def _empty_rows(self) -> Rows:
        return Rows(np.zeros(0, np.float32), np.zeros(0, np.int32), np.zeros(0, np.uint32))

    def _build(self, rows: Rows) -> tuple[npt.NDArray[Any], ...]:
        order = np.argsort(rows.hashes, kind="stable").astype(np.int32)
        return order, rows.hashes[order]

    def _query_units(self, query: Fingerprint) -> npt.NDArray[np.float32]:
        return query.times

    def _hits(self, tables: Any, rows: Rows, query: Fingerprint) -> Hits:
        order, ordered = tables
        lo = np.searchsorted(ordered, query.hashes, side="left")
        hi = np.searchsorted(ordered, query.hashes, side="right")
        lengths = hi - lo
        lengths[lengths > _MAX_BUCKET] = 0
        total = int(lengths.sum())
        firsts = np.repeat(lo - np.cumsum(lengths) + lengths, lengths)
        found = order[firsts + np.arange(total)].astype(np.int64)
        units = np.repeat(np.arange(len(query)), lengths)
        return Hits(units, found, np.zeros(total, dtype=np.int64))

    def _judge(self, query: Fingerprint, distances: npt.NDArray[np.int64], units: int) -> float:
        matched = len(distances)
        chance = min(1.0, _DENSITY * 2 * self.tolerance_s / 2.0**_EFFECTIVE_BITS)
        # The binomial tail is dominated by its first term when the chance is small.
        log_fmr = _log_comb(units, matched) + matched * math.log10(chance)
        return float(10.0 ** max(log_fmr, -300.0))


def _log_comb(n: int, k: int) -> float:
    if k <= 0 or k >= n:
        return 0.0
    return (math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)) / math.log(10)
