"""Who sends notices, through which SMTP server, and which timestamp authority to ask.

Read from ``$CASTWATCH_HOME/enforce.toml`` (all optional), then overridden by environment
variables, so a CI job or a container can configure castwatch without a file::

    [sender]                       # CASTWATCH_SENDER_NAME, _EMAIL, _ORGANIZATION, _ADDRESS,
    name = "Jane Doe"              #   _PHONE, _ON_BEHALF_OF, _COUNTRY
    email = "antipiracy@example.org"
    organization = "Example Rights Ltd"
    address = "1 Rue Exemple, 75001 Paris, France"
    phone = "+33 1 23 45 67 89"
    on_behalf_of = "Groupe CANAL+"  # the rights holder whose works notices may assert
    country = "FR"

    [smtp]                         # CASTWATCH_SMTP_HOST, _PORT, _FROM, _STARTTLS, _USER
    host = "smtp.example.org"      # the password only from CASTWATCH_SMTP_PASSWORD
    port = 587
    from = "antipiracy@example.org"
    starttls = true
    timeout = 30
    retries = 3                    # attempts per `notice send` before leaving it queued
    backoff = 2.0                  # seconds before the 2nd attempt, doubled after each

    [tsa]                          # CASTWATCH_TSA_URL; off unless set
    url = "https://freetsa.org/tsr"

    [watch]                        # CASTWATCH_LEGAL_OFFER_URL, CASTWATCH_WATCH_TIMEOUT
    legal_offer_url = "https://www.legal-offer.example/"  # where seized domains must redirect
    timeout = 10                   # seconds per check (DNS, connect, redirects, first bytes)
    max_bytes = 65536              # body bytes read per check, then the connection is closed
    concurrency = 8                # checks in flight at once
    interval = 60                  # minutes between passes of `castwatch watch serve`
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from castwatch.catalog.notices import Party
from castwatch.config import read_toml, setting_text, toml_section
from castwatch.errors import ConfigError
from castwatch.net.policy import private_networks_allowed

CONFIG_FILE = "enforce.toml"
_SENDER_FIELDS = ("name", "email", "organization", "address", "phone", "on_behalf_of", "country")


@dataclass(slots=True, frozen=True)
class SmtpSettings:
    host: str | None = None
    port: int = 587
    sender: str | None = None
    starttls: bool = True
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 2.0


@dataclass(slots=True, frozen=True)
class WatchSettings:
    """How re-checks run; ``legal_offer_url`` is where a seized domain must lead."""

    legal_offer_url: str | None = None
    timeout: float = 10.0
    max_bytes: int = 65536
    concurrency: int = 8
    interval_minutes: float = 60.0
    #: Let re-checks reach loopback/private addresses on any host (the net policy); else
    #: only the legal offer's origin may be private. Default from the environment
    #: (``CASTWATCH_ALLOW_PRIVATE_NETWORKS``).
    allow_private_networks: bool = field(default_factory=private_networks_allowed)


@dataclass(slots=True, frozen=True)
class EnforceSettings:
    sender: Party
    smtp: SmtpSettings
    tsa_url: str | None = None
    watch: WatchSettings = field(default_factory=WatchSettings)


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def load_enforce_settings(home: Path) -> EnforceSettings:
    """The settings from ``home/enforce.toml`` and the environment (environment wins)."""
    path = home / CONFIG_FILE
    document = read_toml(path)
    sender = toml_section(document, "sender", path)
    smtp = toml_section(document, "smtp", path)
    tsa = toml_section(document, "tsa", path)
    party = Party(
        **{
            key: setting_text(sender, key, f"CASTWATCH_SENDER_{key.upper()}")
            for key in _SENDER_FIELDS
        }
    )
    try:
        smtp_settings = SmtpSettings(
            host=setting_text(smtp, "host", "CASTWATCH_SMTP_HOST"),
            port=int(setting_text(smtp, "port", "CASTWATCH_SMTP_PORT") or 587),
            sender=setting_text(smtp, "from", "CASTWATCH_SMTP_FROM") or party.email,
            starttls=_flag(os.environ.get("CASTWATCH_SMTP_STARTTLS", smtp.get("starttls", True))),
            username=setting_text(smtp, "username", "CASTWATCH_SMTP_USER"),
            password=os.environ.get("CASTWATCH_SMTP_PASSWORD") or None,
            timeout=float(smtp.get("timeout", 30.0)),
            retries=int(setting_text(smtp, "retries", "CASTWATCH_SMTP_RETRIES") or 3),
            backoff=float(setting_text(smtp, "backoff", "CASTWATCH_SMTP_BACKOFF") or 2.0),
        )
    except ValueError as exc:
        raise ConfigError(f"bad SMTP setting in {path} or the environment: {exc}") from None
    if smtp_settings.retries < 1 or smtp_settings.backoff < 0:
        raise ConfigError("[smtp] retries must be at least 1 and backoff not negative")
    watch = _watch_settings(toml_section(document, "watch", path), path)
    tsa_url = setting_text(tsa, "url", "CASTWATCH_TSA_URL")
    return EnforceSettings(party, smtp_settings, tsa_url, watch)


def _watch_settings(section: dict[str, Any], path: Path) -> WatchSettings:
    try:
        watch = WatchSettings(
            legal_offer_url=setting_text(section, "legal_offer_url", "CASTWATCH_LEGAL_OFFER_URL"),
            timeout=float(setting_text(section, "timeout", "CASTWATCH_WATCH_TIMEOUT") or 10.0),
            max_bytes=int(section.get("max_bytes", 65536)),
            concurrency=int(section.get("concurrency", 8)),
            interval_minutes=float(section.get("interval", 60.0)),
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"bad [watch] setting in {path} or the environment: {exc}") from None
    if watch.timeout <= 0 or watch.max_bytes < 1 or watch.concurrency < 1:
        raise ConfigError("[watch] timeout, max_bytes and concurrency must be positive")
    if watch.legal_offer_url and not watch.legal_offer_url.startswith(("http://", "https://")):
        raise ConfigError(
            f"[watch] legal_offer_url must be an http(s) URL, not {watch.legal_offer_url!r}"
        )
    return watch
