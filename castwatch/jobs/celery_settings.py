"""The distributed engine's settings: ``$CASTWATCH_HOME/jobs.toml`` ``[celery]``, then the
environment (which wins).

::

    [celery]
    broker_url = "amqp://guest:guest@127.0.0.1:5672//"   # CASTWATCH_BROKER_URL
    queue_prefix = "castwatch"                          # CASTWATCH_QUEUE_PREFIX
    max_tasks_per_child = 200                           # CASTWATCH_MAX_TASKS_PER_CHILD
    max_memory_per_child_mb = 1024                      # CASTWATCH_MAX_MEMORY_PER_CHILD_MB
    db_outage_s = 600                                   # CASTWATCH_DB_OUTAGE_S

The broker only rings the bell: which jobs exist and how they ended is in the database
(``--db`` / ``CASTWATCH_DB``, PostgreSQL when workers run on several machines), so the
broker needs no result backend. ``queue_prefix`` keeps two castwatch databases that share
one broker apart (each has its own queues). ``db_outage_s`` is how long a worker keeps
backing off while the database is unreachable before it gives a job up.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from castwatch.config import Settings, read_toml, setting_text, toml_section
from castwatch.errors import ConfigError

CONFIG_FILE = "jobs.toml"
DEFAULT_BROKER_URL = "amqp://guest:guest@127.0.0.1:5672//"


@dataclass(slots=True, frozen=True)
class CelerySettings:
    """Where the broker is and how each worker child is bounded."""

    broker_url: str = DEFAULT_BROKER_URL
    queue_prefix: str = "castwatch"
    max_tasks_per_child: int = 200
    max_memory_per_child_mb: int = 1024
    db_outage_s: float = 600.0


def _number(section: dict[str, object], key: str, env: str, default: float) -> float:
    raw = os.environ.get(env) or section.get(key)
    if raw is None or raw == "":
        return default
    try:
        value = float(str(raw))
    except ValueError:
        value = -1.0
    if value <= 0:
        raise ConfigError(f"{key} ({env}) = {raw!r} is not a positive number")
    return value


def celery_settings(settings: Settings) -> CelerySettings:
    """The ``[celery]`` settings of ``settings.home/jobs.toml`` and the environment."""
    path = settings.home / CONFIG_FILE
    section = toml_section(read_toml(path), "celery", path)
    broker = setting_text(section, "broker_url", "CASTWATCH_BROKER_URL") or DEFAULT_BROKER_URL
    if "://" not in broker:
        raise ConfigError(
            f"broker URL {broker!r} has no scheme: use amqp://USER:PASSWORD@HOST:5672// "
            "(or redis://HOST:6379/0) in CASTWATCH_BROKER_URL or [celery] broker_url"
        )
    prefix = setting_text(section, "queue_prefix", "CASTWATCH_QUEUE_PREFIX") or "castwatch"
    if not prefix.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise ConfigError(
            f"queue prefix {prefix!r} may hold only letters, digits, '-', '_' and '.'"
        )
    return CelerySettings(
        broker_url=broker,
        queue_prefix=prefix,
        max_tasks_per_child=int(
            _number(section, "max_tasks_per_child", "CASTWATCH_MAX_TASKS_PER_CHILD", 200)
        ),
        max_memory_per_child_mb=int(
            _number(section, "max_memory_per_child_mb", "CASTWATCH_MAX_MEMORY_PER_CHILD_MB", 1024)
        ),
        db_outage_s=_number(section, "db_outage_s", "CASTWATCH_DB_OUTAGE_S", 600.0),
    )
