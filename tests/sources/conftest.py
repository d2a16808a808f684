"""Shared fixtures for source tests: real servers on 127.0.0.1, never mocks.

* ``sim_config`` / ``sim``: one small simulated panel (M3U, Xtream and Stalker on one port)
  for the whole session, with an account whose strings are distinctive enough to search
  for leaks (``sim_secrets``); ``sim_options`` reads it with short, test-sized limits.
* ``sim_fault``: a factory, ``sim_fault("slow")``, starting a panel in one fault mode,
  stopped when the test ends; ``fault_options`` are the tight limits to read it with.
* ``serve``: ``with serve(asgi_app) as base_url:`` for hand-written test servers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack
from typing import Any

import pytest

from castwatch.catalog import Credentials
from castwatch.net.policy import FetchOptions
from castwatch.sim import Fault, SimConfig, SimServer
from tests.servers import serve_asgi

#: The session panel: small enough to read in well under a second by every protocol.
SMALL = SimConfig(
    live=60,
    films=300,
    series=25,
    episodes=200,
    username="cw-agent-7731",
    password="Zq81-pass-secret",
    mac="00:1A:79:AB:CD:EF",
)
SimFault = Callable[..., SimServer]


@pytest.fixture(scope="session")
def sim_config() -> SimConfig:
    """The size and account of the session panel (``sim``)."""
    return SMALL


@pytest.fixture(scope="session")
def sim(sim_config: SimConfig) -> Iterator[SimServer]:
    """A well-behaved simulated panel, shared by the whole session."""
    with SimServer(sim_config) as server:
        yield server


@pytest.fixture(scope="session")
def sim_credentials(sim_config: SimConfig) -> Credentials:
    """The panel's account: username and password for Xtream, MAC for Stalker."""
    return Credentials(sim_config.username, sim_config.password, sim_config.mac)


@pytest.fixture(scope="session")
def sim_options(sim_credentials: Credentials) -> FetchOptions:
    """Options that read the session panel: its account, test-sized limits."""
    return FetchOptions(credentials=sim_credentials, timeout=5.0, retries=1, backoff=0.01)


@pytest.fixture(scope="session")
def sim_secrets(sim_config: SimConfig) -> list[str]:
    """Strings that must never appear in URLs, server_info, warnings or error messages."""
    return [sim_config.username, sim_config.password, sim_config.mac]


@pytest.fixture
def fault_options(sim_credentials: Credentials) -> FetchOptions:
    """Tight limits, so that every fault ends in about a second: never assert on time."""
    return FetchOptions(
        credentials=sim_credentials,
        timeout=1.0,
        max_bytes=2_000_000,
        retries=1,
        backoff=0.01,
    )


@pytest.fixture
def sim_fault(sim_config: SimConfig) -> Iterator[SimFault]:
    """``sim_fault(fault, **overrides)`` starts a misbehaving panel for this test."""
    with ExitStack() as stack:

        def start(fault: Fault | str, **overrides: Any) -> SimServer:
            config = dataclasses.replace(sim_config, fault=Fault(fault), **overrides)
            return stack.enter_context(SimServer(config))

        yield start


@pytest.fixture(scope="session")
def serve() -> Callable[[Any], AbstractContextManager[str]]:
    """``with serve(app) as base_url:`` runs an ASGI app on a free 127.0.0.1 port."""
    return serve_asgi
