"""Open the database, migrate it on first use, hand out transactions.

:class:`Store` is the one handle the rest of castwatch uses: an SQLAlchemy engine on the
configured URL (SQLite file in the data directory by default, PostgreSQL by URL), the
credential vault, and the settings. Opening a store brings the schema to the newest Alembic
revision, so a user never runs migrations by hand.

A write that finds SQLite locked by another writer waits ``Settings.busy_timeout`` seconds,
then fails as one :class:`~castwatch.errors.DatabaseLocked` (mapped here, in one place, for
every statement and commit) naming the other castwatch processes using the database and
their work: each open store leaves a small note in ``HOME/.users/`` until it is closed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, ExceptionContext
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

# Each stage keeps its row classes in its own ``tables`` module; importing them all here makes
# ``Base.metadata`` complete (what Alembic compares and foreign keys resolve against) for
# every user of a store. A new stage's tables module gets one line here.
from castwatch.accounts import tables as _accounts_tables  # noqa: F401
from castwatch.alerts import tables as _alerts_tables  # noqa: F401
from castwatch.attribute import tables as _attribute_tables  # noqa: F401
from castwatch.catalog import tables as _catalog_tables  # noqa: F401
from castwatch.catalog.vault import CredentialVault
from castwatch.config import Settings
from castwatch.enforce import tables as _enforce_tables  # noqa: F401
from castwatch.errors import ConfigError, DatabaseLocked, StorageError
from castwatch.fingerprint import tables as _fingerprint_tables  # noqa: F401
from castwatch.identify import tables as _identify_tables  # noqa: F401
from castwatch.jobs import tables as _jobs_tables  # noqa: F401


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


#: Round 1's migrations, folded into the 0009 baseline: a database still at one of them cannot
#: be upgraded by this castwatch (the steps to 0009 are gone).
SQUASHED_REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008")


def _known_revision(revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(_alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


def _refuse_unknown_revision(engine: Engine, current: str) -> None:
    url = engine.url.render_as_string(hide_password=True)
    if current in SQUASHED_REVISIONS:
        raise StorageError(
            f"the database {url} is at schema revision {current}, from a castwatch older than "
            "the 0009 baseline this one upgrades from: open it once with castwatch 0.1.0 of "
            "commit 1fcf4e7 or earlier (which brings it to 0009), then with this one"
        )
    raise StorageError(
        f"the database {url} is at schema revision {current}, which this castwatch does not "
        f"know (its newest is {head_revision()}): it was made by a newer castwatch; use that one"
    )


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (no-op when it is already there).

    A database at a revision this castwatch does not ship (a squashed round-1 step, or one of
    a newer castwatch) is refused with one :class:`StorageError` naming it and what to do.
    """
    with engine.connect() as probe:
        current = MigrationContext.configure(probe).get_current_revision()
    if current == head_revision():
        return
    if current is not None and not _known_revision(current):
        _refuse_unknown_revision(engine, current)
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "head")


def _dump_json(value: Any) -> str:
    return orjson.dumps(value).decode()


def _sqlite_pragmas(busy_timeout: float) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # Waiting for another writer comes first: switching to WAL may itself need the lock.
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        # WAL lets readers (the CLI, a report) work while an ingest writes; NORMAL sync is
        # durable across process crashes, which is the failure we design for.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return on_connect


def _is_locked(error: BaseException | None) -> bool:
    # SQLITE_BUSY ("database is locked") and SQLITE_LOCKED ("database table is locked").
    return isinstance(error, sqlite3.OperationalError) and "is locked" in str(error)


class _Users:
    """Notes in ``HOME/.users/`` saying which castwatch processes have the database open.

    Only read when a write was kept waiting, to name what held the lock; a note left by a
    process that died is ignored (its pid is gone) and removed.
    """

    def __init__(self, settings: Settings) -> None:
        self.folder = settings.home / ".users"
        # A digest, not the URL: a PostgreSQL URL may carry a password.
        self.db_key = hashlib.sha256(settings.db_url.encode()).hexdigest()[:32]
        self.note: Path | None = None
        work = settings.work
        try:
            self.folder.mkdir(mode=0o700, exist_ok=True)
            note = self.folder / f"{os.getpid()}-{uuid.uuid4().hex[:8]}.json"
            note.write_bytes(orjson.dumps({"pid": os.getpid(), "work": work, "db": self.db_key}))
            self.note = note
        except OSError:
            pass  # a read-only home: the lock message is only less specific

    def others(self) -> list[str]:
        """``castwatch WORK (pid N)`` for every other live process on the same database."""
        found: list[str] = []
        with contextlib.suppress(OSError):
            for path in sorted(self.folder.glob("*.json")):
                if path == self.note:
                    continue
                try:
                    note = orjson.loads(path.read_bytes())
                    pid = int(note["pid"])
                except (OSError, ValueError, KeyError, TypeError, orjson.JSONDecodeError):
                    continue
                if note.get("db") != self.db_key or pid == os.getpid():
                    continue
                if not _alive(pid):
                    with contextlib.suppress(OSError):
                        path.unlink()
                    continue
                work = note.get("work")
                found.append(f"castwatch {work} (pid {pid})" if work else f"castwatch (pid {pid})")
        return found

    def close(self) -> None:
        if self.note is not None:
            with contextlib.suppress(OSError):
                self.note.unlink()
            self.note = None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive
    return True


def _locked_message(settings: Settings, users: _Users, url: str) -> str:
    others = users.others()
    holder = (
        "by " + ", ".join(others)
        if others
        else "by another program (no other castwatch process has it open)"
    )
    return (
        f"the database {url} is locked {holder} and stayed locked for "
        f"{settings.busy_timeout:g} s; nothing of this command was stored: let the other "
        "writer finish, then run this again (or wait longer with CASTWATCH_BUSY_TIMEOUT=SECONDS)"
    )


class Store:
    """The database and the secrets of one data directory. Open with :meth:`open`."""

    def __init__(self, settings: Settings, engine: Engine, vault: CredentialVault) -> None:
        self.settings = settings
        self.engine = engine
        self.vault = vault
        self._users: _Users | None = None

    @classmethod
    def open(cls, settings: Settings, migrate_schema: bool = True) -> Store:
        """Create the data directory and database if needed and migrate the schema."""
        settings.ensure_home()
        try:
            engine = create_engine(settings.db_url, json_serializer=_dump_json)
        except (SQLAlchemyError, ImportError, ValueError) as exc:
            raise ConfigError(f"unusable database URL: {exc}") from None
        users = _Users(settings)
        url = engine.url.render_as_string(hide_password=True)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas(settings.busy_timeout))

            def on_error(context: ExceptionContext) -> BaseException | None:
                # Every statement, commit and connect of this engine passes here: the one
                # place where "database is locked" becomes a castwatch error.
                if _is_locked(context.original_exception):
                    return DatabaseLocked(_locked_message(settings, users, url))
                return None

            event.listen(engine, "handle_error", on_error)
        try:
            if migrate_schema:
                migrate(engine)
        except OperationalError as exc:
            engine.dispose()
            users.close()
            raise StorageError(f"cannot open the database {url}: {exc.orig}") from None
        except DatabaseLocked:
            engine.dispose()
            users.close()
            raise
        store = cls(settings, engine, CredentialVault(settings.keys_dir / "credentials.key"))
        store._users = users
        return store

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back if it raises."""
        # Rows read in a transaction stay usable after it ends (the CLI prints them later).
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()
        if self._users is not None:
            self._users.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
