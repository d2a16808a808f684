"""Where castwatch keeps its state: one data directory, one database URL.

Everything castwatch stores (database, keys, evidence, caches) lives under the data
directory: ``--home``, else ``$CASTWATCH_HOME``, else the per-user data directory
(``~/.local/share/castwatch`` on Linux). The database defaults to ``castwatch.db`` in it and
can be any SQLAlchemy URL via ``--db`` / ``$CASTWATCH_DB`` (``postgresql+psycopg://...``).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from castwatch.errors import ConfigError


@dataclass(slots=True, frozen=True)
class Settings:
    """The resolved data directory and database URL."""

    home: Path
    db_url: str

    @classmethod
    def resolve(cls, home: Path | str | None = None, db_url: str | None = None) -> Settings:
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
        return cls(home=home_path.resolve(), db_url=url)

    def ensure_home(self) -> Path:
        """Create the data directory (private to the user) and return it."""
        try:
            self.home.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise ConfigError(
                f"cannot create the data directory {self.home}: {exc.strerror}; "
                "choose another with --home or CASTWATCH_HOME"
            ) from None
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
