"""Where attribution asks (DNS resolver, IP tables, RDAP) and how strictly it merges.

Read from ``$CASTWATCH_HOME/attribute.toml`` (all optional), then overridden by environment
variables, the way ``castwatch/enforce/settings.py`` reads ``enforce.toml``; command-line
options override both::

    [attribute]                    # CASTWATCH_RESOLVER, CASTWATCH_IP2ASN, CASTWATCH_MMDB,
    resolver = "127.0.0.1:5353"    #   CASTWATCH_RDAP_URL
    ip2asn = "/data/ip2asn-combined.tsv.gz"
    mmdb = "/data/GeoLite2-ASN.mmdb"
    rdap_url = "https://rdap.example/"
    timeout = 5                    # seconds per DNS query, TLS handshake or page
    max_bytes = 2097152            # cap on one page body
    concurrency = 8                # network operations in flight
    threshold = 0.6                # evidence score at which two services are one operator
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from castwatch.attribute.collectors import CollectSettings
from castwatch.attribute.weights import WeightTable
from castwatch.errors import ConfigError

CONFIG_FILE = "attribute.toml"


@dataclass(slots=True, frozen=True)
class AttributeSettings:
    """How to collect (part A's :class:`CollectSettings`) and how to weigh (a WeightTable)."""

    collect: CollectSettings = field(default_factory=CollectSettings)
    weights: WeightTable = field(default_factory=WeightTable)

    def with_overrides(
        self, resolver: str | None = None, ip2asn: Path | None = None
    ) -> AttributeSettings:
        """These settings with the command line's ``--resolver`` / ``--ip2asn`` applied."""
        collect = self.collect
        if resolver:
            collect = replace(collect, resolver=check_resolver(resolver))
        if ip2asn:
            collect = replace(collect, ip2asn=ip2asn)
        return replace(self, collect=collect)


def check_resolver(value: str) -> str:
    """``host`` or ``host:port`` with a port in 1..65535, else a ConfigError saying so."""
    text = value.strip()
    host, colon, port = text.rpartition(":")
    if not colon:
        host, port = text, ""
    valid_port = not colon or (port.isascii() and port.isdigit() and 0 < int(port) < 65536)
    if not host or any(c.isspace() for c in text) or not valid_port:
        raise ConfigError(f"resolver {value!r} is not HOST or HOST:PORT (e.g. 127.0.0.1:5353)")
    return text


def _text(section: dict[str, Any], key: str, env: str) -> str | None:
    value = os.environ.get(env) or section.get(key)
    if value is None:
        return None
    return str(value).strip() or None


def load_attribute_settings(home: Path) -> AttributeSettings:
    """The settings from ``home/attribute.toml`` and the environment (environment wins)."""
    path = home / CONFIG_FILE
    document: dict[str, Any] = {}
    if path.exists():
        try:
            document = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    section = document.get("attribute", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [attribute] must be a table")
    resolver = _text(section, "resolver", "CASTWATCH_RESOLVER")
    ip2asn = _text(section, "ip2asn", "CASTWATCH_IP2ASN")
    mmdb = _text(section, "mmdb", "CASTWATCH_MMDB")
    defaults = CollectSettings()
    try:
        collect = CollectSettings(
            resolver=check_resolver(resolver) if resolver else None,
            timeout=float(section.get("timeout", defaults.timeout)),
            max_bytes=int(section.get("max_bytes", defaults.max_bytes)),
            concurrency=int(section.get("concurrency", defaults.concurrency)),
            ip2asn=Path(ip2asn).expanduser() if ip2asn else None,
            mmdb=Path(mmdb).expanduser() if mmdb else None,
            rdap_url=_text(section, "rdap_url", "CASTWATCH_RDAP_URL"),
        )
        threshold = float(section.get("threshold", WeightTable().threshold))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"bad [attribute] setting in {path}: {exc}") from None
    if collect.timeout <= 0 or collect.max_bytes < 1 or collect.concurrency < 1:
        raise ConfigError("[attribute] timeout, max_bytes and concurrency must be positive")
    if not 0 < threshold <= 1:
        raise ConfigError(f"[attribute] threshold must be in (0, 1], not {threshold}")
    return AttributeSettings(collect, WeightTable(threshold=threshold))
