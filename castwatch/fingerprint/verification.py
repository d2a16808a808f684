"""Verification workflows: add references, check streams against them, keep the results.

These are the functions the CLI and the demo call. Each check captures a short probe (kept as
evidence under ``$CASTWATCH_HOME/evidence/``, named by its SHA-256, with thumbnails),
fingerprints it, and asks the reference library which channel or work it carries. A check
that fails (dead stream, corrupt media) is stored too, with its error: a dead link is a
finding, not a crash.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from castwatch.catalog.credentials import redact_url, split_credentials
from castwatch.catalog.evidence import EvidenceKind, LedgerEntry
from castwatch.catalog.progress import Progress, no_progress
from castwatch.catalog.verification import (
    ReferenceInfo,
    VerificationResult,
    reference_key,
    split_reference_key,
)
from castwatch.enforce.custody import file_evidence, stored_item
from castwatch.errors import CastwatchError, MediaError, NoReferences
from castwatch.fingerprint import (
    Fingerprint,
    ReferenceLibrary,
    fingerprint_media,
)
from castwatch.fingerprint.capture import Capture, capture
from castwatch.fingerprint.store import (
    StreamTarget,
    iter_reference_prints,
    load_reference_prints,
    save_reference,
    save_verification,
    service_urls,
    stream_targets,
)
from castwatch.net.policy import FetchOptions
from castwatch.sources.clients.stalker import resolve_stalker_link
from castwatch.storage.db import Store

#: Seconds of stream a verification probe reads by default.
PROBE_SECONDS = 10.0
#: Seconds of a reference capture from a URL when none is given (a file is read whole).
REFERENCE_SECONDS = 60.0


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def load_library(store: Store) -> ReferenceLibrary:
    """Every stored reference in one in-memory library, ready to query."""
    library = ReferenceLibrary()
    for info, prints in iter_reference_prints(store):
        library.add(info.key, prints, window_s=info.window_s if info.live else None)
    return library


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_capture(
    store: Store, taken: Capture, description: str, case_ref: str | None = None
) -> list[LedgerEntry]:
    """File a capture and each of its thumbnails in the evidence ledger (one append).

    Every file under ``evidence/`` is a ledger item, so a capture is filed the moment it is
    kept, before any case cites it (``case_ref`` None); a thumbnail is filed under its own
    hash, since the dossier shows it as proof.
    """
    settings = store.settings
    items = [
        stored_item(
            settings, taken.path.name, EvidenceKind.CAPTURE.value, taken.media_type,
            description, taken.source_url, taken.started_at,
        )
    ] + [
        stored_item(
            settings, path.name, EvidenceKind.THUMBNAIL.value, "image/png",
            f"frame {index + 1} of {len(taken.thumbnails)}: {description}",
            taken.source_url, taken.finished_at,
        )
        for index, path in enumerate(taken.thumbnails)
    ]  # fmt: skip
    return file_evidence(store, items, case_ref)


def add_reference(
    store: Store,
    source: str,
    subject_kind: str,
    subject_id: str,
    *,
    evidence_dir: Path,
    live: bool = False,
    seconds: float | None = None,
    options: FetchOptions | None = None,
) -> ReferenceInfo:
    """Fingerprint ``source`` (a file, or a URL captured for ``seconds``) as a reference.

    ``options`` (read timeout, deadline, network policy) go to the capture of a URL.

    References are fingerprinted densely (every sampled frame, not only keyframes) so that a
    probe's keyframes, wherever they fall, find a reference frame close in time. A live
    reference keeps the last ``seconds`` as its rolling window.
    """
    if is_url(source):
        taken = capture(
            source,
            seconds=seconds or REFERENCE_SECONDS,
            evidence_dir=evidence_dir,
            thumbnails=1,
            options=options,
        )
        file_capture(store, taken, f"reference capture of {subject_kind} {subject_id}")
        media: Path = taken.path
        sha256 = taken.sha256
        label = redact_url(source)
    else:
        media = Path(source)
        if not media.is_file():
            raise MediaError("no such file", str(media))
        sha256 = _file_sha256(media)
        label = str(media.resolve())
    prints = fingerprint_media(media, keyframes_only=False, max_seconds=seconds if live else None)
    duration = max((fp.duration_s for fp in prints.values()), default=0.0)
    info = ReferenceInfo(
        subject_kind=subject_kind,
        subject_id=subject_id,
        live=live,
        source=label,
        duration_s=duration,
        updated_at=datetime.now(UTC),
        window_s=(seconds or duration) if live else None,
        sha256=sha256,
        fingerprinters=tuple(sorted(prints)),
    )
    save_reference(store, info, prints)
    return info


def merge_window(old: Fingerprint, new: Fingerprint, window_s: float) -> Fingerprint:
    """``old`` followed by ``new``, keeping the last ``window_s`` seconds (a rolling buffer).

    Live captures overlap (each starts a few segments back from the live edge): where they
    do, the newer capture's rows win. Times are the stream's own timestamps, continuous
    across captures of one live stream; after a timestamp reset everything older than the
    new capture is dropped, which loses history but never mixes two timelines.
    """
    if (old.fingerprinter, old.version) != (new.fingerprinter, new.version) or not len(new):
        return new
    start = float(new.times.min())
    keep = old.times < start
    times = np.concatenate([old.times[keep], new.times])
    hashes = np.concatenate([old.hashes[keep], new.hashes])
    recent = times >= float(times.max()) - window_s
    times, hashes = times[recent], hashes[recent]
    order = np.argsort(times, kind="stable")
    # The last sample covers a little time after its timestamp (a frame, a hop): keep that.
    tail = max(0.0, new.duration_s - float(new.times.max() - start))
    duration = min(window_s, float(times.max() - times.min()) + tail)
    return Fingerprint(
        new.fingerprinter, new.version, times[order], hashes[order], duration, new.metadata
    )


def follow_reference(
    store: Store,
    url: str,
    channel_id: str,
    *,
    evidence_dir: Path,
    window_s: float,
    chunk_s: float = 30.0,
    rounds: int | None = None,
    on_update: Callable[[ReferenceInfo], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    options: FetchOptions | None = None,
) -> ReferenceInfo:
    """Keep a live channel's reference current: capture ``chunk_s`` at a time, forever (or
    ``rounds`` times), each time storing the last ``window_s`` seconds as the reference."""
    info: ReferenceInfo | None = None
    done = 0
    while rounds is None or done < rounds:
        started = time.monotonic()
        taken = capture(
            url, seconds=chunk_s, evidence_dir=evidence_dir, thumbnails=1, options=options
        )
        file_capture(store, taken, f"live reference capture of channel {channel_id}")
        fresh = fingerprint_media(taken.path, keyframes_only=False)
        stored = load_reference_prints(store, "channel", channel_id)
        prints = {
            kind: merge_window(stored[kind], fp, window_s) if kind in stored else fp
            for kind, fp in fresh.items()
        }
        info = ReferenceInfo(
            subject_kind="channel",
            subject_id=channel_id,
            live=True,
            source=redact_url(url),
            duration_s=max(fp.duration_s for fp in prints.values()),
            updated_at=datetime.now(UTC),
            window_s=window_s,
            sha256=taken.sha256,
            fingerprinters=tuple(sorted(prints)),
        )
        save_reference(store, info, prints)
        if on_update is not None:
            on_update(info)
        done += 1
        if rounds is None or done < rounds:
            # The next capture starts near the live edge: wait for new content first.
            sleep(max(0.0, chunk_s - (time.monotonic() - started)))
    assert info is not None
    return info


def verify_source(
    library: ReferenceLibrary,
    source: str,
    *,
    evidence_dir: Path,
    seconds: float = PROBE_SECONDS,
    claimed: tuple[str, str] | None = None,
    candidates: int = 5,
    options: FetchOptions | None = None,
    store: Store | None = None,
) -> VerificationResult:
    """Capture ``source``, fingerprint the probe, and find the reference it carries.

    ``options`` (timeouts, deadline, network policy) go to the capture.

    ``confirmed`` is True when the best reference matches and is the ``claimed`` subject (or,
    with no claim, when any reference matches). Errors are returned in the result, not raised,
    except a ledger that refuses the capture: with ``store`` the probe and its thumbnails are
    filed in the evidence ledger, and a ledger whose tail fails stops the run.
    """
    label = redact_url(source) if is_url(source) else source
    result = VerificationResult(
        source=label,
        confirmed=False,
        verified_at=datetime.now(UTC),
        claimed_kind=claimed[0] if claimed else None,
        claimed_id=claimed[1] if claimed else None,
    )
    try:
        taken: Capture = capture(
            source, seconds=seconds, evidence_dir=evidence_dir, options=options
        )
    except CastwatchError as exc:
        result.error = str(exc)
        return result
    if store is not None:
        claim = f" (claimed {claimed[0]} {claimed[1]})" if claimed else ""
        file_capture(store, taken, f"verification probe of {label}{claim}")
    try:
        result.capture_sha256 = taken.sha256
        result.capture_path = str(taken.path)
        result.thumbnails = [str(path) for path in taken.thumbnails]
        prints = fingerprint_media(taken.path, keyframes_only=True, max_seconds=seconds)
        found = library.query(prints, k=candidates)
    except CastwatchError as exc:
        result.error = str(exc)
        return result
    result.candidates = [_candidate_json(candidate) for candidate in found]
    best = found[0] if found and found[0].match else None
    if best is not None:
        result.matched_kind, result.matched_id = split_reference_key(best.key)
        result.score = float(best.score)
        result.offset_s = float(best.offset_s)
        result.matched_fraction = float(best.matched_fraction)
        result.confirmed = claimed is None or best.key == reference_key(*claimed)
    return result


def _playable(
    target: StreamTarget, claim: tuple[str, str] | None, options: FetchOptions
) -> tuple[str, VerificationResult | None]:
    """The URL to capture for ``target``; or, when a Stalker portal will not give one, the
    failed result that says why (a link refused is a finding about that entry, not a crash).

    Stalker links are made now, one ``create_link`` per entry played, under ``options``'
    rate ceiling: they expire, and asking for all of a portal's entries would be a flood.
    """
    ticket = target.stalker
    if ticket is None:
        return target.url, None
    try:
        link = resolve_stalker_link(
            ticket.api_url, ticket.mac, ticket.link, ticket.cmd, series=ticket.series,
            options=options,
        )  # fmt: skip
    except CastwatchError as exc:
        return target.url, VerificationResult(
            source=split_credentials(redact_url(target.url))[0],
            confirmed=False,
            verified_at=datetime.now(UTC),
            claimed_kind=claim[0] if claim else None,
            claimed_id=claim[1] if claim else None,
            error=str(exc),
        )
    return link, None


def _candidate_json(candidate: Any) -> dict[str, Any]:
    return {
        "key": candidate.key,
        "match": bool(candidate.match),
        "score": round(float(candidate.score), 4),
        "offset_s": round(float(candidate.offset_s), 3),
        "matched_fraction": round(float(candidate.matched_fraction), 4),
    }


@dataclass(slots=True)
class ServiceVerification:
    """What ``verify SERVICE --sample N`` did."""

    service: str
    snapshot_id: int
    results: list[VerificationResult] = field(default_factory=list)

    @property
    def confirmed(self) -> int:
        return sum(result.confirmed for result in self.results)

    @property
    def failed(self) -> int:
        return sum(result.error is not None for result in self.results)

    def as_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "snapshot": self.snapshot_id,
            "checked": len(self.results),
            "confirmed": self.confirmed,
            "errors": self.failed,
            "results": [result.to_json() for result in self.results],
        }


def verify_service(
    store: Store,
    service: str,
    *,
    sample: int,
    evidence_dir: Path,
    seconds: float = PROBE_SECONDS,
    snapshot_id: int | None = None,
    seed: int = 0,
    kinds: tuple[str, ...] = ("live", "film", "episode"),
    progress: Progress = no_progress,
    library: ReferenceLibrary | None = None,
    options: FetchOptions | None = None,
) -> ServiceVerification:
    """Verify ``sample`` streams of a service's snapshot and store every result.

    Entries whose claimed subject has a reference come first (they can be confirmed); the
    rest of the sample is drawn at random (seeded) from the other playable entries.
    Entry URLs come from the service's data: the network policy lets them reach private
    addresses only on the service's own URLs (``options.trusted_urls`` is set to those).
    """
    service_id, snapshot, targets = stream_targets(store, service, snapshot_id, kinds)
    options = service_fetch_options(store, service_id, options)
    library = library if library is not None else load_library(store)
    known = set(library.keys())
    rng = random.Random(seed)
    provable = [t for t in targets if t.claimed_id and reference_key(
        t.claimed_kind or "", t.claimed_id) in known]  # fmt: skip
    others = [t for t in targets if t not in provable]
    rng.shuffle(provable)
    rng.shuffle(others)
    chosen = (provable + others)[: max(0, sample)]
    outcome = ServiceVerification(service, snapshot)
    for done, target in enumerate(chosen):
        progress("verify", done, len(chosen))
        result = verify_target(
            store, library, target, service_id=service_id, snapshot_id=snapshot,
            evidence_dir=evidence_dir, seconds=seconds, options=options,
        )  # fmt: skip
        save_verification(store, result)
        outcome.results.append(result)
    progress("verify", len(chosen), len(chosen))
    return outcome


def service_fetch_options(
    store: Store, service_id: int, options: FetchOptions | None = None
) -> FetchOptions:
    """``options`` (or the verification defaults) trusting only the service's own URLs."""
    return replace(
        options or FetchOptions(timeout=15.0, retries=2, backoff=0.25),
        trusted_urls=service_urls(store, service_id),
    )


