"""Verify a sample of a service's live channels against each channel's clean feed.

Where a rights holder (or the simulator) can play the genuine channel, the strongest check
is side by side: capture the service's restream, record the clean feed as the channel's live
reference, and match the probe against *every* reference held. A confirmation then means
that identification (by name) and fingerprint (by content) agree; a contradiction means the
stream carries another channel than its name says.

Live content follows the wall clock, so each probe is taken right before its channel's
reference is recorded: the reference's rolling window (the last few segments) then still
covers the probe even on a slow machine.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from castwatch.catalog.credentials import redact_url
from castwatch.errors import CastwatchError
from castwatch.fingerprint.capture import capture
from castwatch.fingerprint.store import StreamTarget, save_verification, stream_targets
from castwatch.fingerprint.verification import (
    ServiceVerification,
    add_reference,
    file_capture,
    load_library,
    verify_source,
)
from castwatch.storage.db import Store

#: Seconds of clean live feed kept as each channel's reference, and of each probe.
REFERENCE_SECONDS = 12.0
PROBE_SECONDS = 8.0


@dataclass(frozen=True, slots=True)
class CleanFeed:
    """Where the genuine channel plays, and the channel id its reference is filed under."""

    url: str
    channel_id: str


@dataclass(slots=True)
class ChannelSample:
    """One live entry for each of a few identified channels of a service's snapshot."""

    service: str
    service_id: int
    snapshot_id: int
    targets: list[StreamTarget] = field(default_factory=list)


def sample_channels(
    store: Store,
    service: str,
    channels: int,
    *,
    seed: int = 0,
    has_feed: Callable[[StreamTarget], bool] = lambda target: True,
) -> ChannelSample:
    """Up to ``channels`` identified channels of the latest snapshot, drawn at random
    (seeded), each with the first of its live entries that ``has_feed`` accepts."""
    service_id, snapshot_id, targets = stream_targets(store, service, kinds=("live",))
    by_channel: dict[str, StreamTarget] = {}
    for target in targets:
        if target.claimed_id and target.claimed_id not in by_channel and has_feed(target):
            by_channel[target.claimed_id] = target
    chosen = sorted(by_channel)
    random.Random(seed).shuffle(chosen)
    return ChannelSample(
        service, service_id, snapshot_id, [by_channel[claimed] for claimed in chosen[:channels]]
    )


def verify_against_feeds(
    store: Store,
    sample: ChannelSample,
    feed_of: Callable[[StreamTarget], CleanFeed],
    *,
    probe_seconds: float = PROBE_SECONDS,
    reference_seconds: float = REFERENCE_SECONDS,
    purpose: str = "feed check",
) -> ServiceVerification:
    """Probe each sampled stream, record its channel's clean feed as the live reference, then
    match the probe against every reference held; every result is stored.

    ``purpose`` opens the description of each probe in the evidence ledger.
    """
    evidence = store.settings.evidence_dir
    outcome = ServiceVerification(sample.service, sample.snapshot_id)
    for target in sample.targets:
        assert target.claimed_id is not None  # sample_channels keeps identified entries only
        feed = feed_of(target)
        try:
            taken = capture(target.url, seconds=probe_seconds, evidence_dir=evidence)
            # Every file under evidence/ is a ledger item, this probe too.
            file_capture(store, taken, f"{purpose} probe of {redact_url(target.url)}")
            probe = str(taken.path)
        except CastwatchError:
            probe = target.url  # checked again below, which records the error
        add_reference(
            store, feed.url, "channel", feed.channel_id,
            evidence_dir=evidence, live=True, seconds=reference_seconds,
        )  # fmt: skip
        result = verify_source(
            load_library(store), probe, evidence_dir=evidence, seconds=probe_seconds,
            claimed=("channel", target.claimed_id), store=store,
        )  # fmt: skip
        result.service_id, result.snapshot_id, result.entry_id = (
            sample.service_id, sample.snapshot_id, target.entry_id,
        )  # fmt: skip
        result.source = f"{target.name} ({redact_url(target.url)})"
        save_verification(store, result)
        outcome.results.append(result)
    return outcome
