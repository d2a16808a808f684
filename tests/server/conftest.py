"""A real API server on 127.0.0.1 over a store with two organisations and their data."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import uvicorn

from castwatch.accounts import actions
from castwatch.accounts.model import Role, Scope
from castwatch.catalog.store import save_inventory
from castwatch.config import Settings
from castwatch.enforce.cases import open_case
from castwatch.server.app import create_app
from castwatch.storage.db import Store
from tests.enforce.notice_fixtures import free_port
from tests.storage.helpers import make_inventory

PASSWORD = "correct horse battery staple"


@dataclass
class World:
    """The server's address and a token per (organisation, role, scope)."""

    url: str
    tokens: dict[str, str]
    case_a: int
    case_b: int

    def client(self, who: str | None) -> httpx.Client:
        headers = {} if who is None else {"Authorization": f"Bearer {self.tokens[who]}"}
        return httpx.Client(base_url=self.url, headers=headers, timeout=10)


def _populate(store: Store) -> tuple[dict[str, str], int, int]:
    tokens: dict[str, str] = {}
    for org in ("alpha", "beta"):
        actions.add_organisation(store, org)
        for role in Role:
            email = f"{role.value}@{org}.example"
            actions.add_user(store, email, org, role, PASSWORD)
            for scope in Scope:
                token = actions.create_token(store, email, scope).token
                tokens[f"{org}-{role.value}-{scope.value}"] = token
        save_inventory(store, make_inventory(5), f"{org}-panel")
        actions.assign(store, org, "service", f"{org}-panel")
    case_a = open_case(store, "op-alpha", ["alpha-panel"]).id
    case_b = open_case(store, "op-beta", ["beta-panel"]).id
    actions.assign(store, "alpha", "case", case_a)
    actions.assign(store, "beta", "case", case_b)
    return tokens, case_a, case_b


@pytest.fixture()
def world(settings: Settings) -> Iterator[World]:
    with Store.open(settings) as store:
        tokens, case_a, case_b = _populate(store)
    port = free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the API server did not start")
        time.sleep(0.05)
    try:
        yield World(f"http://127.0.0.1:{port}", tokens, case_a, case_b)
    finally:
        server.should_exit = True
        thread.join(timeout=20)
