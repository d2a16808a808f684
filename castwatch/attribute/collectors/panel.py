"""The service and panel collectors: which hosts a brand uses, and which panel serves it.

Resellers and relaunched brands keep the panel they sell: Xtream's ``server_info`` names the
panel's own host, port, ports for HTTPS and RTMP and time zone, whatever domain the brand
fronts it with. Those fields (not the clock fields, which change every second) make the
panel's fingerprint.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from castwatch.attribute.collectors.base import (
    CollectContext,
    Collector,
    CollectTargets,
    observation,
    register_collector,
    url_host,
)
from castwatch.attribute.collectors.clients.dns import is_ip
from castwatch.attribute.collectors.http import fetcher_for
from castwatch.catalog.attribution import NodeKind, Observation
from castwatch.catalog.credentials import redact_url
from castwatch.errors import CollectorError

#: ``server_info`` fields that describe the installation (the rest is clock and load).
PANEL_FIELDS = ("url", "port", "https_port", "server_protocol", "rtmp_port", "timezone")


def panel_key(server_info: Mapping[str, Any]) -> str | None:
    """The panel's node value, ``xtream:url:port:https_port:rtmp_port:timezone``; None if
    ``server_info`` names no host."""
    host = str(server_info.get("url") or "").strip().lower().rstrip(".")
    if not host:
        return None
    parts = [host] + [
        str(server_info.get(name) or "") for name in ("port", "https_port", "rtmp_port")
    ]
    parts.append(str(server_info.get("timezone") or ""))
    return "xtream:" + ":".join(parts)


@register_collector
class ServiceCollector(Collector):
    """Links the service to every host its targets name (role: page, panel or stream)."""

    name = "service"

    async def collect(self, targets: CollectTargets, context: CollectContext) -> list[Observation]:
        if not targets.service:
            return []
        rows: list[Observation] = []
        seen: set[tuple[str, str]] = set()
        for role, urls in (
            ("page", targets.pages),
            ("panel", targets.panels),
            ("stream", targets.stream_urls),
        ):
            for url in urls:
                host = url_host(url)
                if not host or (role, host) in seen:
                    continue
                seen.add((role, host))
                kind = NodeKind.IP if is_ip(host) else NodeKind.DOMAIN
                relation = "service.ip" if kind is NodeKind.IP else "service.domain"
                rows.append(
                    observation(
                        NodeKind.SERVICE,
                        targets.service,
                        relation,
                        kind,
                        host,
                        "targets",
                        role=role,
                        url=redact_url(url),
                    )
                )
        return rows


@register_collector
class PanelCollector(Collector):
    """Panel fingerprints from stored ``server_info`` and from ``player_api.php`` URLs."""

    name = "panel"

    async def collect(self, targets: CollectTargets, context: CollectContext) -> list[Observation]:
        rows = [
            row
            for info in targets.server_info
            for row in server_info_rows(targets.service, None, info, "snapshot")
        ]
        async with fetcher_for(context, targets) as fetcher:

            async def one(url: str) -> list[Observation]:
                page = await context.bounded(fetcher.fetch(url, allow_truncated=False))
                try:
                    answer = _json(page.body)
                except ValueError:
                    raise CollectorError(
                        "the panel did not answer JSON", "panel", redact_url(url)
                    ) from None
                info = answer.get("server_info") if isinstance(answer, dict) else None
                if not isinstance(info, dict):
                    raise CollectorError("no server_info in the answer", "panel", redact_url(url))
                return server_info_rows(
                    targets.service, url_host(url), info, f"panel@{redact_url(url)}"
                )

            rows += await context.each(
                self.name, targets.panels, one, lambda url: (NodeKind.DOMAIN, url_host(url))
            )
        return rows


def server_info_rows(
    service: str | None, host: str | None, info: Mapping[str, Any], source: str
) -> list[Observation]:
    """The panel node of ``info``, linked to its host and to the service or panel URL host."""
    key = panel_key(info)
    if key is None:
        return []
    detail = {name: info.get(name) for name in PANEL_FIELDS if info.get(name) not in (None, "")}
    rows: list[Observation] = []
    if service:
        rows.append(
            observation(
                NodeKind.SERVICE,
                service,
                "panel.server_info",
                NodeKind.PANEL,
                key,
                source,
                **detail,
            )
        )
    if host:
        rows.append(
            observation(
                NodeKind.DOMAIN if not is_ip(host) else NodeKind.IP,
                host,
                "panel.host",
                NodeKind.PANEL,
                key,
                source,
                **detail,
            )
        )
    panel_host = str(info["url"]).strip().lower().rstrip(".")
    rows.append(
        observation(
            NodeKind.PANEL,
            key,
            "panel.url",
            NodeKind.IP if is_ip(panel_host) else NodeKind.DOMAIN,
            panel_host,
            source,
        )
    )
    return rows


def _json(body: bytes) -> Any:
    import orjson

    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise ValueError(str(exc)) from None
