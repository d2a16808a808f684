"""Fixtures for the simulator's tests: one small real panel on 127.0.0.1, and httpx clients.

``SMALL`` is the catalog size every test uses unless it says otherwise; ``Stalker`` wraps
the handshake and cookie dance so that tests read as the protocol table does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from castwatch.sim import SimServer
from castwatch.sim.config import SimOptions

SMALL: SimOptions = {"live": 50, "films": 200, "series": 20, "episodes": 150}


@pytest.fixture(scope="session")
def sim() -> Iterator[SimServer]:
    with SimServer(**SMALL) as server:
        yield server


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as http:
        yield http


def player_api(client: httpx.Client, sim: SimServer, **params: Any) -> Any:
    """GET player_api.php with the panel's account and ``params``; the decoded JSON."""
    account = {"username": sim.urls["username"], "password": sim.urls["password"]}
    response = client.get(f"{sim.urls['xtream_url']}player_api.php", params={**account, **params})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    return response.json()


class Stalker:
    """A set-top box talking to the simulated portal: cookie, handshake, bearer token."""

    def __init__(self, client: httpx.Client, sim: SimServer, mac: str | None = None) -> None:
        self.client = client
        self.url = f"{sim.base_url}/stalker_portal/server/load.php"
        mac = mac or sim.urls["mac"]
        # MAG boxes percent-encode the colons; the portal must decode them.
        self.cookie = f"mac={mac.replace(':', '%3A')}; stb_lang=en; timezone=Europe%2FParis"
        self.token = ""

    def raw(self, **params: Any) -> httpx.Response:
        headers = {"Cookie": self.cookie}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return self.client.get(self.url, params=params, headers=headers)

    def handshake(self) -> str:
        response = self.raw(type="stb", action="handshake", token="", JsHttpRequest="1-xml")
        self.token = str(response.json()["js"]["token"])
        return self.token

    def js(self, **params: Any) -> Any:
        response = self.raw(**params)
        assert response.status_code == 200
        return response.json()["js"]
