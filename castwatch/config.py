"""Where castwatch keeps its state: one data directory, one database URL.

Everything castwatch stores (database, keys, evidence, caches) lives under the data
directory: ``--home``, else ``$CASTWATCH_HOME``, else the per-user data directory
(``~/.local/share/castwatch`` on Linux). The database defaults to ``castwatch.db`` in it and
can be any SQLAlchemy URL via ``--db`` / ``$CASTWATCH_DB`` (``postgresql+psycopg://...``).

The data directory is private to the user: castwatch sets the process umask to 0o077 when it
opens a home, so every file it writes there (database, keys, evidence, thumbnails, captures,
caches) is 0600 and every directory 0700, and it takes away group and other access from an
existing home the first time it opens it (saying so once on stderr).
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from castwatch.errors import ConfigError

#: Seconds a write waits for another writer's lock before failing (``$CASTWATCH_BUSY_TIMEOUT``).
DEFAULT_BUSY_TIMEOUT = 30.0
#: Written in the data directory once its modes have been made private.
PRIVATE_MARKER = ".private"
#: Group and other permission bits: what "private" takes away.
_SHARED_BITS = stat.S_IRWXG | stat.S_IRWXO


@dataclass(slots=True, frozen=True)
class Settings:
    """The resolved data directory and database URL.

    ``busy_timeout`` is how long a write waits for another writer's lock on an SQLite
    database; ``work`` names what this process does (``ingest``, ``case``), so that a process
    kept waiting can say what holds the database.
    """

    home: Path
    db_url: str
    busy_timeout: float = DEFAULT_BUSY_TIMEOUT
    work: str | None = None

    @classmethod
    def resolve(
        cls,
        home: Path | str | None = None,
        db_url: str | None = None,
        work: str | None = None,
    ) -> Settings:
        """Apply the precedence: argument, then environment, then the default."""
        home_value = home or os.environ.get("CASTWATCH_HOME")
        home_path = (
            Path(home_value).expanduser()
            if home_value
            else platformdirs.user_data_path("castwatch", appauthor=False)
        )
        url = db_url or os.environ.get("CASTWATCH_DB") or f"sqlite:///{home_path / 'castwatch.db'}"
        if "://" not in url:
            raise ConfigError(
                f"database URL {url!r} has no scheme: use sqlite:///PATH or "
                "postgresql+psycopg://USER@HOST/DB"
            )
        return cls(home=home_path.resolve(), db_url=url, busy_timeout=_busy_timeout(), work=work)

    def ensure_home(self) -> Path:
        """Create the data directory (private to the user), make it private, and return it."""
        # Process-wide on purpose: every file castwatch writes from here on (database, its
        # WAL, evidence, thumbnails, captures, caches) is created 0600 and every folder 0700.
        os.umask(0o077)
        try:
            self.home.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise ConfigError(
                f"cannot create the data directory {self.home}: {exc.strerror}; "
                "choose another with --home or CASTWATCH_HOME"
            ) from None
        make_private(self.home)
        return self.home

    @property
    def keys_dir(self) -> Path:
        return self.home / "keys"

    @property
    def evidence_dir(self) -> Path:
        return self.home / "evidence"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"


def _busy_timeout() -> float:
    value = os.environ.get("CASTWATCH_BUSY_TIMEOUT")
    if not value:
        return DEFAULT_BUSY_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < 86_400:
        raise ConfigError(
            f"CASTWATCH_BUSY_TIMEOUT={value!r} is not a number of seconds between 0 and 86400"
        )
    return seconds


def make_private(home: Path) -> int:
    """Take group and other access away from ``home`` and everything in it; how many changed.

    Runs when the home is new to this castwatch (no marker yet) or its own mode was opened up
    since; says once on stderr what it changed. Symbolic links are left alone (their targets
    are not castwatch's), as are files another user owns (named in the note).
    """
    marker = home / PRIVATE_MARKER
    if marker.exists() and not home.stat().st_mode & _SHARED_BITS:
        return 0
    changed = 0
    refused: list[str] = []
    for folder, dirs, files in os.walk(home):
        for name in [".", *dirs, *files]:
            path = Path(folder) if name == "." else Path(folder) / name
            try:
                mode = path.lstat().st_mode
                if stat.S_ISLNK(mode) or not mode & _SHARED_BITS:
                    continue
                path.chmod(stat.S_IMODE(mode) & ~_SHARED_BITS)
                changed += 1
            except OSError:
                refused.append(str(path))
    if changed or refused:
        note = f"castwatch: made the data directory {home} private: {changed:,} file(s) and "
        note += "folder(s) were open to other users, now owner-only (0600 files, 0700 folders)"
        if refused:
            note += f"; could not change {len(refused):,}, e.g. {refused[0]}"
        sys.stderr.write(note + "\n")
    # A read-only home is still usable; the pass then runs again next time.
    with contextlib.suppress(OSError):
        marker.touch(mode=0o600)
    return changed


# --- optional settings files of the later stages (enforce.toml, attribute.toml) -------------


def read_toml(path: Path) -> dict[str, Any]:
    """The document in ``path``, or an empty one when the file does not exist."""
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None


def toml_section(document: dict[str, Any], name: str, path: Path) -> dict[str, Any]:
    """The ``[name]`` table of a settings document (empty when absent)."""
    value = document.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: [{name}] must be a table")
    return value


def setting_text(section: dict[str, Any], key: str, env: str) -> str | None:
    """A text setting: the environment variable ``env`` wins over the file's ``key``."""
    value = os.environ.get(env) or section.get(key)
    if value is None:
        return None
    return str(value).strip() or None
