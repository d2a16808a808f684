"""Video fingerprints: DCT hashes of four half-frame regions under crop hypotheses.

Why this design (measured in docs/fingerprint.md):

- Black or uniform bars are cut off before hashing, so letterbox and pillarbox cost nothing.
- Each picture gets four 64-bit hashes (top, bottom, left, right halves of an inner box
  inset 10% from each edge): an opaque logo sits in a corner, so two halves stay clean.
- Crops up to 10% move the inner box; because it is inset 10%, it is still inside any such
  crop. The *query* therefore hashes the box where it would sit under 49 crop hypotheses
  (7 per axis), and the reference stores only the plain one: robustness costs query
  time, not reference memory.
- A hash is the sign of the 8x8 lowest DCT coefficients against their median, computed as
  two small matrix products straight from the picture (area weights folded into the DCT).
- Queries read keyframes only (cheap to decode); references are sampled densely
  (:data:`REFERENCE_RATE` per second) so every query keyframe has a reference frame within
  half a sample period.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from castwatch.errors import MediaTooShort
from castwatch.fingerprint.base import (
    Fingerprint,
    Fingerprinter,
    Match,
    MediaInput,
    register,
)
from castwatch.fingerprint.index_video import VideoIndex
from castwatch.fingerprint.media import Gray, describe, video_frames

#: Reference pictures per second of media time.
REFERENCE_RATE = 5.0
_INNER = 0.1
_COEFS = 8
#: (y range, x range) of the four regions, in inner-box coordinates.
_REGIONS = (
    ((0.0, 0.55), (0.0, 1.0)),
    ((0.45, 1.0), (0.0, 1.0)),
    ((0.0, 1.0), (0.0, 0.55)),
    ((0.0, 1.0), (0.45, 1.0)),
)
_RANGES = ((0.0, 0.55), (0.45, 1.0), (0.0, 1.0))
#: Crop hypotheses per axis: (share cut, share of it cut on the low side).
CROPS = ((0.0, 0.0), (0.05, 0.0), (0.05, 0.025), (0.05, 0.05), (0.1, 0.0), (0.1, 0.05), (0.1, 0.1))
REGIONS = len(_REGIONS)
#: Pictures darker or flatter than this carry no usable structure (fades, black slates).
_MIN_STD = 4.0


@register
class VideoFingerprinter(Fingerprinter):
    """Region DCT hashes; ``keyframes_only`` fingerprints are queries, the others references."""

    name = "video-dct"
    kind = "video"
    version = 1
    index_class = VideoIndex

    def fingerprint(
        self, source: MediaInput, *, max_seconds: float | None = None, keyframes_only: bool = True
    ) -> Fingerprint:
        crops = CROPS if keyframes_only else CROPS[:1]
        times: list[float] = []
        rows: list[npt.NDArray[np.uint64]] = []
        first = last = None
        frames = video_frames(
            source, keyframes_only=keyframes_only, rate=REFERENCE_RATE, max_seconds=max_seconds
        )
        for time, picture in frames:
            first = time if first is None else first
            last = time
            hashes = picture_hashes(picture, crops)
            if hashes is not None:
                times.append(time)
                rows.append(hashes)
        if not rows:
            raise MediaTooShort(
                f"{describe(source)}: no picture with usable detail (all black, uniform or "
                "too few frames); fingerprint a longer or different part"
            )
        duration = float((last or 0.0) - (first or 0.0)) + (
            0.0 if keyframes_only else 1 / REFERENCE_RATE
        )
        return Fingerprint(
            self.name,
            self.version,
            np.asarray(times, dtype=np.float32),
            np.stack(rows),
            duration,
            {"mode": "query" if keyframes_only else "reference", "crops": len(crops)},
        )

    def compare(self, query: Fingerprint, reference: Fingerprint) -> Match:
        index = self.new_index()
        index.add("reference", reference)
        hits = index.query(query, k=1)
        return hits[0][1] if hits else index.no_match()


def strip_bars(picture: Gray) -> Gray:
    """``picture`` without black/uniform bars on any side (letterbox, pillarbox, borders)."""
    rows = picture.astype(np.float32)
    row_flat = (rows.std(axis=1) < 6.0) & (rows.mean(axis=1) < 40.0)
    col_flat = (rows.std(axis=0) < 6.0) & (rows.mean(axis=0) < 40.0)
    top, bottom = _edge_run(row_flat), _edge_run(row_flat[::-1])
    left, right = _edge_run(col_flat), _edge_run(col_flat[::-1])
    height, width = picture.shape
    if top + bottom >= height * 0.6 or left + right >= width * 0.6:
        return picture  # a dark picture, not bars
    return picture[top : height - bottom, left : width - right]


def _edge_run(flat: npt.NDArray[np.bool_]) -> int:
    stops = np.flatnonzero(~flat)
    return int(stops[0]) if stops.size else int(flat.shape[0])


def picture_hashes(
    picture: Gray, crops: tuple[tuple[float, float], ...] = CROPS
) -> npt.NDArray[np.uint64] | None:
    """``len(crops)**2 * REGIONS`` hashes (crop y, crop x, region) or None for a flat picture."""
    content = strip_bars(picture).astype(np.float32)
    if content.shape[0] < 16 or content.shape[1] < 16 or float(content.std()) < _MIN_STD:
        return None
    while content.shape[0] >= 120 and content.shape[1] >= 120:
        # Halve big pictures first: the hashes see 32x32 cells, and the products get 4x cheaper.
        h, w = content.shape[0] // 2 * 2, content.shape[1] // 2 * 2
        content = content[:h, :w].reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))
    height, width = content.shape
    rows = _projections(height, crops)  # (len(crops) * 3, 8, height)
    cols = _projections(width, crops)
    n = len(crops)
    # Two plain matrix products (BLAS) give every region under every crop hypothesis.
    both = (rows.reshape(-1, height) @ content) @ cols.reshape(-1, width).T
    coefs = both.reshape(n * 3, _COEFS, n * 3, _COEFS).transpose(0, 2, 1, 3)
    coefs = coefs.reshape(n, 3, n, 3, _COEFS * _COEFS)
    picked = np.stack(
        [coefs[:, _RANGES.index(ry), :, _RANGES.index(rx)] for ry, rx in _REGIONS], axis=2
    )  # (n, n, regions, 64)
    flat = picked.reshape(-1, _COEFS * _COEFS)
    bits = flat > np.median(flat, axis=1, keepdims=True)
    packed = np.packbits(bits, axis=1, bitorder="little")
    return packed.view("<u8").reshape(-1).astype(np.uint64)


@lru_cache(maxsize=64)
def _projections(size: int, crops: tuple[tuple[float, float], ...]) -> npt.NDArray[np.float32]:
    """DCT-of-area-average matrices of the three ranges under every crop, for one axis."""
    dct = _dct(32)[:_COEFS]
    out = []
    for cut, low in crops:
        for start, end in _RANGES:
            lo = _INNER + (1 - 2 * _INNER) * start
            hi = _INNER + (1 - 2 * _INNER) * end
            out.append(dct @ _area_weights(size, (lo - low) / (1 - cut), (hi - low) / (1 - cut)))
    return np.stack(out).astype(np.float32)


def _area_weights(size: int, start: float, end: float, bins: int = 32) -> npt.NDArray[np.float64]:
    edges = (start + (end - start) * np.arange(bins + 1) / bins) * size
    pixels = np.arange(size)
    overlap = np.minimum(pixels + 1, edges[1:, None]) - np.maximum(pixels, edges[:-1, None])
    overlap = np.clip(overlap, 0.0, None)
    weights: npt.NDArray[np.float64] = overlap / np.maximum(
        overlap.sum(axis=1, keepdims=True), 1e-9
    )
    return weights


def _dct(n: int) -> npt.NDArray[np.float64]:
    k = np.arange(n)[:, None]
    i = np.arange(n)[None, :]
    matrix = np.cos(math.pi * (2 * i + 1) * k / (2 * n)) * math.sqrt(2 / n)
    matrix[0] /= math.sqrt(2)
    result: npt.NDArray[np.float64] = matrix
    return result
