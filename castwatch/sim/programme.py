"""Deterministic synthetic TV programmes: pictures and sound for the simulated live service.

A :class:`Programme` is an endless channel drawn from one seed. Its pictures are cut into
scenes of a few seconds; each scene has its own gradient, a panning low-frequency texture,
moving shapes and blocky glyphs (a station number and a running clock), so two seeds never
look alike and consecutive seconds differ. Its sound is a sequence of notes and chords with
noise bursts, also drawn per seed. Every frame and every sample is a pure function of
``(seed, index)``: the live simulator can render any segment of an unbounded timeline, and
the fingerprint tests can render the same instant again as a reference.

    programme = programme_for("live:1234")
    rgb = programme.frame(25)              # (180, 320, 3) uint8
    pcm = programme.audio(16000, 16000)    # one second of float32 mono
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

RGB = npt.NDArray[np.uint8]
Samples = npt.NDArray[np.float32]

#: 3x5 bitmaps of the digits, drawn as blocks: enough "text" to give corners structure.
_DIGITS = (
    "111101101101111",
    "010110010010111",
    "111001111100111",
    "111001111001111",
    "101101111001001",
    "111100111001111",
    "111100111101111",
    "111001010010010",
    "111101111101111",
    "111101111001111",
)
_GLYPHS = np.array([[int(c) for c in bits] for bits in _DIGITS], dtype=bool).reshape(10, 5, 3)
#: The coarse texture grid; panning wraps around it, so any frame index is valid.
_GRID_H, _GRID_W = 9, 16
_NOTE_S = 0.35


class _Shape(NamedTuple):
    circle: bool
    colour: npt.NDArray[np.float32]
    x0: float
    y0: float
    vx: float
    vy: float
    size: float


class _Scene(NamedTuple):
    top: npt.NDArray[np.float32]
    bottom: npt.NDArray[np.float32]
    angle: float
    texture: npt.NDArray[np.float32]
    pan_x: float
    pan_y: float
    shapes: tuple[_Shape, ...]
    glyph_colour: npt.NDArray[np.float32]
    glyph_x: float
    glyph_y: float


@dataclass(frozen=True)
class Programme:
    """An endless synthetic channel; every frame and sample is a function of the seed.

    ``scene_s`` (derived from the seed) is how long a shot lasts before a cut.
    """

    seed: int
    width: int = 320
    height: int = 180
    fps: float = 10.0
    sample_rate: int = 16000

    @property
    def scene_s(self) -> float:
        """Seconds between cuts: 2.5 to 5 s, fixed per seed so any index maps to its scene."""
        return 2.5 + (self.seed % 11) * 0.25

    def frame(self, index: int) -> RGB:
        """The picture at frame ``index`` (>= 0): ``(height, width, 3)`` uint8 RGB."""
        if index < 0:
            raise ValueError(f"frame index must be >= 0, got {index}")
        t = index / self.fps
        scene_index = int(t // self.scene_s)
        scene = _scene(self.seed, scene_index)
        local = t - scene_index * self.scene_s
        image = _background(scene, self.height, self.width, local)
        _draw_shapes(image, scene.shapes, local)
        _draw_glyphs(image, scene, self.seed, int(t))
        return np.clip(image, 0, 255).astype(np.uint8)

    def audio(self, start_sample: int, count: int) -> Samples:
        """``count`` mono float32 samples in [-1, 1] from ``start_sample`` (>= 0)."""
        if start_sample < 0 or count < 0:
            raise ValueError("start_sample and count must be >= 0")
        sample = np.arange(start_sample, start_sample + count, dtype=np.int64)
        t = sample / float(self.sample_rate)
        note_index = (t // _NOTE_S).astype(np.int64)
        out = np.zeros(count, dtype=np.float64)
        for note in np.unique(note_index):
            where = note_index == note
            freqs, gain, noisy = _note(self.seed, int(note))
            local = t[where] - note * _NOTE_S
            # A short attack and release: clicks at note edges would smear the spectrum.
            envelope = np.minimum(1.0, np.minimum(local, _NOTE_S - local) / 0.02)
            tone = sum(np.sin(2 * np.pi * f * t[where]) for f in freqs) / len(freqs)
            out[where] = gain * envelope * tone
            if noisy:
                out[where] += 0.15 * envelope * _hash_noise(sample[where], self.seed)
        return np.clip(out, -1.0, 1.0).astype(np.float32)


def programme_for(key: str) -> Programme:
    """The programme of a channel or work key (stable across processes: CRC-32, not hash())."""
    return Programme(seed=zlib.crc32(key.encode("utf-8")))


@lru_cache(maxsize=256)
def _scene(seed: int, scene_index: int) -> _Scene:
    rng = np.random.default_rng([seed, scene_index, 1])
    shapes = tuple(
        _Shape(
            circle=bool(rng.integers(2)),
            colour=rng.uniform(0, 255, 3).astype(np.float32),
            x0=float(rng.uniform(0, 1)),
            y0=float(rng.uniform(0, 1)),
            vx=float(rng.uniform(-0.15, 0.15)),
            vy=float(rng.uniform(-0.1, 0.1)),
            size=float(rng.uniform(0.06, 0.2)),
        )
        for _ in range(int(rng.integers(2, 6)))
    )
    return _Scene(
        top=rng.uniform(0, 255, 3).astype(np.float32),
        bottom=rng.uniform(0, 255, 3).astype(np.float32),
        angle=float(rng.uniform(0, 2 * np.pi)),
        texture=rng.uniform(-70, 70, (_GRID_H, _GRID_W, 3)).astype(np.float32),
        pan_x=float(rng.uniform(-1.2, 1.2)),
        pan_y=float(rng.uniform(-0.6, 0.6)),
        shapes=shapes,
        glyph_colour=rng.uniform(0, 255, 3).astype(np.float32),
        glyph_x=float(rng.uniform(0.05, 0.6)),
        glyph_y=float(rng.uniform(0.05, 0.7)),
    )


def _interpolation(size: int, grid: int, offset: float) -> npt.NDArray[np.float32]:
    """The ``(size, grid)`` matrix of a linear, wrapped lookup: texture pans are matrix products."""
    position = np.arange(size, dtype=np.float64) / size * (grid - 1) + offset
    low = np.floor(position).astype(np.int64)
    frac = position - low
    matrix = np.zeros((size, grid), dtype=np.float32)
    rows = np.arange(size)
    np.add.at(matrix, (rows, low % grid), 1 - frac)
    np.add.at(matrix, (rows, (low + 1) % grid), frac)
    return matrix


@lru_cache(maxsize=8)
def _gradient_axes(height: int, width: int) -> tuple[npt.NDArray[np.float64], ...]:
    ys = (np.arange(height, dtype=np.float32) / height - 0.5)[:, None]
    xs = (np.arange(width, dtype=np.float32) / width - 0.5)[None, :]
    return ys, xs


def _background(scene: _Scene, height: int, width: int, local: float) -> npt.NDArray[np.float32]:
    ys, xs = _gradient_axes(height, width)
    along = np.clip(np.cos(scene.angle) * xs + np.sin(scene.angle) * ys + 0.5, 0, 1)[..., None]
    image = scene.top + (scene.bottom - scene.top) * along
    rows = _interpolation(height, _GRID_H, scene.pan_y * local)
    cols = _interpolation(width, _GRID_W, scene.pan_x * local)
    texture = np.einsum("yg,ghc,xh->yxc", rows, scene.texture, cols, optimize=True)
    result: npt.NDArray[np.float32] = image + texture
    return result


def _draw_shapes(image: npt.NDArray[np.float32], shapes: tuple[_Shape, ...], local: float) -> None:
    height, width = image.shape[:2]
    for shape in shapes:
        # Bounce inside the frame: a triangle wave keeps the position in [0, 1].
        cx = _bounce(shape.x0 + shape.vx * local) * width
        cy = _bounce(shape.y0 + shape.vy * local) * height
        radius = shape.size * height
        y_lo, y_hi = max(0, int(cy - radius)), min(height, int(cy + radius) + 1)
        x_lo, x_hi = max(0, int(cx - radius)), min(width, int(cx + radius) + 1)
        if y_lo >= y_hi or x_lo >= x_hi:
            continue
        if shape.circle:
            yy, xx = np.ogrid[y_lo:y_hi, x_lo:x_hi]
            mask = (yy - cy) ** 2 + (xx - cx) ** 2 <= radius**2
            image[y_lo:y_hi, x_lo:x_hi][mask] = shape.colour
        else:
            image[y_lo:y_hi, x_lo:x_hi] = shape.colour


def _bounce(position: float) -> float:
    wrapped = position % 2.0
    return wrapped if wrapped <= 1.0 else 2.0 - wrapped


def _draw_glyphs(image: npt.NDArray[np.float32], scene: _Scene, seed: int, second: int) -> None:
    height, width = image.shape[:2]
    block = max(2, height // 36)
    text = f"{seed % 1000:03d}{second % 100:02d}"
    y = int(scene.glyph_y * height)
    x = int(scene.glyph_x * width)
    for position, char in enumerate(text):
        glyph = np.kron(_GLYPHS[int(char)], np.ones((block, block), dtype=bool))
        gx = x + position * 4 * block
        gh, gw = glyph.shape
        if y + gh > height or gx + gw > width:
            break
        image[y : y + gh, gx : gx + gw][glyph] = scene.glyph_colour


@lru_cache(maxsize=4096)
def _note(seed: int, note: int) -> tuple[tuple[float, ...], float, bool]:
    rng = np.random.default_rng([seed, note, 2])
    # Semitones on a wide range: distinct spectral peaks are what landmark hashes need.
    roots = 220.0 * 2.0 ** (rng.integers(-12, 30, size=int(rng.integers(1, 4))) / 12.0)
    return tuple(float(f) for f in roots), float(rng.uniform(0.3, 0.8)), bool(rng.random() < 0.2)


def _hash_noise(sample: npt.NDArray[np.int64], seed: int) -> npt.NDArray[np.float64]:
    """White noise as a hash of the sample index: any window renders without the ones before."""
    x = sample.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(seed & 0xFFFFFFFF)
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    noise: npt.NDArray[np.float64] = (x >> np.uint64(11)).astype(np.float64) / float(1 << 53)
    return noise * 2.0 - 1.0
