"""A collector that notes every host name the targets mention, asking no one."""

from __future__ import annotations

from castwatch.attribute.collectors.base import (
    CollectContext,
    Collector,
    CollectTargets,
    observation,
    register_collector,
)
from castwatch.catalog.attribution import NodeKind, Observation


@register_collector
class HostRoll(Collector):
    """One ``fake-roll.named`` observation per host name of the service (not per address)."""

    name = "fake-roll"

    async def collect(self, targets: CollectTargets, context: CollectContext) -> list[Observation]:
        named = [host for host in targets.hosts() if not host.replace(".", "").isdigit()]
        return [
            observation(NodeKind.DOMAIN, host, "fake-roll.named", None, host, self.name)
            for host in named
        ]