def verify_target(
    store: Store,
    library: ReferenceLibrary,
    target: StreamTarget,
    *,
    service_id: int,
    snapshot_id: int,
    evidence_dir: Path,
    seconds: float = PROBE_SECONDS,
    options: FetchOptions,
) -> VerificationResult:
    """Check one entry of a service against ``library``; the result, not yet stored.

    The one per-entry step of :func:`verify_service` and of the job engine's
    ``check-stream`` job (which stores the result with its job, so a job run twice stores
    one). The probe is filed in the evidence ledger like any capture.
    """
    claim = (
        (target.claimed_kind, target.claimed_id)
        if target.claimed_kind and target.claimed_id
        else None
    )
    played, refused = _playable(target, claim, options)
    result = refused or verify_source(
        library,
        played,
        evidence_dir=evidence_dir,
        seconds=seconds,
        claimed=claim,
        options=options,
        store=store,
    )
    if target.stalker is not None:
        result.source = split_credentials(result.source)[0]
    result.service_id = service_id
    result.snapshot_id = snapshot_id
    result.entry_id = target.entry_id
    return result


def verify_stream(
    store: Store,
    source: str,
    *,
    evidence_dir: Path,
    seconds: float = PROBE_SECONDS,
    claimed: tuple[str, str] | None = None,
    options: FetchOptions | None = None,
    library: ReferenceLibrary | None = None,
) -> VerificationResult:
    """Verify one file or stream URL and store the result (``castwatch verify FILE|URL``).

    Matched against ``library``, by default every stored reference (:class:`NoReferences`
    when there is none); the probe and its thumbnails are filed in the evidence ledger.
    """
    if library is None:
        library = load_library(store)
    if not len(library):
        raise NoReferences(
            "no references stored: add one with `castwatch ref add FILE --channel ID`"
        )
    result = verify_source(
        library,
        source,
        evidence_dir=evidence_dir,
        seconds=seconds,
        claimed=claimed,
        options=options,
        store=store,
    )
    save_verification(store, result)
    return result
