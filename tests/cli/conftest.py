"""Run the real ``castwatch`` command in-process, against real servers and databases."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from castwatch.sim import SimServer


@pytest.fixture(scope="module")
def small_sim() -> Iterator[SimServer]:
    with SimServer(seed=7, live=40, films=120, series=10, episodes=60) as sim:
        yield sim
