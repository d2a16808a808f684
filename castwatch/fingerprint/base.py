"""Fingerprints, matches and the :class:`Fingerprinter` extension point with its registry.

A :class:`Fingerprint` is a time series of hashes from one medium (video frames or audio
landmarks). Fingerprinters are small classes registered by name, like ThreatExchange's
``SignalType``: a new method is a subclass decorated with :func:`register` (in an outside
package, a module named in the ``castwatch.plugins`` entry-point group), and inherits the
shared contract tests in ``tests/fingerprint/contract.py``.
"""

from __future__ import annotations

import json
import struct
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, ClassVar, TypeVar

import numpy as np
import numpy.typing as npt

from castwatch.errors import DuplicatePlugin, FingerprintFormatError
from castwatch.plugins import Registry

if TYPE_CHECKING:
    from castwatch.fingerprint.index import FingerprintIndex

#: What a fingerprinter reads: a path, or an open binary file (named so it is not
#: mistaken for a source adapter, :class:`castwatch.sources.base.Source`).
MediaInput = str | Path | BinaryIO
Metadata = dict[str, str | int | float]

_MAGIC = b"CWFP"
_FORMAT = 1
_HEADER = struct.Struct("<4sBI")
_DTYPES = ("uint64", "uint32")
_MAX_HEADER = 64 * 1024


