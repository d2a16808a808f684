"""Accounts in the database: create organisations, users and tokens; check logins and tokens.

Every function takes a session of :meth:`castwatch.storage.db.Store.session` and returns the
plain values of :mod:`castwatch.accounts.model`.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from castwatch.accounts import secrets
from castwatch.accounts.model import (
    Access,
    NewToken,
    Organisation,
    Principal,
    Role,
    Scope,
    ShareLevel,
    TokenInfo,
    User,
)
from castwatch.accounts.tables import (
    ApiTokenRow,
    CaseShareRow,
    LoginAttemptRow,
    OrganisationRow,
    OwnershipRow,
    UserRow,
)
from castwatch.errors import ConfigError, InvalidLogin, LoginThrottled, NotFound

#: Failed logins allowed for one email within :data:`THROTTLE_WINDOW` before it is refused.
THROTTLE_FAILURES = 5
THROTTLE_WINDOW = timedelta(minutes=15)
_EMAIL_MAX = 320


def _now() -> datetime:
    return datetime.now(UTC)


_Value = TypeVar("_Value")


def _from_row(kind: type[_Value], row: object, **given: object) -> _Value:
    """A model value from the row's columns of the same names; ``given`` for the others."""
    names = [field.name for field in fields(kind)]  # type: ignore[arg-type]
    return kind(**{name: given[name] if name in given else getattr(row, name) for name in names})


def _organisation(row: OrganisationRow) -> Organisation:
    return _from_row(Organisation, row)


def _user(row: UserRow, organisation: str) -> User:
    return _from_row(User, row, organisation=organisation, role=Role(row.role))


def _token(row: ApiTokenRow, email: str) -> TokenInfo:
    return _from_row(TokenInfo, row, user=email, scope=Scope(row.scope))


def normalise_email(email: str) -> str:
    """The stored form of an email address; ConfigError when it is not one."""
    cleaned = email.strip().lower()
    local, at, domain = cleaned.partition("@")
    if not at or not local or "." not in domain or len(cleaned) > _EMAIL_MAX or " " in cleaned:
        raise ConfigError(f"{email!r} is not an email address")
    return cleaned


def add_organisation(session: Session, name: str) -> Organisation:
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > 200:
        raise ConfigError("an organisation needs a name of 1 to 200 characters")
    if session.scalar(select(OrganisationRow.id).where(OrganisationRow.name == cleaned)):
        raise ConfigError(f"organisation {cleaned!r} exists already")
    row = OrganisationRow(name=cleaned, created_at=_now())
    session.add(row)
    session.flush()
    return _organisation(row)


def list_organisations(session: Session) -> list[Organisation]:
    rows = session.scalars(select(OrganisationRow).order_by(OrganisationRow.name))
    return [_organisation(row) for row in rows]


def _organisation_row(session: Session, name: str) -> OrganisationRow:
    row = session.scalar(select(OrganisationRow).where(OrganisationRow.name == name.strip()))
    if row is None:
        known = ", ".join(o.name for o in list_organisations(session)) or "none yet"
        raise NotFound(f"no organisation {name!r} (known: {known}); add it with castwatch org add")
    return row


def add_user(session: Session, email: str, organisation: str, role: Role, password: str) -> User:
    address = normalise_email(email)
    if len(password) < secrets.MIN_PASSWORD_LENGTH:
        raise ConfigError(f"a password needs at least {secrets.MIN_PASSWORD_LENGTH} characters")
    org = _organisation_row(session, organisation)
    if session.scalar(select(UserRow.id).where(UserRow.email == address)):
        raise ConfigError(f"user {address} exists already")
    row = UserRow(
        email=address,
        organisation_id=org.id,
        role=role.value,
        password_hash=secrets.hash_password(password),
        created_at=_now(),
    )
    session.add(row)
    session.flush()
    return _user(row, org.name)


def set_password(session: Session, email: str, password: str) -> None:
    if len(password) < secrets.MIN_PASSWORD_LENGTH:
        raise ConfigError(f"a password needs at least {secrets.MIN_PASSWORD_LENGTH} characters")
    _user_row(session, email).password_hash = secrets.hash_password(password)


def list_users(session: Session, organisation: str | None = None) -> list[User]:
    query = select(UserRow, OrganisationRow.name).join(OrganisationRow).order_by(UserRow.email)
    if organisation is not None:
        query = query.where(OrganisationRow.id == _organisation_row(session, organisation).id)
    return [_user(row, org) for row, org in session.execute(query)]


def _user_row(session: Session, email: str) -> UserRow:
    row = session.scalar(select(UserRow).where(UserRow.email == normalise_email(email)))
    if row is None:
        raise NotFound(f"no user {email!r}; add one with castwatch user add")
    return row


def create_token(
    session: Session, email: str, scope: Scope, lifetime: timedelta | None
) -> NewToken:
    user = _user_row(session, email)
    now = _now()
    for _ in range(3):  # a prefix collision (48 random bits) is near impossible; retry anyway
        token, prefix, secret_hash = secrets.new_token()
        row = ApiTokenRow(
            user_id=user.id,
            prefix=prefix,
            secret_hash=secret_hash,
            scope=scope.value,
            created_at=now,
            expires_at=None if lifetime is None else now + lifetime,
        )
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            continue
        return NewToken(token=token, info=_token(row, user.email))
    raise ConfigError("could not draw a unique token prefix; try again")


def list_tokens(session: Session, email: str | None = None) -> list[TokenInfo]:
    query = select(ApiTokenRow, UserRow.email).join(UserRow).order_by(ApiTokenRow.id)
    if email is not None:
        query = query.where(UserRow.id == _user_row(session, email).id)
    return [_token(row, address) for row, address in session.execute(query)]


