"""Sending notices to a real SMTP server on 127.0.0.1: delivery, refusal, server down, retry."""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from castwatch.catalog.cases import CaseStatus, EventKind
from castwatch.catalog.notices import NoticeStatus
from castwatch.enforce.cases import show_case
from castwatch.enforce.ledger_check import verify_ledger
from castwatch.enforce.notices.draft import draft_notices
from castwatch.enforce.notices.send import send_notice, send_queued
from castwatch.enforce.settings import load_enforce_settings
from castwatch.enforce.store import set_contact
from castwatch.enforce.store_ledger import iter_entries
from castwatch.enforce.store_notices import load_notice, mark_notice
from castwatch.errors import DeliveryError, EnforcementError, EvidenceError, NoticeIncomplete
from castwatch.storage.db import Store
from tests.enforce.notice_fixtures import Mailbox, free_port, prepare_case, write_settings


def _drafted_notice(store: Store, evidence: Path, smtp_port: int) -> int:
    write_settings(store.settings.home, smtp_port)
    case = prepare_case(store, evidence)
    set_contact(store, "panel.test", "host", "abuse@host.example", "Host Ltd", "whois")
    settings = load_enforce_settings(store.settings.home)
    (notice,) = draft_notices(store, case, "dmca", settings)
    return notice.id


def test_send_delivers_records_and_files_the_message_as_evidence(
    store: Store, evidence_files: list[Path], mailbox: Mailbox
) -> None:
    notice_id = _drafted_notice(store, evidence_files[0], mailbox.port)
    settings = load_enforce_settings(store.settings.home)
    sent = send_notice(store, notice_id, settings, sleep=lambda _s: None)
    assert sent.status is NoticeStatus.SENT and sent.attempts == 1 and sent.sent_at
    (envelope,) = mailbox.messages
    assert envelope.rcpt_tos == ["abuse@host.example"]
    message = email.message_from_bytes(envelope.content)
    assert message["Subject"] == sent.subject
    body = message.get_payload()[0].get_payload(decode=True).decode()  # type: ignore[index, union-attr]
    assert "under penalty of perjury" in body
    # The message as sent is the newest evidence item, and the ledger still verifies.
    last = list(iter_entries(store))[-1]
    assert last.kind == "notice" and last.media_type == "message/rfc822"
    assert verify_ledger(store).ok
    case = show_case(store, "op-falcon")
    assert case.status is CaseStatus.NOTICED
    assert EventKind.NOTICE_SENT in [e.kind for e in case.events]
    with pytest.raises(EnforcementError, match="sent already"):
        send_notice(store, notice_id, settings)
    marked = mark_notice(store, notice_id, NoticeStatus.ACKNOWLEDGED)
    assert marked.acknowledged_at is not None
    marked = mark_notice(store, notice_id, NoticeStatus.ACTIONED)
    assert marked.status is NoticeStatus.ACTIONED and marked.actioned_at is not None
    assert marked.document["lumen"]["action_taken"] == "Yes"
    assert show_case(store, "op-falcon").status is CaseStatus.ACTIONED


def test_server_down_keeps_the_notice_queued_then_a_retry_sends_it(
    store: Store, evidence_files: list[Path]
) -> None:
    port = free_port()  # nothing listens there yet
    notice_id = _drafted_notice(store, evidence_files[0], port)
    settings = load_enforce_settings(store.settings.home)
    delays: list[float] = []
    with pytest.raises(DeliveryError, match="stays queued"):
        send_notice(store, notice_id, settings, sleep=delays.append)
    queued = load_notice(store, notice_id)
    assert queued.status is NoticeStatus.QUEUED
    assert queued.attempts == 3 and queued.last_error and "Connection" in queued.last_error
    assert delays == [0.01, 0.02]  # exponential backoff between the attempts
    failures = [
        e for e in show_case(store, "op-falcon").events if e.kind is EventKind.NOTICE_FAILED
    ]
    assert len(failures) == 3
    from aiosmtpd.controller import Controller

    box = Mailbox(port=port)
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        later = datetime.now(UTC) + timedelta(hours=1)
        assert send_queued(store, settings, lambda _s: None, later) == [(notice_id, None)]
    finally:
        controller.stop()
    assert len(box.messages) == 1
    assert load_notice(store, notice_id).status is NoticeStatus.SENT


def test_refused_recipient_is_recorded(
    store: Store, evidence_files: list[Path], mailbox: Mailbox
) -> None:
    mailbox.refuse = True
    notice_id = _drafted_notice(store, evidence_files[0], mailbox.port)
    settings = load_enforce_settings(store.settings.home)
    with pytest.raises(DeliveryError):
        send_notice(store, notice_id, settings, sleep=lambda _s: None)
    notice = load_notice(store, notice_id)
    assert notice.status is NoticeStatus.QUEUED and "550" in (notice.last_error or "")
    assert mailbox.messages == []


def test_unknown_recipient_is_refused_before_queueing(
    store: Store, evidence_files: list[Path], mailbox: Mailbox
) -> None:
    write_settings(store.settings.home, mailbox.port)
    case = prepare_case(store, evidence_files[0])
    (notice,) = draft_notices(store, case, "dmca", load_enforce_settings(store.settings.home))
    with pytest.raises(NoticeIncomplete, match="no recipient e-mail"):
        send_notice(store, notice.id, load_enforce_settings(store.settings.home))
    assert load_notice(store, notice.id).status is NoticeStatus.DRAFTED
    with pytest.raises(EnforcementError, match="never sent"):
        mark_notice(store, notice.id, NoticeStatus.ACKNOWLEDGED)


def test_a_ledger_whose_tail_fails_refuses_the_notice_before_it_is_sent(
    store: Store, evidence_files: list[Path], mailbox: Mailbox
) -> None:
    from tests.enforce.test_rollback import cut_tail

    notice_id = _drafted_notice(store, evidence_files[0], mailbox.port)
    settings = load_enforce_settings(store.settings.home)
    cut_tail(store)
    before = sorted(p.name for p in store.settings.evidence_dir.iterdir())
    with pytest.raises(EvidenceError, match="tail fails verification"):
        send_notice(store, notice_id, settings, sleep=lambda _s: None)
    # Nothing left the building and no .eml orphan was written: the notice is still a draft.
    assert mailbox.messages == []
    assert sorted(p.name for p in store.settings.evidence_dir.iterdir()) == before
    assert load_notice(store, notice_id).status is NoticeStatus.DRAFTED
