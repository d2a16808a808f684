"""The battery every fingerprinter inherits (ThreatExchange's SignalTypeAutoTest).

Subclass :class:`FingerprinterContract`, set ``fingerprinter`` and ``restreams`` (the
transformations it must survive), and every test below runs against it.
"""

from __future__ import annotations

import io
from typing import ClassVar

import pytest

from castwatch.fingerprint import (
    Fingerprint,
    Fingerprinter,
    FingerprintFormatError,
    MediaError,
    fingerprinters,
    get_fingerprinter,
)
from castwatch.sim.restream import CLEAN, Restream
from tests.fingerprint.conftest import REFERENCE_S, SEEDS, clip


class FingerprinterContract:
    fingerprinter: ClassVar[Fingerprinter]
    #: Restreams the fingerprinter must see through (each one is a test).
    restreams: ClassVar[dict[str, Restream]] = {"clean": CLEAN}

    def reference(self, seed: int) -> Fingerprint:
        return _reference(type(self.fingerprinter).name, seed)

    def query(self, seed: int, restream: Restream = CLEAN, start_s: float = 7.3) -> Fingerprint:
        return _query(type(self.fingerprinter).name, seed, restream, start_s)

    def test_is_registered_under_its_name(self) -> None:
        name = type(self.fingerprinter).name
        assert fingerprinters()[name] is type(self.fingerprinter)
        assert type(get_fingerprinter(name)) is type(self.fingerprinter)

    def test_fingerprint_is_a_time_series(self) -> None:
        reference = self.reference(SEEDS[0])
        assert len(reference) > 10
        assert reference.fingerprinter == type(self.fingerprinter).name
        assert reference.times.shape[0] == reference.hashes.shape[0]
        assert float(reference.times.min()) >= -0.2
        assert float(reference.times.max()) <= REFERENCE_S
        assert (reference.times[1:] >= reference.times[:-1]).all()

    def test_is_deterministic(self) -> None:
        again = self.fingerprinter.fingerprint(io.BytesIO(clip(SEEDS[0], CLEAN, 7.3, 10.0)))
        assert again == self.query(SEEDS[0])

    def test_serialization_round_trips(self) -> None:
        for fingerprint in (self.reference(SEEDS[1]), self.query(SEEDS[1])):
            assert Fingerprint.from_bytes(fingerprint.to_bytes()) == fingerprint

    def test_query_matches_its_reference_at_the_right_offset(self) -> None:
        match = self.fingerprinter.compare(self.query(SEEDS[0]), self.reference(SEEDS[0]))
        assert match.match
        assert match.offset_s == pytest.approx(0.0, abs=0.35)
        assert match.matched_fraction > 0
        assert match.false_match_rate < 1e-6

    def test_offset_is_recovered_when_timelines_differ(self) -> None:
        # The same content with timestamps starting 100 s later: offset is -100 s.
        shifted = _shifted(self.query(SEEDS[1]), 100.0)
        match = self.fingerprinter.compare(shifted, self.reference(SEEDS[1]))
        assert match.match
        assert match.offset_s == pytest.approx(-100.0, abs=0.35)

    def test_different_programmes_do_not_match(self) -> None:
        for query_seed in SEEDS:
            for reference_seed in SEEDS:
                if query_seed == reference_seed:
                    continue
                match = self.fingerprinter.compare(
                    self.query(query_seed), self.reference(reference_seed)
                )
                assert not match.match, (query_seed, reference_seed, match)

    def test_survives_restream(self, restream_label: str) -> None:
        # Programmes rotate over the suite so every transform meets different content.
        position = list(self.restreams).index(restream_label)
        seed = SEEDS[position % len(SEEDS)]
        restream = self.restreams[restream_label]
        match = self.fingerprinter.compare(self.query(seed, restream), self.reference(seed))
        assert match.match, match
        assert match.offset_s == pytest.approx(0.0, abs=0.35)

    @pytest.mark.parametrize(
        "data", [b"", b"\x00" * 4096, b"not a video at all" * 100, b"\x47" + b"\xff" * 4000]
    )
    def test_garbage_media_is_a_clear_error(self, data: bytes) -> None:
        with pytest.raises(MediaError):
            self.fingerprinter.fingerprint(io.BytesIO(data))

    def test_truncated_media_is_an_error_or_a_shorter_fingerprint(self) -> None:
        whole = clip(SEEDS[2], CLEAN, 0.0, 10.0)
        for cut in (188 * 3, len(whole) // 3):
            try:
                fingerprint = self.fingerprinter.fingerprint(
                    io.BytesIO(whole[:cut]), keyframes_only=False
                )
            except MediaError:
                continue
            assert float(fingerprint.times.max()) < 10.0

    def test_max_seconds_bounds_the_read(self) -> None:
        fingerprint = self.fingerprinter.fingerprint(
            io.BytesIO(clip(SEEDS[0], CLEAN, 0.0, REFERENCE_S)),
            max_seconds=4.0,
            keyframes_only=False,
        )
        assert float(fingerprint.times.max()) <= 4.5

    def test_index_finds_the_right_reference(self) -> None:
        index = self.fingerprinter.new_index()
        for seed in SEEDS:
            index.add(f"programme:{seed}", self.reference(seed))
        results = index.query(self.query(SEEDS[2]), k=3)
        assert results[0][0] == f"programme:{SEEDS[2]}"
        assert results[0][1].match
        assert not any(match.match for _, match in results[1:])

    def test_index_rejects_other_fingerprinters(self) -> None:
        index = self.fingerprinter.new_index()
        alien = Fingerprint(
            "other", 1, self.reference(SEEDS[0]).times, self.reference(SEEDS[0]).hashes, 1.0
        )
        with pytest.raises(FingerprintFormatError, match="re-fingerprint"):
            index.add("x", alien)


def _shifted(fingerprint: Fingerprint, seconds: float) -> Fingerprint:
    return Fingerprint(
        fingerprint.fingerprinter,
        fingerprint.version,
        fingerprint.times + seconds,
        fingerprint.hashes,
        fingerprint.duration_s,
        fingerprint.metadata,
    )


_CACHE: dict[tuple[object, ...], Fingerprint] = {}


def _reference(name: str, seed: int) -> Fingerprint:
    key = ("reference", name, seed)
    if key not in _CACHE:
        data = io.BytesIO(clip(seed, CLEAN, 0.0, REFERENCE_S))
        _CACHE[key] = get_fingerprinter(name).fingerprint(data, keyframes_only=False)
    return _CACHE[key]


def _query(name: str, seed: int, restream: Restream, start_s: float) -> Fingerprint:
    key = ("query", name, seed, restream, start_s)
    if key not in _CACHE:
        data = io.BytesIO(clip(seed, restream, start_s, 10.0))
        _CACHE[key] = get_fingerprinter(name).fingerprint(data)
    return _CACHE[key]