def revoke_token(session: Session, token_or_prefix: str) -> TokenInfo:
    """Revoke a token given whole or by the prefix ``castwatch token list`` shows."""
    parts = secrets.split_token(token_or_prefix)
    prefix = parts[0] if parts else token_or_prefix.strip()
    found = session.execute(
        select(ApiTokenRow, UserRow.email).join(UserRow).where(ApiTokenRow.prefix == prefix)
    ).first()
    if found is None:
        raise NotFound(f"no token with prefix {prefix!r}; castwatch token list shows them")
    row, email = found
    if row.revoked_at is None:
        row.revoked_at = _now()
    return _token(row, email)


def _principal(session: Session, user: UserRow, scope: Scope) -> Principal:
    org = session.get_one(OrganisationRow, user.organisation_id)
    return Principal(
        user_id=user.id,
        email=user.email,
        organisation_id=org.id,
        organisation=org.name,
        role=Role(user.role),
        scope=scope,
    )


def authenticate_token(session: Session, token: str) -> Principal:
    """The principal behind a bearer token; InvalidLogin for anything else, saying nothing
    of whether the token existed."""
    parts = secrets.split_token(token)
    if parts is None:
        raise InvalidLogin("not a castwatch API token")
    prefix, secret = parts
    row = session.scalar(select(ApiTokenRow).where(ApiTokenRow.prefix == prefix))
    now = _now()
    if (
        row is None
        or not secrets.same_hash(row.secret_hash, secret)
        or row.revoked_at is not None
        or (row.expires_at is not None and row.expires_at <= now)
    ):
        raise InvalidLogin("unknown, expired or revoked token")
    user = session.get_one(UserRow, row.user_id)
    if user.disabled:
        raise InvalidLogin("unknown, expired or revoked token")
    row.last_used_at = now
    return _principal(session, user, Scope(row.scope))


def recent_failures(session: Session, email: str, now: datetime) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(LoginAttemptRow)
            .where(
                LoginAttemptRow.email == email,
                LoginAttemptRow.succeeded.is_(False),
                LoginAttemptRow.at > now - THROTTLE_WINDOW,
            )
        )
        or 0
    )


def attempt_login(
    session: Session, email: str, password: str, remote: str | None = None
) -> Principal | None:
    """Check a password login, throttled per account, and record the attempt.

    Returns None for a wrong email or password (the caller raises after the attempt is
    committed, so that a failure counts); raises LoginThrottled past the throttle. A password
    login gets write scope; what it may write is still bounded by the role.
    """
    try:
        address = normalise_email(email)
    except ConfigError:
        return None
    now = _now()
    if recent_failures(session, address, now) >= THROTTLE_FAILURES:
        raise LoginThrottled(
            f"too many failed logins for {address}; wait "
            f"{int(THROTTLE_WINDOW.total_seconds() // 60)} minutes"
        )
    user = session.scalar(select(UserRow).where(UserRow.email == address))
    ok = (
        user is not None
        and not user.disabled
        and secrets.password_matches(user.password_hash, password)
    )
    session.add(LoginAttemptRow(email=address, at=now, succeeded=ok, remote=remote))
    if not ok or user is None:
        return None
    if secrets.needs_rehash(user.password_hash):
        user.password_hash = secrets.hash_password(password)
    return _principal(session, user, Scope.WRITE)


def organisation_id(session: Session, name: str) -> int:
    return _organisation_row(session, name).id


def set_owner(session: Session, kind: str, key: str | int, organisation: int) -> None:
    """Make ``organisation`` the owner of the object (replacing any earlier owner)."""
    row = session.scalar(
        select(OwnershipRow).where(OwnershipRow.kind == kind, OwnershipRow.key == str(key))
    )
    if row is None:
        session.add(OwnershipRow(kind=kind, key=str(key), organisation_id=organisation))
    else:
        row.organisation_id = organisation
    session.flush()


def owned_keys(session: Session, kind: str, organisation: int) -> set[str]:
    query = select(OwnershipRow.key).where(
        OwnershipRow.kind == kind, OwnershipRow.organisation_id == organisation
    )
    return set(session.scalars(query))


def case_access(session: Session, organisation: int) -> dict[int, Access]:
    """Every case ``organisation`` may see, with how: its own, or shared to it."""
    seen = {int(key): Access.OWNER for key in owned_keys(session, "case", organisation)}
    shares = select(CaseShareRow.case_id, CaseShareRow.level).where(
        CaseShareRow.organisation_id == organisation
    )
    for case_id, level in session.execute(shares):
        seen.setdefault(case_id, Access(level))
    return seen


def share_case(
    session: Session, case_id: int, by: Principal, organisation: str, level: ShareLevel
) -> None:
    """Share a case the caller's organisation owns with another organisation, at ``level``
    (sharing again changes the level)."""
    if case_access(session, by.organisation_id).get(case_id) is not Access.OWNER:
        raise NotFound(f"no case {case_id}")
    target = _organisation_row(session, organisation)
    if target.id == by.organisation_id:
        raise ConfigError("a case is not shared with its own organisation")
    row = session.scalar(
        select(CaseShareRow).where(
            CaseShareRow.case_id == case_id, CaseShareRow.organisation_id == target.id
        )
    )
    if row is None:
        session.add(
            CaseShareRow(
                case_id=case_id,
                organisation_id=target.id,
                level=level.value,
                shared_at=_now(),
                shared_by=by.user_id,
            )
        )
    else:
        row.level = level.value
