"""Send the alert outbox by e-mail and webhook, re-trying with backoff until acknowledged.

One call of :func:`deliver_due` works every configured channel: it claims the due outbox rows
in batches (``[delivery] batch``), sends each batch as one e-mail (through the SMTP server of
``enforce.toml``, the one notices use) or one JSON ``POST``, and records the outcome. A 2xx
answer or an SMTP server's acceptance is the acknowledgement that marks rows ``sent``; any
failure keeps them ``pending`` with the error and a next attempt ``backoff`` seconds later,
doubled after each failure up to ``max_backoff``: a delivery is never given up.

The webhook body is ``{"source": "castwatch", "alerts": [...]}``, each alert as
``castwatch alerts --json`` shows it, with its ``id`` for the receiver to recognise a
repeat (delivery is at least once). With ``CASTWATCH_ALERT_WEBHOOK_SECRET`` set, the header
``X-Castwatch-Signature: sha256=HEX`` is the HMAC-SHA256 of the body under that secret.

The engines call :func:`deliver_due` after a pass and on every scheduler tick;
``castwatch alerts deliver`` does the same by hand.
"""

from __future__ import annotations

import hashlib
import hmac
import smtplib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

import orjson

from castwatch.alerts.model import AlertRecord
from castwatch.alerts.settings import AlertSettings, load_alert_settings
from castwatch.alerts.store import claim_due, pending_count, record_outcome
from castwatch.errors import CastwatchError, ConfigError
from castwatch.storage.db import Store

#: How long a claimed batch is held before another sender may take it (a sender died).
CLAIM_LEASE_S = 300.0


@dataclass(slots=True)
class DeliveryReport:
    """What one round of delivery did: alerts acknowledged and errors, per channel."""

    sent: Counter[str] = field(default_factory=Counter)
    errors: dict[str, str] = field(default_factory=dict)
    pending: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"sent": dict(self.sent), "errors": self.errors, "pending": self.pending}


def alert_payload(record: AlertRecord) -> dict[str, Any]:
    """An alert as sent: what ``castwatch alerts --json`` shows, without delivery states."""
    out = record.as_dict()
    out.pop("deliveries")
    return out


def webhook_body(records: list[AlertRecord]) -> bytes:
    return orjson.dumps({"source": "castwatch", "alerts": [alert_payload(r) for r in records]})


def signature(secret: str, body: bytes) -> str:
    """The ``X-Castwatch-Signature`` header's value for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _post_webhook(settings: AlertSettings, records: list[AlertRecord]) -> None:
    from castwatch.net.client import HttpClient, run_sync
    from castwatch.net.policy import FetchOptions

    url = settings.webhook_url
    assert url is not None  # only called for a configured channel
    body = webhook_body(records)
    headers = {"Content-Type": "application/json"}
    if settings.webhook_secret:
        headers["X-Castwatch-Signature"] = signature(settings.webhook_secret, body)
    options = FetchOptions(
        timeout=settings.webhook_timeout,
        deadline=settings.webhook_timeout * 3,
        retries=0,
        max_bytes=1024 * 1024,
        # The user's own endpoint: it may live on a private network, as a lab's does.
        trusted_urls=(url,),
    )

    async def post() -> None:
        async with HttpClient(options) as client:
            await client.post(url, body, headers)

    run_sync(post())


def alert_email(
    records: list[AlertRecord], sender: str, recipients: tuple[str, ...]
) -> EmailMessage:
    """One e-mail for a batch of alerts: a line each, the JSON attached."""
    kinds = Counter(r.kind for r in records)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = f"castwatch: {len(records)} alert(s): " + ", ".join(
        f"{count} {kind}" for kind, count in kinds.most_common()
    )
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid("castwatch-alert", sender.rpartition("@")[2] or None)
    message["X-Castwatch-Alerts"] = ",".join(str(r.id) for r in records)
    message.set_content(
        "\n".join(
            f"[{r.kind}] #{r.id} {r.raised_at:%Y-%m-%d %H:%M} UTC  {r.message}" for r in records
        )
        + "\n"
    )
    message.add_attachment(
        webhook_body(records), maintype="application", subtype="json", filename="alerts.json"
    )
    return message


def _send_email(store: Store, settings: AlertSettings, records: list[AlertRecord]) -> None:
    from castwatch.enforce.notices.send import deliver
    from castwatch.enforce.settings import load_enforce_settings

    smtp = load_enforce_settings(store.settings.home).smtp
    sender = smtp.sender
    if not sender:
        raise ConfigError(
            "no sender address for alert e-mails: set [smtp] from in enforce.toml or "
            "CASTWATCH_SMTP_FROM"
        )
    deliver(alert_email(records, sender, settings.email_to), smtp)


def _send(store: Store, settings: AlertSettings, channel: str, records: list[AlertRecord]) -> None:
    if channel == "webhook":
        _post_webhook(settings, records)
    else:
        _send_email(store, settings, records)


def retry_delay(settings: AlertSettings, attempts: int) -> float:
    """Seconds before the next attempt after ``attempts`` failed ones (at least one)."""
    delay: float = settings.backoff_s * 2.0 ** max(0, attempts - 1)
    return min(delay, settings.max_backoff_s)


def deliver_due(
    store: Store, settings: AlertSettings | None = None, now: datetime | None = None
) -> DeliveryReport:
    """Send every due outbox row of every configured channel; what was sent and what failed.

    A channel that fails stops for this round (its rows wait for their backoff); the other
    channel goes on. Rows of a channel no longer configured stay pending until it is again.
    """
    settings = settings or load_alert_settings(store.settings.home)
    moment = now or datetime.now(UTC)
    report = DeliveryReport()
    for channel in settings.channels:
        while True:
            claimed = claim_due(store, channel, moment, settings.batch, CLAIM_LEASE_S)
            if not claimed:
                break
            ids = [outbox_id for outbox_id, _, _ in claimed]
            records = [record for _, _, record in claimed]
            try:
                _send(store, settings, channel, records)
            except (CastwatchError, smtplib.SMTPException, OSError) as exc:
                error = f"{type(exc).__name__}: {exc}"
                attempts = 1 + max(attempts for _, attempts, _ in claimed)
                retry_at = moment + timedelta(seconds=retry_delay(settings, attempts))
                record_outcome(store, ids, moment, error, retry_at)
                report.errors[channel] = error
                break
            record_outcome(store, ids, moment, None, moment)
            report.sent[channel] += len(ids)
    report.pending = pending_count(store)
    return report
