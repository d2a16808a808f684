"""Fixtures of the job engine's tests: engine options fast enough for a test."""

from __future__ import annotations

import pytest

from castwatch.jobs.engine import EngineOptions
from tests.jobs.celery_support import broker, broker_server, proxy, workers  # noqa: F401


@pytest.fixture()
def fast() -> EngineOptions:
    """Short leases and backoffs, and the tests' job kinds in every process."""
    return EngineOptions(
        workers=2,
        lease_s=1.0,
        heartbeat_s=0.2,
        poll_s=0.05,
        backoff_s=0.05,
        imports=("tests.jobs.fake_kinds",),
    )
