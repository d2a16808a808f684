"""Send notices by e-mail, retrying with backoff; a failed notice stays queued, never lost.

A notice is marked ``queued`` before the first attempt and every attempt is recorded
(``attempts``, ``last_error``, ``next_attempt_at``) in its own transaction, so a crash, a
refused message or a server that is down leaves the notice queued with the reason, and
``castwatch notice send --queued`` picks it up again. The exact message sent is then filed
in the case's evidence ledger (kind ``notice``), so what was sent is as provable as why; a
ledger whose tail fails verification refuses the notice before anything is sent or written.
"""

from __future__ import annotations

import smtplib
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import orjson

from castwatch.catalog.evidence import EvidenceKind
from castwatch.catalog.notices import Notice
from castwatch.enforce.ledger import bytes_item, check_appendable, record
from castwatch.enforce.settings import EnforceSettings, SmtpSettings
from castwatch.enforce.store_notices import (
    due_notices,
    load_notice,
    queue_notice,
    record_attempt,
)
from castwatch.errors import ConfigError, DeliveryError, NoticeIncomplete
from castwatch.storage.db import Store

Sleep = Callable[[float], None]


def build_message(notice: Notice, settings: EnforceSettings) -> EmailMessage:
    """The e-mail for ``notice``: the text as body, the JSON document attached."""
    if not notice.recipient_email:
        raise NoticeIncomplete(
            f"notice {notice.id} has no recipient e-mail address ({notice.recipient_host}): "
            f"record one with `castwatch notice contact {notice.recipient_host} ROLE EMAIL` "
            "and draft again, or draft with --to EMAIL",
            "recipient",
        )
    sender = settings.smtp.sender or settings.sender.email
    if not sender:
        raise ConfigError("no sender address: set [smtp] from or CASTWATCH_SMTP_FROM")
    message = EmailMessage()
    message["From"] = sender
    message["To"] = notice.recipient_email
    message["Subject"] = notice.subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid("castwatch-notice", sender.rpartition("@")[2] or None)
    message["X-Castwatch-Notice"] = f"{notice.id}; kind={notice.kind}; case={notice.case_id}"
    message.set_content(notice.text)
    message.add_attachment(
        orjson.dumps(notice.document, default=str, option=orjson.OPT_INDENT_2),
        maintype="application",
        subtype="json",
        filename=f"notice-{notice.id}.json",
    )
    return message


def deliver(message: EmailMessage, smtp: SmtpSettings) -> None:
    """Hand ``message`` to the SMTP server (STARTTLS and login when configured)."""
    if not smtp.host:
        raise ConfigError(
            "no SMTP server configured: set [smtp] host in enforce.toml or CASTWATCH_SMTP_HOST"
        )
    with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout) as client:
        client.ehlo()
        if smtp.starttls:
            client.starttls()
            client.ehlo()
        if smtp.username and smtp.password:
            client.login(smtp.username, smtp.password)
        refused = client.send_message(message)
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)


def preview_message(store: Store, notice_id: int, settings: EnforceSettings) -> EmailMessage:
    """The e-mail :func:`send_notice` would send (``notice send --dry-run``); nothing is sent,
    queued or filed."""
    return build_message(load_notice(store, notice_id), settings)


def send_notice(
    store: Store, notice_id: int, settings: EnforceSettings, sleep: Sleep = time.sleep
) -> Notice:
    """Send one notice, retrying ``smtp.retries`` times with exponential backoff."""
    notice = load_notice(store, notice_id)
    message = build_message(notice, settings)
    if not settings.smtp.host:
        deliver(message, settings.smtp)  # raises the configuration error, nothing queued
    # The message is filed in the ledger once sent: with a failing tail that filing would be
    # refused after the mail left and its .eml was written, so nothing is sent at all.
    check_appendable(store)
    queue_notice(store, notice_id)
    smtp = settings.smtp
    for attempt in range(smtp.retries):
        try:
            deliver(message, smtp)
        except (smtplib.SMTPException, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}".strip()
            delay = smtp.backoff * (2**attempt)
            retry_at = datetime.now(UTC) + timedelta(seconds=delay)
            notice = record_attempt(store, notice_id, error, next_attempt_at=retry_at)
            if attempt + 1 == smtp.retries:
                raise DeliveryError(
                    f"notice {notice_id} not sent after {notice.attempts} attempt(s): {error}; "
                    f"it stays queued (retry with `castwatch notice send --queued`)"
                ) from None
            sleep(delay)
            continue
        sent = record_attempt(store, notice_id, None, message_id=str(message["Message-ID"]))
        item = bytes_item(
            store, bytes(message), EvidenceKind.NOTICE, ".eml",
            f"notice {notice_id} as sent to {notice.recipient_email}",
            f"smtp://{smtp.host}:{smtp.port}", "message/rfc822",
        )  # fmt: skip
        record(store, str(notice.case_id), [item])
        return sent
    raise AssertionError("unreachable: retries is at least 1")


def send_queued(
    store: Store,
    settings: EnforceSettings,
    sleep: Sleep = time.sleep,
    now: datetime | None = None,
) -> list[tuple[int, str | None]]:
    """Retry every queued notice due by ``now``; ``(id, error or None)`` for each."""
    results: list[tuple[int, str | None]] = []
    for notice_id in due_notices(store, now or datetime.now(UTC)):
        try:
            send_notice(store, notice_id, settings, sleep)
        except DeliveryError as exc:
            results.append((notice_id, str(exc)))
        else:
            results.append((notice_id, None))
    return results
