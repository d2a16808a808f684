"""The monitoring check of issue 14 on the distributed engine: the embedded check of
``test_monitor_pass.py``, step for step, with ``monitor run-once --engine celery --workers 2``
(two local Celery workers on the real RabbitMQ, started and stopped by the command)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import CliRunner, Result
from tests.jobs import test_monitor_pass as embedded

#: The same simulated service (the fixture, reused).
simulated = embedded.simulated


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_a_celery_pass_with_two_workers_confirms_and_flags_the_same(
    broker: str, cli: CliRunner, simulated: tuple[dict[str, str], dict[str, Any]]
) -> None:
    def on_celery(*args: str) -> Result:
        if args[:2] == ("monitor", "run-once"):
            args = (*args, "--engine", "celery", "--workers", "2")
        return cli(*args)

    embedded.test_a_pass_confirms_the_restreams_and_flags_every_mislabelled_one(
        on_celery, simulated
    )
    # The pass ran on two Celery workers the command started (each logs to its own file).
    from castwatch.config import Settings

    logs = sorted((Settings.resolve().home / "logs").glob("celery-worker-*.log"))
    assert [path.name for path in logs] == ["celery-worker-1.log", "celery-worker-2.log"]
    assert all("succeeded in" in path.read_text() for path in logs)
