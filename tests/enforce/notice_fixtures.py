"""A case ready for notices: a service with identified works, evidence, a sender, a mailbox."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from castwatch.catalog.registry import Identification, WorkKind, WorkRecord
from castwatch.catalog.store import save_inventory
from castwatch.catalog.tables import EntryRow
from castwatch.enforce.cases import open_case
from castwatch.enforce.ledger import add_file
from castwatch.storage import reference
from castwatch.storage.db import Store
from tests.storage.helpers import make_inventory

HOLDER = "Groupe CANAL+"

SENDER_TOML = """
[sender]
name = "Jane Doe"
email = "antipiracy@rights.example"
organization = "Example Rights Ltd"
address = "1 Rue Exemple, 75001 Paris, France"
phone = "+33 1 23 45 67 89"
on_behalf_of = "Groupe CANAL+"
country = "FR"
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def write_settings(home: Path, smtp_port: int | None = None, extra: str = "") -> None:
    home.mkdir(parents=True, exist_ok=True)
    smtp = (
        f'\n[smtp]\nhost = "127.0.0.1"\nport = {smtp_port}\nstarttls = false\n'
        "retries = 3\nbackoff = 0.01\ntimeout = 5\n"
        if smtp_port
        else ""
    )
    (home / "enforce.toml").write_text(SENDER_TOML + smtp + extra)


def prepare_case(store: Store, evidence: Path | None = None) -> str:
    """Service ``panel-one`` (20 entries on panel.test), 6 identified as works of HOLDER."""
    save_inventory(store, make_inventory(20), "panel-one")
    works = [
        WorkRecord(f"tt{i:07d}", f"Film {i}", WorkKind.FILM, 2020, holder=HOLDER) for i in range(3)
    ]
    works.append(WorkRecord("tt9999999", "Not ours", WorkKind.FILM, 2021, holder="Someone Else"))
    reference.import_works(store, works, "test")
    with store.session() as session:
        rows = session.execute(select(EntryRow.id, EntryRow.valid_from).order_by(EntryRow.id))
        entries = list(rows)
    snapshot_id = entries[0][1]
    found = [
        (entry_id, Identification("work", works[i % 4].id, 0.9)) for i, (entry_id, _) in
        enumerate(entries[:8])
    ]  # fmt: skip
    reference.save_identifications(store, snapshot_id, found, "test")
    open_case(store, "op-falcon", ["panel-one"], assignee="rita")
    if evidence is not None:
        add_file(store, "op-falcon", evidence, description="verification capture")
    return "op-falcon"


@dataclass
class Mailbox:
    port: int
    messages: list[Any] = field(default_factory=list)
    refuse: bool = False

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture()
def mailbox() -> Iterator[Mailbox]:
    """A real SMTP server on 127.0.0.1 that keeps what it receives."""
    box = Mailbox(port=free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
