"""A real pirate site on 127.0.0.1 that can go up, gone and back, and a case noticed about it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select, update

from castwatch.catalog import Credentials, Entry, EntryKind, Inventory, ServiceKind
from castwatch.catalog.evidence import EvidenceKind
from castwatch.catalog.registry import Identification, WorkKind, WorkRecord
from castwatch.catalog.store import save_inventory
from castwatch.catalog.tables import EntryRow
from castwatch.enforce.cases import open_case
from castwatch.enforce.ledger import add_file
from castwatch.enforce.notices.draft import draft_notices
from castwatch.enforce.settings import load_enforce_settings
from castwatch.enforce.store import set_contact
from castwatch.enforce.store_notices import record_attempt
from castwatch.enforce.tables import NoticeRow
from castwatch.storage import reference
from castwatch.storage.db import Store
from tests.enforce.notice_fixtures import HOLDER, free_port, write_settings

#: When the notice is recorded as sent (a day ago); every check time is counted from it.
SENT_AT = (datetime.now(UTC) - timedelta(days=1)).replace(second=0, microsecond=0)
PASSWORD = "s3cret-pass"


class _Handler(BaseHTTPRequestHandler):
    server: _SiteServer

    def do_GET(self) -> None:
        site = self.server.site
        site.paths.append(self.path)
        if self.path.startswith("/legal-offer"):
            self._answer(200, b"<h1>Watch it legally</h1>")
        elif site.mode == "redirect-legal":
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.1:{site.port}/legal-offer/fr")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif site.mode in ("404", "410"):
            self._answer(int(site.mode), b"removed")
        else:
            self._answer(200, b"\x47" + bytes(187) * 40)

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _SiteServer(ThreadingHTTPServer):
    site: Site


@dataclass
class Site:
    """The pirate site: ``mode`` is up, 404, 410 or redirect-legal; ``stop()`` refuses all."""

    port: int
    mode: str = "up"
    paths: list[str] = field(default_factory=list)
    _server: _SiteServer | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        server = _SiteServer(("127.0.0.1", self.port), _Handler)
        server.site = self
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@pytest.fixture()
def site() -> Iterator[Site]:
    running = Site(free_port())
    running.start()
    try:
        yield running
    finally:
        running.stop()


def site_inventory(base: str, n: int = 8) -> Inventory:
    inventory = Inventory(kind=ServiceKind.XTREAM, source_url=f"{base}/", base_urls=[f"{base}/"])
    account = inventory.add_credentials(Credentials("alice", PASSWORD))
    for i in range(n):
        inventory.entries.append(
            Entry(kind=EntryKind.FILM, key=f"film:{i}", name=f"Film {i}", group="FR | FILMS",
                  url=f"{base}/movie/{{username}}/{{password}}/{i}.ts", credential=account,
                  stream_id=str(i))
        )  # fmt: skip
    return inventory


def noticed_case(store: Store, home: Path, site: Site, extra_settings: str = "") -> int:
    """Case ``op-falcon`` on the site: a DMCA notice naming 6 of its URLs, sent at SENT_AT."""
    write_settings(home, extra=extra_settings)
    save_inventory(store, site_inventory(site.base), "pirate-site")
    works = [WorkRecord(f"tt{i:07d}", f"Film {i}", WorkKind.FILM, 2020, holder=HOLDER)
             for i in range(3)]  # fmt: skip
    works.append(WorkRecord("tt9999999", "Not ours", WorkKind.FILM, 2021, holder="Someone Else"))
    reference.import_works(store, works, "test")
    with store.session() as session:
        entries = list(session.execute(select(EntryRow.id, EntryRow.valid_from)
                                       .order_by(EntryRow.id)))  # fmt: skip
    found = [(entry_id, Identification("work", works[i % 4].id, 0.9))
             for i, (entry_id, _) in enumerate(entries)]  # fmt: skip
    reference.save_identifications(store, entries[0][1], found, "test")
    open_case(store, "op-falcon", ["pirate-site"])
    capture = home / "capture.ts"
    capture.write_bytes(b"\x47" + bytes(187) * 10)
    add_file(store, "op-falcon", capture, EvidenceKind.CAPTURE, "capture of film 0")
    set_contact(store, "127.0.0.1", "host", "abuse@host.example", "Example Hosting", "test")
    (notice,) = draft_notices(store, "op-falcon", "dmca", load_enforce_settings(home))
    record_attempt(store, notice.id, None, "<id@test>")
    with store.session() as session:
        session.execute(update(NoticeRow).where(NoticeRow.id == notice.id)
                        .values(sent_at=SENT_AT))  # fmt: skip
    return notice.id
