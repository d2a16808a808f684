"""Job kinds for the engine's tests, registered the way an outside package's would be.

Their results are real verification rows (``add_verification``), so "one result stored" is
counted in the database, as it is for ``check-stream``. A job signals that it started by
writing a file named after its process, and ``hold`` waits for a file the test writes:
the test steps on events, never on sleeps.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from castwatch.catalog.verification import VerificationResult
from castwatch.fingerprint.store import add_verification
from castwatch.jobs.kinds import JobContext, JobKind, register_job_kind


def _started(payload: dict[str, Any]) -> None:
    folder = Path(payload["dir"])
    # The executor's parent is the worker: the test kills that one.
    (folder / f"started-{os.getpid()}-{os.getppid()}").write_text(str(os.getppid()))


class _Recorded(JobKind):
    def commit(self, session: Session, payload: dict[str, Any], outcome: Any) -> dict[str, Any]:
        result = VerificationResult(
            source=str(payload["source"]), confirmed=True, verified_at=datetime.now(UTC)
        )
        return {"verification": add_verification(session, result), "outcome": outcome}


@register_job_kind
class Echo(_Recorded):
    """Done at once."""

    name = "test-echo"

    def run(self, context: JobContext, payload: dict[str, Any]) -> Any:
        return {"pid": os.getpid()}


@register_job_kind
class Hold(_Recorded):
    """Runs until the test writes ``release`` in the payload's folder."""

    name = "test-hold"

    def run(self, context: JobContext, payload: dict[str, Any]) -> Any:
        _started(payload)
        release = Path(payload["dir"]) / "release"
        while not release.exists():
            time.sleep(0.02)
        return {"pid": os.getpid()}


@register_job_kind
class Hang(_Recorded):
    """Never returns: only the time limit ends it."""

    name = "test-hang"

    def run(self, context: JobContext, payload: dict[str, Any]) -> Any:
        _started(payload)
        while True:
            time.sleep(1)


@register_job_kind
class Boom(_Recorded):
    """Fails every attempt with the same clear error."""

    name = "test-boom"

    def run(self, context: JobContext, payload: dict[str, Any]) -> Any:
        raise ValueError(f"boom on {payload['source']}")
