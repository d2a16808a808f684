"""``ref capture-all``: a clean live reference for every channel of a list, as parallel jobs.

A reference list is JSON: ``[{"channel_id": "CanalPlus.fr", "url": "https://.../index.m3u8"},
...]``, read from a file or a URL (``castwatch sim --json`` announces one as
``references_url``). Each item becomes a ``ref-capture`` job running
:func:`castwatch.fingerprint.verification.add_reference` (a live reference of the last N
minutes, upserted by channel: capturing one twice keeps one reference).
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from castwatch.catalog.progress import Progress, no_progress
from castwatch.config import Settings
from castwatch.errors import ConfigError
from castwatch.jobs.engine import EngineOptions, run_jobs
from castwatch.jobs.kinds import JobContext, JobKind, register_job_kind
from castwatch.jobs.queue import NewJob, enqueue, list_jobs
from castwatch.net.policy import FetchOptions
from castwatch.storage.db import Store

REF_CAPTURE = "ref-capture"
#: Bytes a reference list may take: a 6,000-channel list is well under 1 MiB.
MAX_LIST_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ReferenceItem:
    """One channel of a reference list and where its clean feed plays."""

    channel_id: str
    url: str


def parse_reference_list(data: bytes, source: str) -> list[ReferenceItem]:
    """The items of a reference list; ConfigError naming ``source`` and the bad item.

    Each channel once: a repeated channel id is refused (which feed would be its
    reference?), as is an item without an ``http(s)`` URL.
    """
    try:
        parsed = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ConfigError(f"{source} is not a JSON reference list: {exc}") from None
    if not isinstance(parsed, list):
        raise ConfigError(
            f'{source} is not a reference list: expected a JSON list of {{"channel_id", "url"}}'
        )
    items: list[ReferenceItem] = []
    seen: set[str] = set()
    for position, item in enumerate(parsed, start=1):
        channel = item.get("channel_id") if isinstance(item, dict) else None
        url = item.get("url") if isinstance(item, dict) else None
        if not isinstance(channel, str) or not channel.strip():
            raise ConfigError(f"{source}: item {position} has no channel_id (a non-empty string)")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ConfigError(f"{source}: item {position} ({channel}) has no http(s) url")
        if channel in seen:
            raise ConfigError(f"{source}: channel {channel} is listed twice (item {position})")
        seen.add(channel)
        items.append(ReferenceItem(channel, url))
    return items


def read_reference_list(source: str, options: FetchOptions) -> list[ReferenceItem]:
    """The reference list in the file or at the URL ``source``."""
    if source.startswith(("http://", "https://")):
        from dataclasses import replace

        from castwatch.net.client import HttpClient

        async def fetch() -> bytes:
            async with HttpClient(replace(options, max_bytes=MAX_LIST_BYTES)) as client:
                return (await client.get(source)).body

        return parse_reference_list(asyncio.run(fetch()), source)
    path = Path(source)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read the reference list {path}: {exc.strerror}") from None
    return parse_reference_list(data, str(path))


def _options_payload(options: FetchOptions) -> dict[str, Any]:
    return {
        "timeout": options.timeout,
        "deadline": options.deadline,
        "allow_private_networks": options.allow_private_networks,
        "trusted_urls": list(options.trusted_urls) if options.trusted_urls is not None else None,
    }


@register_job_kind
class RefCapture(JobKind):
    """Capture a channel's clean live feed as its reference (the last ``seconds``)."""

    name = REF_CAPTURE

    def run(self, context: JobContext, payload: dict[str, Any]) -> Any:
        from castwatch.fingerprint.verification import add_reference

        fetch = payload["fetch"]
        trusted = fetch.get("trusted_urls")
        info = add_reference(
            context.store,
            str(payload["url"]),
            "channel",
            str(payload["channel_id"]),
            evidence_dir=context.store.settings.evidence_dir,
            live=True,
            seconds=float(payload["seconds"]),
            options=FetchOptions(
                timeout=float(fetch["timeout"]),
                deadline=float(fetch["deadline"]),
                retries=2,
                backoff=0.25,
                allow_private_networks=bool(fetch["allow_private_networks"]),
                trusted_urls=tuple(trusted) if trusted is not None else None,
            ),
        )
        return {"channel_id": info.subject_id, "duration_s": round(info.duration_s, 3)}


@dataclass(slots=True)
class CaptureAll:
    """What ``ref capture-all`` did."""

    source: str
    captured: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "captured": len(self.captured),
            "failed": len(self.failed),
            "channels": self.captured,
            "errors": self.failed,
        }


def capture_all(
    settings: Settings,
    source: str,
    items: list[ReferenceItem],
    *,
    seconds: float,
    options: FetchOptions,
    engine: EngineOptions | None = None,
    progress: Progress = no_progress,
) -> CaptureAll:
    """Capture every item's reference as a job, in parallel on the embedded engine."""
    if seconds <= 0:
        raise ConfigError("the reference window must be positive")
    slot = f"once-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    fetch = _options_payload(options)
    with Store.open(settings) as store:
        ids = enqueue(
            store,
            [
                NewJob(
                    REF_CAPTURE,
                    item.channel_id,
                    slot,
                    {
                        "channel_id": item.channel_id,
                        "url": item.url,
                        "seconds": seconds,
                        "fetch": fetch,
                    },
                    max_attempts=2,
                    timeout_s=seconds + options.deadline,
                )
                for item in items
            ],
        )
        run_jobs(settings, ids, engine or EngineOptions(), progress=progress)
        jobs = list_jobs(store, job_ids=ids)
    outcome = CaptureAll(source)
    for job in jobs:
        if job.state == "done":
            outcome.captured.append(job.target)
        else:
            outcome.failed[job.target] = job.error or job.state
    return outcome
