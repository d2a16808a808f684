"""Where alerts go and when a change is worth one: ``$CASTWATCH_HOME/alerts.toml``.

Every setting is optional; the environment wins over the file::

    [alerts]
    catalog_change_percent = 10     # CASTWATCH_ALERT_CATALOG_PERCENT: a re-read that moves
                                    #   the entry count by more than this is an alert
    takedown_deadline_minutes = 30  # CASTWATCH_ALERT_DEADLINE_MINUTES: a noticed target
                                    #   still up this long after its notice is overdue
    holders = ["Groupe CANAL+"]     # tracked rights holders; empty or absent: every holder

    [email]                         # the SMTP server is enforce.toml's [smtp] (CASTWATCH_SMTP_*)
    to = "team@example.org"         # CASTWATCH_ALERT_EMAIL, comma-separated for several

    [webhook]
    url = "https://hooks.example.org/castwatch"  # CASTWATCH_ALERT_WEBHOOK_URL
                                    # the HMAC key only from CASTWATCH_ALERT_WEBHOOK_SECRET
    timeout = 10                    # seconds per POST

    [delivery]
    backoff = 30                    # seconds before the second attempt, doubled after each
    max_backoff = 3600              # the longest wait between two attempts
    batch = 100                     # alerts per e-mail or POST

Deliveries are never given up: a channel that keeps failing is retried at ``max_backoff``
until it answers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from castwatch.config import read_toml, setting_text, toml_section
from castwatch.errors import ConfigError

CONFIG_FILE = "alerts.toml"


@dataclass(slots=True, frozen=True)
class AlertSettings:
    """The resolved alert settings (see the module docstring for the file)."""

    catalog_change_percent: float = 10.0
    takedown_deadline_minutes: float = 30.0
    holders: tuple[str, ...] = ()
    email_to: tuple[str, ...] = ()
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_timeout: float = 10.0
    backoff_s: float = 30.0
    max_backoff_s: float = 3600.0
    batch: int = 100

    @property
    def channels(self) -> tuple[str, ...]:
        """The delivery channels configured: ``email``, ``webhook``, both or none."""
        return tuple(
            name
            for name, on in (("email", bool(self.email_to)), ("webhook", bool(self.webhook_url)))
            if on
        )


def _number(section: dict[str, Any], key: str, env: str, default: float, path: Path) -> float:
    raw = os.environ.get(env) or section.get(key)
    if raw is None:
        return default
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = -1.0
    if value < 0:
        raise ConfigError(f"{key} = {raw!r} ({path} or {env}) must be a number, 0 or more")
    return value


def load_alert_settings(home: Path) -> AlertSettings:
    """The settings from ``home/alerts.toml`` and the environment (environment wins)."""
    path = home / CONFIG_FILE
    document = read_toml(path)
    alerts = toml_section(document, "alerts", path)
    email = toml_section(document, "email", path)
    webhook = toml_section(document, "webhook", path)
    delivery = toml_section(document, "delivery", path)
    holders = alerts.get("holders", [])
    if not isinstance(holders, list) or not all(isinstance(h, str) for h in holders):
        raise ConfigError(f"{path}: [alerts] holders must be a list of holder names")
    recipients = setting_text(email, "to", "CASTWATCH_ALERT_EMAIL") or ""
    batch = _number(delivery, "batch", "CASTWATCH_ALERT_BATCH", 100, path)
    if batch < 1:
        raise ConfigError(f"{path}: [delivery] batch must be 1 or more")
    return AlertSettings(
        catalog_change_percent=_number(
            alerts, "catalog_change_percent", "CASTWATCH_ALERT_CATALOG_PERCENT", 10.0, path
        ),
        takedown_deadline_minutes=_number(
            alerts, "takedown_deadline_minutes", "CASTWATCH_ALERT_DEADLINE_MINUTES", 30.0, path
        ),
        holders=tuple(h.strip() for h in holders if h.strip()),
        email_to=tuple(a.strip() for a in recipients.split(",") if a.strip()),
        webhook_url=setting_text(webhook, "url", "CASTWATCH_ALERT_WEBHOOK_URL"),
        webhook_secret=os.environ.get("CASTWATCH_ALERT_WEBHOOK_SECRET") or None,
        webhook_timeout=_number(webhook, "timeout", "CASTWATCH_ALERT_WEBHOOK_TIMEOUT", 10, path)
        or 10.0,
        backoff_s=_number(delivery, "backoff", "CASTWATCH_ALERT_BACKOFF", 30.0, path),
        max_backoff_s=_number(delivery, "max_backoff", "CASTWATCH_ALERT_MAX_BACKOFF", 3600, path),
        batch=int(batch),
    )
