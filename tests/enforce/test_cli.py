"""The enforcement commands end to end: the real entry point, a real SQLite home and mailbox."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from castwatch.config import Settings
from castwatch.storage.db import Store
from tests.conftest import Result
from tests.enforce.notice_fixtures import Mailbox, write_settings
from tests.storage.helpers import make_inventory


def test_case_evidence_notice_commands(
    cli: Callable[..., Result],
    tmp_path: Path,
    mailbox: Mailbox,
) -> None:
    home = Path(os.environ["CASTWATCH_HOME"])
    with Store.open(Settings.resolve()) as store:
        from castwatch.catalog.store import save_inventory

        save_inventory(store, make_inventory(10), "panel-one")
    write_settings(home, mailbox.port)

    opened = cli("case", "open", "op-falcon", "--service", "panel-one", "--assignee", "rita",
                 "--json")  # fmt: skip
    assert opened.code == 0, opened.stderr
    assert opened.json()["services"] == ["panel-one"]  # type: ignore[index]
    refused = cli("case", "add", "op-falcon", "--status", "closed-ish")
    assert refused.code == 1 and "unknown case status" in refused.stderr
    illegal = cli("case", "add", "op-falcon", "--status", "actioned")
    assert illegal.code == 1 and "cannot go from 'open' to 'actioned'" in illegal.stderr
    assert cli("case", "add", "op-falcon", "--note", "found on a forum").code == 0

    capture = tmp_path / "capture.ts"
    capture.write_bytes(b"\x47" + bytes(187))
    added = cli("evidence", "add", "op-falcon", str(capture), "--kind", "capture", "--json")
    assert added.code == 0, added.stderr
    assert added.json()["seq"] == 1  # type: ignore[index]
    assert cli("evidence", "add", "op-falcon", str(tmp_path / "nope")).code == 1

    verified = cli("evidence", "verify", "--json")
    assert verified.code == 0 and verified.json()["ok"] is True  # type: ignore[index]
    shown = cli("case", "show", "op-falcon", "--json").json()
    assert shown["status"] == "evidence"  # type: ignore[index]
    assert [e["kind"] for e in shown["events"]][-2:] == ["evidence-added", "status"]  # type: ignore[index]
    listed = cli("case", "list")
    assert listed.code == 0 and "op-fal" in listed.stdout  # rich wraps narrow columns

    assert cli("notice", "contact", "panel.test", "host", "abuse@host.example").code == 0
    drafted = cli("notice", "draft", "op-falcon", "--kind", "blocklist", "--to",
                  "blocking@authority.example", "--json")  # fmt: skip
    assert drafted.code == 0, drafted.stderr
    (notice,) = drafted.json()  # type: ignore[misc]
    assert notice["text"].startswith("target,target_type,")
    dmca = cli("notice", "draft", "op-falcon", "--kind", "dmca")
    assert dmca.code == 1 and "identification of the copyrighted works" in dmca.stderr
    unknown = cli("notice", "draft", "op-falcon", "--kind", "cease-and-desist")
    assert unknown.code == 1 and "unknown notice kind" in unknown.stderr

    dry = cli("notice", "send", str(notice["id"]), "--dry-run")
    assert dry.code == 0 and "To: blocking@authority.example" in dry.stdout
    assert mailbox.messages == []
    sent = cli("notice", "send", str(notice["id"]), "--json")
    assert sent.code == 0, sent.stderr
    assert sent.json()["status"] == "sent" and len(mailbox.messages) == 1  # type: ignore[index]
    marked = cli("notice", "mark", str(notice["id"]), "actioned", "--json")
    assert marked.json()["status"] == "actioned"  # type: ignore[index]
    listed_notices = cli("notice", "list", "op-falcon", "--json").json()
    assert [n["status"] for n in listed_notices] == ["actioned"]  # type: ignore[union-attr]
    lumen = cli("notice", "show", str(notice["id"]), "--lumen").json()
    assert "notice" in lumen  # type: ignore[operator]

    # Tamper with the stored capture: verify names it and exits 1.
    stored = home / "evidence" / (added.json()["stored_name"])  # type: ignore[index]
    stored.chmod(0o600)
    stored.write_bytes(b"\x00" * 188)
    failed = cli("evidence", "verify", "op-falcon")
    assert failed.code == 1
    assert "item 1 (capture," in failed.stderr and "altered" in failed.stderr
