"""The video index: multi-index hashing over 64-bit region hashes, with numpy only.

Each region slot's hashes are split into four 16-bit chunks; each chunk has a table (row
ids sorted by chunk value, and where each value starts). A query hash probes every chunk
at its own value and at the 16 values one bit away, then checks the real Hamming distance
of the candidates. Any reference within 7 bits is found for certain (pigeonhole: some
chunk is within one bit) and most up to :data:`RADIUS` are (in very large shards only the
chunk's own value is probed: :data:`EXACT_PROBES_ABOVE`); the temporal vote needs only
some of the query's frames, so that is enough. faiss's binary indexes are measured beside
it (bench/fingerprint.py, docs/fingerprint.md): a flat scan is ~1,600x slower at 6,000
channels, and its multi-hash index, 0.7x our memory, is slower already at a fortieth of the
size and cannot drop a live channel's old rows cheaply.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from castwatch.fingerprint.base import Fingerprint
from castwatch.fingerprint.index import FingerprintIndex, Hits, Rows

#: Hits farther than this many bits (of 64) are ignored.
RADIUS = 14
REGIONS = 4
_CHUNKS = 4
_BUCKETS = 1 << 16
_FLIPS = np.array([0] + [1 << bit for bit in range(16)], dtype=np.int64)
#: Above this many reference pictures in a shard, chunks are probed at their own value only:
#: 17x fewer candidates to check. Hits within 3 bits are still certain, and a query brings
#: 49 crop hypotheses per region, so the right one is usually that close (measured at
#: 6,000 channels in bench/fingerprint.py).
EXACT_PROBES_ABOVE = 2_000_000
#: log10 of the chance that one hash of unrelated content lies within d bits, measured on
#: 1.8 million cross pairs of synthetic programmes (bench/fingerprint.py), d = 12..20;
#: below 12 none was seen, so it is extrapolated at the measured slope.
_LOG_F1 = {12: -5.65, 14: -4.46, 16: -3.68, 18: -2.97, 20: -2.32}
#: Reference frames that fall in one tolerance window (REFERENCE_RATE * 2 * tolerance).
_FRAMES_PER_WINDOW = 3


def log_chance(distance: int) -> float:
    """log10 of the chance one unrelated hash pair is within ``distance`` bits."""
    if distance >= 20:
        return -2.32
    even = distance + (distance % 2)
    if even >= 12:
        return _LOG_F1[even]
    return _LOG_F1[12] - 0.45 * (12 - even)


class VideoIndex(FingerprintIndex):
    """Reference frames with four region hashes each; queries bring crop hypotheses."""

    kind: ClassVar[str] = "video"
    tolerance_s: ClassVar[float] = 0.3

    def _reference_hashes(self, fingerprint: Fingerprint) -> npt.NDArray[Any]:
        # A query fingerprint can serve as a reference: its first crop hypothesis is "none".
        return np.ascontiguousarray(fingerprint.hashes.reshape(len(fingerprint), -1)[:, :REGIONS])

    def _empty_rows(self) -> Rows:
        return Rows(
            np.zeros(0, np.float32), np.zeros(0, np.int32), np.zeros((0, REGIONS), np.uint64)
        )

    def _build(self, rows: Rows) -> tuple[npt.NDArray[Any], ...]:
        tables: list[npt.NDArray[Any]] = []
        for slot in range(REGIONS):
            column = rows.hashes[:, slot]
            for chunk in range(_CHUNKS):
                values = ((column >> np.uint64(16 * chunk)) & np.uint64(0xFFFF)).astype(np.int64)
                tables.append(np.argsort(values, kind="stable").astype(np.int32))
                counts = np.bincount(values, minlength=_BUCKETS)
                tables.append(np.concatenate([[0], np.cumsum(counts)]).astype(np.int64))
        return tuple(tables)

    def _query_units(self, query: Fingerprint) -> npt.NDArray[np.float32]:
        return query.times

    def _hits(self, tables: Any, rows: Rows, query: Fingerprint) -> Hits:
        hashes = query.hashes.reshape(len(query), -1)
        frames = np.repeat(np.arange(len(query)), hashes.shape[1])
        slots = np.tile(np.arange(hashes.shape[1]) % REGIONS, len(query))
        flat = hashes.reshape(-1)
        flips = _FLIPS[:1] if len(rows.times) > EXACT_PROBES_ABOVE else _FLIPS
        found_q: list[npt.NDArray[np.int64]] = []
        found_r: list[npt.NDArray[np.int64]] = []
        found_d: list[npt.NDArray[np.int64]] = []
        for slot in range(REGIONS):
            mine = slots == slot
            # Identical query hashes (neighbouring crop hypotheses often agree) probe once.
            values, inverse = np.unique(flat[mine], return_inverse=True)
            owners = frames[mine]
            column = rows.hashes[:, slot]
            for chunk in range(_CHUNKS):
                order, starts = (
                    tables[2 * (slot * _CHUNKS + chunk)],
                    tables[2 * (slot * _CHUNKS + chunk) + 1],
                )
                part = ((values >> np.uint64(16 * chunk)) & np.uint64(0xFFFF)).astype(np.int64)
                probes = (part[:, None] ^ flips[None, :]).reshape(-1)
                probe_owner = np.repeat(np.arange(len(values)), len(flips))
                lo, hi = starts[probes], starts[probes + 1]
                lengths = hi - lo
                total = int(lengths.sum())
                if not total:
                    continue
                firsts = np.repeat(lo - np.cumsum(lengths) + lengths, lengths)
                candidates = order[firsts + np.arange(total)].astype(np.int64)
                which = np.repeat(probe_owner, lengths)
                distance = np.bitwise_count(column[candidates] ^ values[which]).astype(np.int64)
                close = distance <= RADIUS
                candidates, which, distance = candidates[close], which[close], distance[close]
                # Back from unique values to every query frame that had that value.
                for value_index, row, dist in _expand(which, candidates, distance, inverse):
                    found_q.append(owners[value_index])
                    found_r.append(row)
                    found_d.append(dist)
        if not found_q:
            empty = np.zeros(0, dtype=np.int64)
            return Hits(empty, empty, empty)
        return Hits(np.concatenate(found_q), np.concatenate(found_r), np.concatenate(found_d))

    def _judge(self, query: Fingerprint, distances: npt.NDArray[np.int64], units: int) -> float:
        variants = query.hashes.reshape(len(query), -1).shape[1]
        matched = len(distances)
        log_fmr = _log_comb(units, matched)
        for distance in distances.tolist():
            chance = math.log10(variants * _FRAMES_PER_WINDOW) + log_chance(int(distance))
            log_fmr += min(0.0, chance)
        return float(10.0 ** max(log_fmr, -300.0))


def _expand(
    which: npt.NDArray[np.int64],
    rows: npt.NDArray[np.int64],
    distance: npt.NDArray[np.int64],
    inverse: npt.NDArray[np.int64],
) -> list[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]]:
    if not which.size:
        return []
    # Map value index -> positions in the original (query frame, variant) list.
    order = np.argsort(inverse, kind="stable")
    starts = np.searchsorted(inverse[order], np.arange(int(inverse.max()) + 2))
    lengths = starts[which + 1] - starts[which]
    total = int(lengths.sum())
    firsts = np.repeat(starts[which] - np.cumsum(lengths) + lengths, lengths)
    positions = order[firsts + np.arange(total)]
    return [(positions, np.repeat(rows, lengths), np.repeat(distance, lengths))]


def _log_comb(n: int, k: int) -> float:
    if k <= 0 or k >= n:
        return 0.0
    return (math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)) / math.log(10)
