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

from dataclasses import dataclass, field, replace
from pathlib import Path

from castwatch.attribute.collectors import CollectSettings
from castwatch.attribute.collectors.clients.dns import parse_server
from castwatch.attribute.weights import WeightTable
from castwatch.config import read_toml, setting_text, toml_section
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
    """An IP address, ``IP:PORT`` or ``[IPv6]:PORT`` the DNS collector accepts (the same
    parser), with a port in 1..65535; else a ConfigError saying so."""
    text = value.strip()
    try:
        _, port = parse_server(text)
    except (ConfigError, ValueError):
        port = 0
    if not 0 < port < 65536:
        raise ConfigError(
            f"resolver {value!r} is not an IP address or HOST:PORT with an IP address "
            "(e.g. 127.0.0.1:5353)"
        )
    return text


def load_attribute_settings(home: Path) -> AttributeSettings:
    """The settings from ``home/attribute.toml`` and the environment (environment wins)."""
    path = home / CONFIG_FILE
    section = toml_section(read_toml(path), "attribute", path)
    resolver = setting_text(section, "resolver", "CASTWATCH_RESOLVER")
    ip2asn = setting_text(section, "ip2asn", "CASTWATCH_IP2ASN")
    mmdb = setting_text(section, "mmdb", "CASTWATCH_MMDB")
    defaults = CollectSettings()
    try:
        collect = CollectSettings(
            resolver=check_resolver(resolver) if resolver else None,
            timeout=float(section.get("timeout", defaults.timeout)),
            max_bytes=int(section.get("max_bytes", defaults.max_bytes)),
            concurrency=int(section.get("concurrency", defaults.concurrency)),
            ip2asn=Path(ip2asn).expanduser() if ip2asn else None,
            mmdb=Path(mmdb).expanduser() if mmdb else None,
            rdap_url=setting_text(section, "rdap_url", "CASTWATCH_RDAP_URL"),
        )
        threshold = float(section.get("threshold", WeightTable().threshold))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"bad [attribute] setting in {path}: {exc}") from None
    if collect.timeout <= 0 or collect.max_bytes < 1 or collect.concurrency < 1:
        raise ConfigError("[attribute] timeout, max_bytes and concurrency must be positive")
    if not 0 < threshold <= 1:
        raise ConfigError(f"[attribute] threshold must be in (0, 1], not {threshold}")
    return AttributeSettings(collect, WeightTable(threshold=threshold))