@dataclass(frozen=True, eq=False)
class Fingerprint:
    """Hashes of one medium over time: ``hashes[i]`` was taken at ``times[i]`` seconds.

    ``hashes`` is 1-D (one hash per time, e.g. audio landmarks) or 2-D (several hashes per
    time, e.g. video regions and crop hypotheses). ``version`` changes whenever hashes of
    the same content would change, so fingerprints of different versions never meet.
    """

    fingerprinter: str
    version: int
    times: npt.NDArray[np.float32]
    hashes: npt.NDArray[Any]
    duration_s: float
    metadata: Metadata = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.times.shape[0])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Fingerprint):
            return NotImplemented
        return (
            self.fingerprinter == other.fingerprinter
            and self.version == other.version
            and self.duration_s == other.duration_s
            and self.metadata == other.metadata
            and np.array_equal(self.times, other.times)
            and self.hashes.dtype == other.hashes.dtype
            and np.array_equal(self.hashes, other.hashes)
        )

    __hash__ = None  # type: ignore[assignment]

    def to_bytes(self) -> bytes:
        """A compact, versioned encoding: magic, a JSON header, then the raw arrays."""
        header = json.dumps(
            {
                "fingerprinter": self.fingerprinter,
                "version": self.version,
                "duration_s": self.duration_s,
                "metadata": self.metadata,
                "dtype": str(self.hashes.dtype),
                "shape": list(self.hashes.shape),
            },
            separators=(",", ":"),
        ).encode("utf-8")
        return b"".join(
            (
                _HEADER.pack(_MAGIC, _FORMAT, len(header)),
                header,
                self.times.astype("<f4").tobytes(),
                self.hashes.astype(self.hashes.dtype.newbyteorder("<")).tobytes(),
            )
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Fingerprint:
        """Decode :meth:`to_bytes` output; anything else raises FingerprintFormatError."""
        try:
            return _decode(bytes(data))
        except FingerprintFormatError:
            raise
        except (ValueError, TypeError, KeyError, struct.error, UnicodeDecodeError) as exc:
            raise FingerprintFormatError(f"malformed fingerprint bytes: {exc}") from exc


def _decode(data: bytes) -> Fingerprint:
    if len(data) < _HEADER.size:
        raise FingerprintFormatError("fingerprint bytes are truncated (no header)")
    magic, fmt, header_len = _HEADER.unpack_from(data)
    if magic != _MAGIC:
        raise FingerprintFormatError("not a castwatch fingerprint (bad magic bytes)")
    if fmt != _FORMAT:
        raise FingerprintFormatError(f"fingerprint format {fmt} is not supported (want {_FORMAT})")
    if header_len > _MAX_HEADER or _HEADER.size + header_len > len(data):
        raise FingerprintFormatError("fingerprint header is truncated or oversized")
    header = json.loads(data[_HEADER.size : _HEADER.size + header_len].decode("utf-8"))
    if not isinstance(header, dict):
        raise FingerprintFormatError("fingerprint header is not an object")
    dtype, shape = header["dtype"], header["shape"]
    if dtype not in _DTYPES:
        raise FingerprintFormatError(f"unsupported hash type {dtype!r}")
    if (
        not isinstance(shape, list)
        or not 1 <= len(shape) <= 2
        or not all(isinstance(n, int) and 0 <= n < 2**31 for n in shape)
    ):
        raise FingerprintFormatError("fingerprint hash shape is invalid")
    metadata = header["metadata"]
    if not isinstance(metadata, dict) or not all(
        isinstance(v, str | int | float) for v in metadata.values()
    ):
        raise FingerprintFormatError("fingerprint metadata must map names to scalars")
    count = shape[0]
    body = data[_HEADER.size + header_len :]
    item = np.dtype(dtype).newbyteorder("<")
    expected = 4 * count + item.itemsize * int(np.prod(shape))
    if len(body) != expected:
        raise FingerprintFormatError(f"fingerprint body is {len(body)} bytes, want {expected}")
    times = np.frombuffer(body, dtype="<f4", count=count).astype(np.float32)
    hashes = np.frombuffer(body, dtype=item, offset=4 * count).reshape(shape).astype(dtype)
    name, version, duration = header["fingerprinter"], header["version"], header["duration_s"]
    if not isinstance(name, str) or not isinstance(version, int):
        raise FingerprintFormatError("fingerprint name or version has the wrong type")
    if not isinstance(duration, int | float):
        raise FingerprintFormatError("fingerprint duration is not a number")
    return Fingerprint(name, version, times, hashes, float(duration), metadata)


@dataclass(frozen=True)
class Match:
    """How well a query matches a reference.

    ``offset_s``: query time + offset = reference time. ``matched_fraction``: share of the
    query's frames (or landmarks) that agree at that offset. ``false_match_rate``: the
    calibrated chance that unrelated content scores this well (docs/fingerprint.md);
    ``score`` is its negative log10, so 6 means one chance in a million.
    """

    match: bool
    score: float
    offset_s: float
    matched_fraction: float
    false_match_rate: float


NO_MATCH = Match(match=False, score=0.0, offset_s=0.0, matched_fraction=0.0, false_match_rate=1.0)

#: A candidate is a match when unrelated content would score as well less than once in
#: a million searches (docs/fingerprint.md, "score"); every index and the facade use it.
MATCH_FMR = 1e-6


class Fingerprinter(ABC):
    """Turns media into a :class:`Fingerprint` and compares two of them.

    Subclass, set ``name``, ``kind``, ``version`` and ``index_class``, implement
    :meth:`fingerprint` and :meth:`compare`, and decorate with :func:`register`;
    ``tests/fingerprint/contract.py`` then tests it. The facade
    (:mod:`castwatch.fingerprint.api`) uses every registered fingerprinter, one per kind.
    """

    name: ClassVar[str]
    #: The medium it reads ("video", "audio"); the facade keys prints by it, so two
    #: registered fingerprinters never share one.
    kind: ClassVar[str]
    version: ClassVar[int]
    #: The index its references go in; saved indexes are read back through the registry.
    index_class: ClassVar[type[FingerprintIndex]]

    @abstractmethod
    def fingerprint(
        self, source: MediaInput, *, max_seconds: float | None = None, keyframes_only: bool = True
    ) -> Fingerprint:
        """Fingerprint ``source`` (a path, URL or binary file), reading at most ``max_seconds``."""

    @abstractmethod
    def compare(self, query: Fingerprint, reference: Fingerprint) -> Match:
        """How well ``query`` matches ``reference``, and at which offset."""

    def new_index(self) -> FingerprintIndex:
        """An empty index for this fingerprinter's references."""
        return self.index_class(self.name, self.version)


#: Every fingerprinter class by name; the built-ins register with :func:`register`.
FINGERPRINTERS: Registry[type[Fingerprinter]] = Registry(
    "fingerprinter",
    key=lambda cls: cls.name,
    builtins=("castwatch.fingerprint.video", "castwatch.fingerprint.audio"),
)
F = TypeVar("F", bound=type[Fingerprinter])


def register(cls: F) -> F:
    """Class decorator: make ``cls`` available under ``cls.name``.

    Refused (DuplicatePlugin) when another fingerprinter holds the name or the kind.
    """
    for other in FINGERPRINTERS.registered().values():
        if other.kind == cls.kind and other is not cls and other.name != cls.name:
            raise DuplicatePlugin(
                "fingerprinter kind", cls.kind, _qualified(other), _qualified(cls)
            )
    FINGERPRINTERS.register(cls)
    return cls


def get_fingerprinter(name: str) -> Fingerprinter:
    """A new instance of the fingerprinter registered as ``name``."""
    return FINGERPRINTERS.get(name)()


def fingerprinters() -> dict[str, type[Fingerprinter]]:
    """Every registered fingerprinter class by name (built-ins, then outside plugins)."""
    return FINGERPRINTERS.items()


def _qualified(cls: type[Fingerprinter]) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"
