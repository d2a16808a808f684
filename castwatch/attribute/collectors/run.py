"""Run every collector over one service's targets: :func:`collect` and :func:`acollect`."""

from __future__ import annotations

import asyncio

from castwatch.attribute.collectors.base import (
    CollectContext,
    Collector,
    CollectSettings,
    CollectTargets,
    chosen_collectors,
)
from castwatch.catalog.attribution import NodeKind, Observation
from castwatch.net.client import run_sync


def collect(targets: CollectTargets, settings: CollectSettings | None = None) -> list[Observation]:
    """Run the collectors over ``targets`` and return every observation, errors included.

    Call it from synchronous code (it runs its own event loop; from async code await
    :func:`acollect` instead)::

        from castwatch.attribute.collectors import CollectSettings, CollectTargets, collect

        rows = collect(
            CollectTargets(
                service="kingstream",                       # subject of service.* rows
                pages=["https://kingstream.tv.test:8443/"],  # fetched and fingerprinted
                panels=["http://line.kingstream.tv.test:8080/player_api.php?username=u&password=p"],
                stream_urls=["http://cdn1.opstream.test:8080/live/u/p/1.ts"],  # resolved only
                server_info=[snapshot.server_info["server_info"]],  # stored Xtream server_info
            ),
            CollectSettings(resolver="127.0.0.1:5353", ip2asn=Path("ip2asn.tsv")),
        )

    Phase-0 collectors (service, dns, tls, http, panel) run concurrently; phase-1 collectors
    (asn, rdap) then run over what they found. At most ``settings.concurrency`` network
    operations are in flight. A failure never costs other results: a failing target becomes
    an observation with relation ``<collector>.error`` (value: the message), and so does a
    collector that fails as a whole. Only bad settings raise
    :class:`~castwatch.errors.ConfigError`: an unknown ``settings.collectors`` name, or a
    ``settings.resolver`` that is not an IP address with an optional port. The
    order of the rows is not significant.
    """
    return run_sync(acollect(targets, settings or CollectSettings()))


async def acollect(targets: CollectTargets, settings: CollectSettings) -> list[Observation]:
    """:func:`collect` for callers already inside an event loop."""
    collectors = chosen_collectors(settings.collectors)
    rows: list[Observation] = []
    for phase in sorted({collector.phase for collector in collectors}):
        context = CollectContext(settings, prior=rows)
        batch = [collector for collector in collectors if collector.phase == phase]
        results = await asyncio.gather(*(_guarded(c, targets, context) for c in batch))
        rows = rows + [row for found in results for row in found]
    return rows


async def _guarded(
    collector: Collector, targets: CollectTargets, context: CollectContext
) -> list[Observation]:
    # Per-target errors are caught inside each collector; this catches a collector that
    # breaks as a whole (a bug, an unexpected library exception) so the run still returns.
    try:
        return await collector.collect(targets, context)
    except Exception as exc:
        subject = targets.service or ",".join(targets.hosts()[:3]) or "targets"
        kind = NodeKind.SERVICE if targets.service else NodeKind.DOMAIN
        message = f"{type(exc).__name__}: {exc}"
        return [context.error(collector.name, kind, subject, message)]
