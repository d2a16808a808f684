"""The accounts actions every surface calls (``castwatch org/user/token``, the server's login).

Each opens its own transaction on a :class:`~castwatch.storage.db.Store`.
"""

from __future__ import annotations

from datetime import timedelta

from castwatch.accounts import model as m
from castwatch.accounts import secrets, store
from castwatch.errors import InvalidLogin
from castwatch.storage.db import Store


def add_organisation(db: Store, name: str) -> m.Organisation:
    with db.session() as session:
        return store.add_organisation(session, name)


def list_organisations(db: Store) -> list[m.Organisation]:
    with db.session() as session:
        return store.list_organisations(session)


def add_user(
    db: Store, email: str, organisation: str, role: m.Role, password: str | None = None
) -> tuple[m.User, str | None]:
    """Add a user; with no password one is generated and returned (shown once), else None."""
    generated = secrets.generate_password() if password is None else None
    with db.session() as session:
        user = store.add_user(session, email, organisation, role, password or generated or "")
    return user, generated


def list_users(db: Store, organisation: str | None = None) -> list[m.User]:
    with db.session() as session:
        return store.list_users(session, organisation)


def create_token(
    db: Store, email: str, scope: m.Scope = m.Scope.READ, lifetime: timedelta | None = None
) -> m.NewToken:
    with db.session() as session:
        return store.create_token(session, email, scope, lifetime)


def list_tokens(db: Store, email: str | None = None) -> list[m.TokenInfo]:
    with db.session() as session:
        return store.list_tokens(session, email)


def revoke_token(db: Store, token_or_prefix: str) -> m.TokenInfo:
    with db.session() as session:
        return store.revoke_token(session, token_or_prefix)


def authenticate_token(db: Store, token: str) -> m.Principal:
    with db.session() as session:
        return store.authenticate_token(session, token)


def log_in(db: Store, email: str, password: str, remote: str | None = None) -> m.Principal:
    """A password login. A failure is committed before it is raised, so that it counts."""
    with db.session() as session:
        principal = store.attempt_login(session, email, password, remote)
    if principal is None:
        raise InvalidLogin("wrong email or password")
    return principal


def assign(db: Store, organisation: str, kind: str, key: str | int) -> None:
    """Make ``organisation`` the owner of one object: a ``service`` by name, a ``case`` or a
    ``job`` by number."""
    with db.session() as session:
        store.set_owner(session, kind, key, store.organisation_id(session, organisation))


def owned_keys(db: Store, principal: m.Principal, kind: str) -> set[str]:
    with db.session() as session:
        return store.owned_keys(session, kind, principal.organisation_id)


def case_access(db: Store, principal: m.Principal) -> dict[int, m.Access]:
    with db.session() as session:
        return store.case_access(session, principal.organisation_id)


def share_case(
    db: Store, principal: m.Principal, case_id: int, organisation: str, level: m.ShareLevel
) -> None:
    with db.session() as session:
        store.share_case(session, case_id, principal, organisation, level)


def demo_login(
    db: Store, organisation: str, services: list[str], cases: list[int]
) -> tuple[str, str, str]:
    """An organisation owning ``services`` and ``cases``, with a fresh admin login and API
    token for it: ``(email, password, token)``, each shown once by ``castwatch demo``.

    Run again, it gives the same user a new password and a new token (the old token stays
    valid until it expires).
    """
    email = f"analyst@{organisation.lower()}.castwatch.test"
    password = secrets.generate_password()
    with db.session() as session:
        if organisation not in {o.name for o in store.list_organisations(session)}:
            store.add_organisation(session, organisation)
        org = store.organisation_id(session, organisation)
        if email in {user.email for user in store.list_users(session, organisation)}:
            store.set_password(session, email, password)
        else:
            store.add_user(session, email, organisation, m.Role.ADMIN, password)
        for name in services:
            store.set_owner(session, "service", name, org)
        for case_id in cases:
            store.set_owner(session, "case", case_id, org)
        token = store.create_token(session, email, m.Scope.WRITE, timedelta(days=30)).token
    return email, password, token
