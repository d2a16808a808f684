"""A monitoring pass: every chosen live entry of a service checked as a ``check-stream`` job.

:func:`queue_pass` queues the pass's jobs for one schedule slot (the scheduler's and
``monitor run-once``'s shared step); :func:`run_once` runs a pass to the end on the embedded
engine and tallies what the checks found (:class:`PassResult`, the JSON of
``castwatch monitor run-once``).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from castwatch.alerts.delivery import deliver_due
from castwatch.catalog.progress import Progress, no_progress
from castwatch.catalog.store_queries import find_service
from castwatch.catalog.verification import reference_key
from castwatch.config import Settings
from castwatch.errors import ConfigError
from castwatch.fingerprint.store import StreamTarget, list_references, stream_targets
from castwatch.jobs.builtin import CHECK_STREAM, check_stream_payload
from castwatch.jobs.engine import EngineOptions, run_jobs
from castwatch.jobs.queue import JobInfo, NewJob, enqueue, list_jobs
from castwatch.storage.db import Store

#: ``--streams`` words; anything else is a comma-separated list of entry ids or names.
STREAM_CHOICES = ("all", "identified", "claimed")
#: Per-check time limit: the probe itself plus room for the fetch, decode and index lookup.
CHECK_OVERHEAD_S = 60.0
VERDICTS = ("confirmed", "contradicted", "unverified", "unmatched", "dark")


def choose_streams(store: Store, targets: list[StreamTarget], streams: str) -> list[StreamTarget]:
    """The targets ``--streams`` names.

    ``all``: every live entry; ``identified``: those identification matched to a channel;
    ``claimed``: those whose claimed channel has a reference (they can be confirmed);
    otherwise a comma-separated list of entry ids or exact entry names.
    """
    if streams == "all":
        return list(targets)
    if streams == "identified":
        return [t for t in targets if t.claimed_id]
    if streams == "claimed":
        known = {info.key for info in list_references(store)}
        return [
            t
            for t in targets
            if t.claimed_kind and t.claimed_id
            and reference_key(t.claimed_kind, t.claimed_id) in known
        ]  # fmt: skip
    wanted = [item.strip() for item in streams.split(",") if item.strip()]
    if not wanted:
        raise ConfigError(
            f"--streams {streams!r} names nothing: use {', '.join(STREAM_CHOICES)} or a "
            "comma-separated list of entry ids or names"
        )
    by_key = {str(t.entry_id): t for t in targets} | {t.name: t for t in targets}
    missing = [item for item in wanted if item not in by_key]
    if missing:
        raise ConfigError(
            f"--streams names {len(missing)} entries the service's live channels do not "
            f"hold: {', '.join(missing[:5])}; `castwatch show SERVICE` lists them"
        )
    return list({by_key[item].entry_id: by_key[item] for item in wanted}.values())


def queue_pass(
    store: Store, service: str, slot: str, *, streams: str = "all", probe_seconds: float = 10.0
) -> list[int]:
    """Queue one ``check-stream`` job per chosen live entry of ``service``'s latest snapshot
    for ``slot``; the job ids (jobs of a slot already queued are not queued again)."""
    with store.session() as session:
        name = find_service(session, service).name
    _service_id, snapshot, targets = stream_targets(store, name, None, ("live",))
    chosen = choose_streams(store, targets, streams)
    return enqueue(
        store,
        [
            NewJob(
                CHECK_STREAM,
                f"{name}#{target.entry_id}",
                slot,
                check_stream_payload(name, target.entry_id, snapshot, probe_seconds),
                timeout_s=probe_seconds + CHECK_OVERHEAD_S,
            )
            for target in chosen
        ],
    )


@dataclass(slots=True)
class PassResult:
    """What one monitoring pass found."""

    service: str
    slot: str
    probed: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(VERDICTS, 0))
    errors: int = 0
    seconds: float = 0.0
    streams: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "slot": self.slot,
            "probed": self.probed,
            **self.counts,
            "errors": self.errors,
            "seconds": round(self.seconds, 3),
            "streams": self.streams,
        }


ENGINES = ("embedded", "celery")


def run_pass_jobs(
    settings: Settings,
    job_ids: list[int],
    *,
    engine: str = "embedded",
    options: EngineOptions | None = None,
    progress: Progress = no_progress,
) -> None:
    """Run ``job_ids`` to the end on ``engine``: the embedded workers or Celery's."""
    chosen = options or EngineOptions()
    if engine == "embedded":
        run_jobs(settings, job_ids, chosen, progress)
        return
    if engine != "celery":
        raise ConfigError(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
    try:
        # Imported only here: Celery and its broker client are for the distributed engine.
        from castwatch.jobs.celery_engine import run_jobs as run_on_celery
    except ImportError as exc:
        raise ConfigError(
            f"the Celery engine is not available ({exc}): install castwatch with Celery, "
            "or use --engine embedded"
        ) from None
    run_on_celery(settings, job_ids, chosen, progress)


def tally(service: str, slot: str, jobs: list[JobInfo]) -> PassResult:
    """What the ``check-stream`` jobs of one pass found.

    ``errors`` counts checks that could not be completed (the job ended ``dead`` or is not
    finished, or the probe was captured but could not be checked); ``dark`` counts streams
    that gave nothing to capture.
    """
    outcome = PassResult(service=service, slot=slot)
    for job in jobs:
        found = (job.result or {}).get("verdict") if job.state == "done" else None
        if found in outcome.counts:
            outcome.probed += 1
            outcome.counts[found] += 1
        else:
            outcome.probed += job.state == "done"
            outcome.errors += 1
        outcome.streams.append(
            {"job": job.id, "target": job.target, "state": job.state, "error": job.error}
            | {key: (job.result or {}).get(key) for key in ("verdict", "claimed", "matched")}
        )
    return outcome


def run_once(
    settings: Settings,
    service: str,
    *,
    streams: str = "all",
    probe_seconds: float = 10.0,
    engine: str = "embedded",
    options: EngineOptions | None = None,
    progress: Progress = no_progress,
) -> PassResult:
    """Queue a pass for a slot of its own and run it to the end on ``engine`` (see
    :func:`tally` for what the counts mean)."""
    if engine not in ENGINES:
        raise ConfigError(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
    if probe_seconds <= 0:
        raise ConfigError("--probe-seconds must be positive")
    started = time.monotonic()
    slot = f"once-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    with Store.open(settings) as store:
        ids = queue_pass(store, service, slot, streams=streams, probe_seconds=probe_seconds)
        run_pass_jobs(settings, ids, engine=engine, options=options, progress=progress)
        jobs = list_jobs(store, job_ids=ids)
        # The pass's alerts leave now; one that cannot is kept in the outbox for later.
        deliver_due(store)
    outcome = tally(service, slot, jobs)
    outcome.seconds = time.monotonic() - started
    return outcome
