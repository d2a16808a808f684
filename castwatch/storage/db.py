"""Open the database, migrate it on first use, hand out transactions.

:class:`Store` is the one handle the rest of castwatch uses: an SQLAlchemy engine on the
configured URL (SQLite file in the data directory by default, PostgreSQL by URL), the
credential vault, and the settings. Opening a store brings the schema to the newest Alembic
revision, so a user never runs migrations by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from castwatch.config import Settings
from castwatch.errors import ConfigError, StorageError
from castwatch.storage.secrets import CredentialVault


def _alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("castwatch.storage") / "migrations")
    )
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    """The newest migration this castwatch ships."""
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (no-op when it is already there)."""
    with engine.connect() as probe:
        current = MigrationContext.configure(probe).get_current_revision()
    if current == head_revision():
        return
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "head")


def _dump_json(value: Any) -> str:
    return orjson.dumps(value).decode()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers (the CLI, a report) work while an ingest writes; NORMAL sync is
    # durable across process crashes, which is the failure we design for.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class Store:
    """The database and the secrets of one data directory. Open with :meth:`open`."""

    def __init__(self, settings: Settings, engine: Engine, vault: CredentialVault) -> None:
        self.settings = settings
        self.engine = engine
        self.vault = vault

    @classmethod
    def open(cls, settings: Settings, migrate_schema: bool = True) -> Store:
        """Create the data directory and database if needed and migrate the schema."""
        settings.ensure_home()
        try:
            engine = create_engine(settings.db_url, json_serializer=_dump_json)
        except (SQLAlchemyError, ImportError, ValueError) as exc:
            raise ConfigError(f"unusable database URL: {exc}") from None
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        try:
            if migrate_schema:
                migrate(engine)
        except OperationalError as exc:
            engine.dispose()
            raise StorageError(
                f"cannot open the database {engine.url.render_as_string(hide_password=True)}: "
                f"{exc.orig}"
            ) from None
        return cls(settings, engine, CredentialVault(settings.keys_dir / "credentials.key"))

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back if it raises."""
        # Rows read in a transaction stay usable after it ends (the CLI prints them later).
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
