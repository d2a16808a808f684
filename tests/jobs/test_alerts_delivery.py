"""Alert delivery to a real SMTP server and a real webhook on 127.0.0.1 that fails at first."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import orjson
import pytest

from castwatch.alerts.delivery import deliver_due, signature
from castwatch.alerts.model import Alert, AlertKind
from castwatch.alerts.settings import AlertSettings, load_alert_settings
from castwatch.alerts.store import list_alerts, pending_count, raise_alerts, utc_now
from castwatch.storage.db import Store
from tests.enforce.notice_fixtures import Mailbox, free_port, write_settings
from tests.enforce.notice_fixtures import mailbox as mailbox


@dataclass
class Hook:
    """A webhook receiver: answers 500 to the first ``fail`` POSTs, then 200."""

    port: int
    fail: int = 0
    bodies: list[bytes] = field(default_factory=list)
    signatures: list[str | None] = field(default_factory=list)
    tries: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"


class _HookHandler(BaseHTTPRequestHandler):
    server: _HookServer

    def do_POST(self) -> None:
        hook = self.server.hook
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        hook.tries += 1
        if hook.tries <= hook.fail:
            status = 500
        else:
            status = 200
            hook.bodies.append(body)
            hook.signatures.append(self.headers.get("X-Castwatch-Signature"))
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        pass


class _HookServer(ThreadingHTTPServer):
    hook: Hook


@pytest.fixture()
def hook() -> Iterator[Hook]:
    receiver = Hook(free_port())
    server = _HookServer(("127.0.0.1", receiver.port), _HookHandler)
    server.hook = receiver
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


def _alerts(n: int) -> list[Alert]:
    return [
        Alert(AlertKind.CONTRADICTED, f"contradicted:svc:live:{i}:other", f"stream {i} lies",
              service="svc", data={"entry": f"live:{i}"})
        for i in range(n)
    ]  # fmt: skip


def _settings(hook: Hook, **changes: object) -> AlertSettings:
    values: dict[str, object] = {"webhook_url": hook.url, "webhook_secret": "k3y",
                                 "backoff_s": 60.0, "max_backoff_s": 600.0}  # fmt: skip
    return AlertSettings(**(values | changes))  # type: ignore[arg-type]


def test_a_failing_webhook_is_retried_with_backoff_until_it_acknowledges(
    store: Store, hook: Hook
) -> None:
    hook.fail = 2
    settings = _settings(hook)
    start = utc_now()
    with store.session() as session:
        ids = raise_alerts(session, _alerts(3), settings.channels, start)
    assert len(ids) == 3 and pending_count(store) == 3

    first = deliver_due(store, settings, start)
    assert first.sent == {} and "HTTP 500" in first.errors["webhook"]
    assert first.pending == 3
    # Nothing is due again before the backoff has passed.
    assert deliver_due(store, settings, start + timedelta(seconds=59)).errors == {}
    assert hook.tries == 1
    second = deliver_due(store, settings, start + timedelta(seconds=60))
    assert "webhook" in second.errors and hook.tries == 2
    (failed,) = {d.attempts for r in list_alerts(store) for d in r.deliveries if r.id == ids[0]}
    assert failed == 2
    # The second failure doubled the wait: 120 s after the second attempt.
    assert deliver_due(store, settings, start + timedelta(seconds=179)).sent == {}
    third = deliver_due(store, settings, start + timedelta(seconds=180))
    assert third.sent == {"webhook": 3} and third.errors == {} and third.pending == 0

    (delivered,) = [orjson.loads(body) for body in hook.bodies]
    assert sorted(a["id"] for a in delivered["alerts"]) == sorted(ids)
    assert delivered["alerts"][0]["kind"] == "contradicted"
    assert delivered["alerts"][0]["data"] == {"entry": "live:0"}
    assert hook.signatures == [signature("k3y", hook.bodies[0])]
    states = {(d.channel, d.state, d.attempts) for r in list_alerts(store) for d in r.deliveries}
    assert states == {("webhook", "sent", 3)}
    # Acknowledged rows are never sent again.
    later = start + timedelta(days=1)
    assert deliver_due(store, settings, later).sent == {} and hook.tries == 3

    # A larger outbox goes in batches: three new alerts, two per POST.
    with store.session() as session:
        more = raise_alerts(session, _alerts(6)[3:], settings.channels, later)
    assert deliver_due(store, _settings(hook, batch=2), later).sent == {"webhook": 3}
    sizes = [len(orjson.loads(body)["alerts"]) for body in hook.bodies[1:]]
    assert sizes == [2, 1]
    assert sorted(a["id"] for b in hook.bodies[1:] for a in orjson.loads(b)["alerts"]) == more


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_alerts_go_by_email_and_a_down_channel_does_not_hold_the_other(
    store: Store, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = store.settings.home
    write_settings(home, smtp_port=mailbox.port)
    dead = free_port()  # nothing listens there
    (home / "alerts.toml").write_text(
        f'[email]\nto = "team@rights.example, desk@rights.example"\n\n'
        f'[webhook]\nurl = "http://127.0.0.1:{dead}/hook"\ntimeout = 2\n'
        "[delivery]\nbackoff = 5\n"
    )
    settings = load_alert_settings(home)
    assert settings.channels == ("email", "webhook")
    now = utc_now()
    with store.session() as session:
        raise_alerts(session, _alerts(2), settings.channels, now)

    report = deliver_due(store, settings, now)
    assert report.sent == {"email": 2}
    assert "webhook" in report.errors and report.pending == 2
    (envelope,) = mailbox.messages
    assert sorted(envelope.rcpt_tos) == ["desk@rights.example", "team@rights.example"]
    message = BytesParser(policy=policy.default).parsebytes(envelope.content)
    assert message["Subject"] == "castwatch: 2 alert(s): 2 contradicted"
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "stream 0 lies" in text and "stream 1 lies" in text

    # The webhook comes back: its rows, kept pending, go out once their backoff has passed.
    receiver = Hook(dead)
    server = _HookServer(("127.0.0.1", dead), _HookHandler)
    server.hook = receiver
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        later = deliver_due(store, settings, now + timedelta(seconds=5))
    finally:
        server.shutdown()
        server.server_close()
    assert later.sent == {"webhook": 2} and later.pending == 0
    assert len(mailbox.messages) == 1  # e-mail was acknowledged: not sent twice
    assert receiver.signatures == [None]  # no secret configured: no signature


def test_settings_come_from_the_file_and_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "alerts.toml").write_text(
        '[alerts]\ncatalog_change_percent = 25\nholders = ["beIN Media Group"]\n'
        '[email]\nto = "a@x.example"\n'
    )
    monkeypatch.setenv("CASTWATCH_ALERT_DEADLINE_MINUTES", "15")
    monkeypatch.setenv("CASTWATCH_ALERT_WEBHOOK_URL", "https://hooks.example/x")
    settings = load_alert_settings(tmp_path)
    assert settings.catalog_change_percent == 25 and settings.takedown_deadline_minutes == 15
    assert settings.holders == ("beIN Media Group",) and settings.email_to == ("a@x.example",)
    assert settings.channels == ("email", "webhook")
