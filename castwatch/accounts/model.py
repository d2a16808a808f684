"""The accounts model: plain values, no I/O."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any


class Role(enum.StrEnum):
    """What a user may do in its organisation."""

    ADMIN = "admin"
    INVESTIGATOR = "investigator"
    VIEWER = "viewer"


class Scope(enum.StrEnum):
    """What an API token may do: ``read`` only, or ``write`` (which includes read)."""

    READ = "read"
    WRITE = "write"


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


@dataclass(frozen=True, slots=True)
class Organisation:
    id: int
    name: str
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "created_at": _iso(self.created_at)}


@dataclass(frozen=True, slots=True)
class User:
    id: int
    email: str
    organisation: str
    role: Role
    created_at: datetime
    disabled: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"role": self.role.value, "created_at": _iso(self.created_at)}


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """A token as listed: never its secret, which only :class:`NewToken` carries, once."""

    id: int
    prefix: str
    user: str
    scope: Scope
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "prefix": self.prefix,
            "user": self.user,
            "scope": self.scope.value,
            "created_at": _iso(self.created_at),
            "expires_at": _iso(self.expires_at),
            "revoked_at": _iso(self.revoked_at),
            "last_used_at": _iso(self.last_used_at),
        }


@dataclass(frozen=True, slots=True)
class NewToken:
    """A token just created: ``token`` is shown to its owner this once and never stored."""

    token: str
    info: TokenInfo

    def to_dict(self) -> dict[str, Any]:
        return {"token": self.token} | self.info.to_dict()


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the user, its organisation and role, and the token's scope."""

    user_id: int
    email: str
    organisation_id: int
    organisation: str
    role: Role
    scope: Scope

    @property
    def can_write(self) -> bool:
        return self.scope is Scope.WRITE and self.role is not Role.VIEWER


class ShareLevel(enum.StrEnum):
    """How much of a case another organisation sees: the case and its findings, or all."""

    SUMMARY = "summary"
    FULL = "full"


class Access(enum.StrEnum):
    """What an organisation may see of an object: its own, or shared at a level."""

    OWNER = "owner"
    FULL = "full"
    SUMMARY = "summary"
