"""The declarative base every stage's ``tables`` module builds on, and the shared column types.

Each stage keeps its own row classes (``castwatch/<stage>/tables.py``); they all register on
this one ``Base.metadata``, which Alembic's migrations mirror.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """A moment stored with its time zone and always read back as an aware UTC ``datetime``.

    SQLite keeps no zone, so a value read from it is naive; this type gives every reader the
    same aware value on SQLite and PostgreSQL, instead of each store adding ``tzinfo`` by hand.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"a naive datetime cannot be stored: {value!r}")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = value
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of every castwatch table."""
