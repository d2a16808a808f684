"""Fingerprint verification: robustness, false matches, speed against per-frame PDQ, scale.

    .venv/bin/python bench/fingerprint.py                 # everything (several minutes)
    .venv/bin/python bench/fingerprint.py --channels 600  # a smaller live-scale part

(a) The transformation suite (tests/fingerprint/transforms.py) at scale: ``--programmes``
    synthetic programmes, each encoded through every transform as a 10 s MPEG-TS clip and
    fingerprinted as a query (keyframes only); references are made straight from the
    programmes' pictures and sound (5 pictures/s, 24 s). Match rate per transform for
    video, audio and both combined; false matches: every query is searched against all
    ``--references`` references at once, and any hit on another programme counts.
(b) Speed on the same clean clips: castwatch's video query fingerprint against the naive
    per-frame PDQ (decode every frame, ``pdqhash.compute`` on each: what vPDQ does), in
    CPU seconds (one decoding thread each); the naive method's recall is measured the
    vPDQ way (share of query frames within 31 bits of some reference frame >= 0.8).
(c) Live scale: ``--channels`` x ``--minutes`` of reference hashes (random, uniform) with
    a few real programmes planted, at ``--rate`` pictures per second; latency of 10 s
    probes and the index's memory.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

import av
import numpy as np

# One core per contender: BLAS must not borrow a second one behind our back.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pdqhash  # noqa: E402

from castwatch.fingerprint import AudioFingerprinter, Fingerprint, VideoFingerprinter  # noqa: E402
from castwatch.fingerprint.api import combine  # noqa: E402
from castwatch.fingerprint.audio import landmarks  # noqa: E402
from castwatch.fingerprint.index_audio import AudioIndex  # noqa: E402
from castwatch.fingerprint.index_video import REGIONS, VideoIndex  # noqa: E402
from castwatch.fingerprint.video import CROPS, REFERENCE_RATE, picture_hashes  # noqa: E402
from castwatch.sim.programme import Programme  # noqa: E402
from castwatch.sim.restream import CLEAN, Restream, encode_clip  # noqa: E402
from tests.fingerprint.transforms import VIDEO_TRANSFORMS  # noqa: E402

QUERY_START, QUERY_S, REFERENCE_S = 7.3, 10.0, 24.0
LUMA = np.array([0.299, 0.587, 0.114])


def gray(rgb: np.ndarray) -> np.ndarray:
    return (rgb @ LUMA).astype(np.uint8)


def video_reference(seed: int) -> Fingerprint:
    programme = Programme(seed=seed)
    times, rows = [], []
    step = programme.fps / REFERENCE_RATE
    for n in range(int(REFERENCE_S * REFERENCE_RATE)):
        hashes = picture_hashes(gray(programme.frame(int(n * step))), CROPS[:1])
        if hashes is not None:
            times.append(n / REFERENCE_RATE)
            rows.append(hashes)
    return Fingerprint("video-dct", 1, np.asarray(times, np.float32), np.stack(rows), REFERENCE_S)


def audio_reference(seed: int) -> Fingerprint:
    pcm = Programme(seed=seed, sample_rate=8000).audio(0, int(REFERENCE_S * 8000))
    times, hashes = landmarks(pcm)
    return Fingerprint("audio-landmark", 1, times.astype(np.float32), hashes, REFERENCE_S)


def encode(
    seed: int, restream: Restream, start: float = QUERY_START, seconds: float = QUERY_S
) -> bytes:
    buffer = io.BytesIO()
    encode_clip(Programme(seed=seed), restream, start_s=start, seconds=seconds, output=buffer)
    return buffer.getvalue()


def suite(programmes: int, references: int) -> None:
    seeds = list(range(1000, 1000 + references))
    print(
        f"(a) references: {references} programmes x {REFERENCE_S:.0f} s; queries: "
        f"{programmes} programmes x {len(VIDEO_TRANSFORMS)} transforms x {QUERY_S:.0f} s"
    )
    video_index, audio_index = VideoIndex("video-dct", 1), AudioIndex("audio-landmark", 1)
    for seed in seeds:
        video_index.add(str(seed), video_reference(seed))
        audio_index.add(str(seed), audio_reference(seed))
    video, audio = VideoFingerprinter(), AudioFingerprinter()
    cross = false_video = false_audio = false_both = 0
    print(f"{'transform':22s} {'video':>7s} {'audio':>7s} {'both':>7s}  offset err (s)")
    for label, restream in VIDEO_TRANSFORMS.items():
        hits = {"video": 0, "audio": 0, "both": 0}
        errors = []
        for seed in seeds[:programmes]:
            data = encode(seed, restream)
            by_key: dict[str, dict] = {}
            for kind, printer, index in (
                ("video", video, video_index),
                ("audio", audio, audio_index),
            ):
                query = printer.fingerprint(io.BytesIO(data))
                for key, match in index.query(query, k=references):
                    by_key.setdefault(key, {})[kind] = match
            for key, kinds in by_key.items():
                verdict = combine({k: kinds.get(k) or _none() for k in ("video", "audio")})
                if key == str(seed):
                    hits["video"] += kinds.get("video", _none()).match
                    hits["audio"] += kinds.get("audio", _none()).match
                    hits["both"] += verdict.match
                    errors.append(abs(verdict.offset_s))
                else:
                    false_video += kinds.get("video", _none()).match
                    false_audio += kinds.get("audio", _none()).match
                    false_both += verdict.match
            cross += references - 1
        rates = [hits[k] / programmes for k in ("video", "audio", "both")]
        print(f"{label:22s} {rates[0]:7.2f} {rates[1]:7.2f} {rates[2]:7.2f}  {max(errors):.2f}")
    print(
        f"false matches over {cross} cross pairs: video {false_video}, audio {false_audio}, "
        f"combined {false_both}"
    )


def _none():  # type: ignore[no-untyped-def]
    from castwatch.fingerprint.base import NO_MATCH

    return NO_MATCH


def naive_pdq(data: bytes) -> list[tuple[float, np.ndarray]]:
    out = []
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        stream.codec_context.thread_count = 1
        for frame in container.decode(stream):
            vector, _quality = pdqhash.compute(frame.to_ndarray(format="rgb24"))
            out.append((float(frame.time), np.packbits(vector.astype(bool))))
    return out


def speed_at(seeds: list[int], width: int, height: int) -> None:
    clips = []
    for seed in seeds:
        buffer = io.BytesIO()
        programme = Programme(seed=seed, width=width, height=height)
        encode_clip(programme, CLEAN, start_s=0.0, seconds=20.0, output=buffer)
        clips.append(buffer.getvalue())
    media_s = 20.0 * len(clips)
    video = VideoFingerprinter()
    start = time.process_time()
    for data in clips:
        video.fingerprint(io.BytesIO(data))
    ours = time.process_time() - start
    start = time.process_time()
    for data in clips:
        naive_pdq(data)
    theirs = time.process_time() - start
    print(
        f"\n(b) speed on {len(clips)} clips x 20 s ({width}x{height}, 10 fps, 2 s GOP), CPU seconds"
    )
    print(
        f"castwatch video query fingerprint: {ours:.2f} s  "
        f"({media_s / ours:.0f}x real time per core)"
    )
    print(
        f"per-frame PDQ (vPDQ-style):        {theirs:.2f} s  "
        f"({media_s / theirs:.0f}x real time per core)"
    )
    print(f"speed ratio: {theirs / ours:.1f}x")


def speed(programmes: int) -> None:
    seeds = list(range(1000, 1000 + programmes))
    speed_at(seeds, 320, 180)
    speed_at(seeds[:2], 1280, 720)
    # Naive PDQ recall on the transformation suite, the vPDQ way.
    print(f"{'transform':22s} {'vPDQ-style match rate':>22s}")
    refs = {}
    for seed in seeds:
        programme = Programme(seed=seed)
        refs[seed] = np.stack(
            [
                np.packbits(pdqhash.compute(programme.frame(i))[0].astype(bool))
                for i in range(int(REFERENCE_S * 10))
            ]
        )
    for label, restream in VIDEO_TRANSFORMS.items():
        matched = 0
        for seed in seeds:
            frames = naive_pdq(encode(seed, restream))
            query = np.stack([h for _, h in frames])
            distance = np.unpackbits(query[:, None, :] ^ refs[seed][None, :, :], axis=2).sum(axis=2)
            matched += (distance.min(axis=1) <= 31).mean() >= 0.8
        print(f"{label:22s} {matched / len(seeds):22.2f}")


def scale(channels: int, minutes: float, rate: float) -> None:
    rng = np.random.default_rng(7)
    per_channel = int(minutes * 60 * rate)
    index = VideoIndex("video-dct", 1)
    planted = list(range(2000, 2003))
    started = time.perf_counter()
    block = 500
    for first in range(0, channels - len(planted), block):
        count = min(block, channels - len(planted) - first)
        hashes = rng.integers(0, 2**63, size=(count * per_channel, REGIONS), dtype=np.uint64)
        hashes |= rng.integers(0, 2, size=hashes.shape, dtype=np.uint64) << np.uint64(63)
        times = np.tile(np.arange(per_channel, dtype=np.float32) / rate, count)
        for n in range(count):
            rows = slice(n * per_channel, (n + 1) * per_channel)
            index.add(
                f"live:{first + n}",
                Fingerprint("video-dct", 1, times[rows], hashes[rows], minutes * 60),
            )
    for seed in planted:
        index.add(f"planted:{seed}", video_reference(seed))
    index.query(
        Fingerprint("video-dct", 1, np.zeros(1, np.float32), np.zeros((1, 4), np.uint64), 1.0)
    )
    built = time.perf_counter() - started
    video = VideoFingerprinter()
    latencies, found = [], 0
    for seed in planted:
        for restream in (VIDEO_TRANSFORMS["mixed-a"], VIDEO_TRANSFORMS["mixed-b"], CLEAN):
            query = video.fingerprint(io.BytesIO(encode(seed, restream)))
            started = time.perf_counter()
            results = index.query(query, k=5)
            latencies.append(time.perf_counter() - started)
            found += bool(results) and results[0][0] == f"planted:{seed}" and results[0][1].match
    memory = index.memory_bytes()
    seconds = (channels - len(planted)) * minutes * 60 + len(planted) * REFERENCE_S
    print(
        f"\n(c) live scale: {channels} channels x {minutes:g} min at {rate:g} pictures/s "
        f"({len(index):,} reference pictures), built in {built:.0f} s"
    )
    print(
        f"10 s probe latency: median {statistics.median(latencies) * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms; planted found {found}/{len(latencies)}"
    )
    print(
        f"index memory: {memory / 2**20:.0f} MiB = "
        f"{memory / seconds:.0f} bytes per reference second"
    )
    probe = video.fingerprint(io.BytesIO(encode(planted[0], VIDEO_TRANSFORMS["mixed-a"])))
    faiss_peer(len(index) * REGIONS, probe, statistics.median(latencies), memory)


def faiss_peer(full: int, probe: Fingerprint, ours_s: float, ours_bytes: int) -> None:
    """faiss-cpu's binary indexes on a sample of the same kind of hashes, extrapolated.

    Both faiss indexes scale with the number of hashes held (a flat scan linearly; the
    multi-hash index's memory linearly), so a timed sample extrapolates to the full size.
    The query is the real probe's hashes (every keyframe, region and crop hypothesis).
    """
    import faiss  # the peer: bench extra only

    sample = min(full, 2_000_000)
    rng = np.random.default_rng(11)
    codes = rng.integers(0, 2**63, size=sample, dtype=np.uint64).view(np.uint8).reshape(-1, 8)
    queries = np.ascontiguousarray(probe.hashes.astype(np.uint64).reshape(-1)).view(np.uint8)
    queries = queries.reshape(-1, 8)
    scale_up = full / sample
    flat = faiss.IndexBinaryFlat(64)
    flat.add(codes)
    started = time.perf_counter()
    flat.range_search(queries, 15)
    flat_s = (time.perf_counter() - started) * scale_up
    multi = faiss.IndexBinaryMultiHash(64, 4, 16)
    multi.add(codes)
    multi.nflip = 1
    started = time.perf_counter()
    multi.range_search(queries, 15)
    multi_s = time.perf_counter() - started
    multi_bytes = faiss.serialize_index_binary(multi).size * scale_up
    print(
        f"faiss peer ({len(queries):,} query hashes; timed on {sample:,} hashes, scaled to "
        f"{full:,}): IndexBinaryFlat ~{flat_s * 1000:,.0f} ms a probe "
        f"({flat_s / ours_s:,.0f}x ours); IndexBinaryMultiHash {multi_s * 1000:,.0f} ms on "
        f"the sample alone, ~{multi_bytes / 2**20:,.0f} MiB at full size "
        f"({multi_bytes / ours_bytes:.1f}x ours)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programmes", type=int, default=8)
    parser.add_argument("--references", type=int, default=72)
    parser.add_argument("--speed-programmes", type=int, default=4)
    parser.add_argument("--channels", type=int, default=6000)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=REFERENCE_RATE)
    parser.add_argument("--skip", nargs="*", default=[], choices=["suite", "speed", "scale"])
    args = parser.parse_args()
    if "suite" not in args.skip:
        suite(args.programmes, args.references)
    if "speed" not in args.skip:
        speed(args.speed_programmes)
    if "scale" not in args.skip:
        scale(args.channels, args.minutes, args.rate)


if __name__ == "__main__":
    main()
