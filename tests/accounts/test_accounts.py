"""Accounts: organisations, users with argon2id passwords, API tokens, login throttling."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from castwatch.accounts import actions, secrets
from castwatch.accounts.model import Access, Role, Scope
from castwatch.errors import ConfigError, InvalidLogin, LoginThrottled, NotFound
from castwatch.storage.db import Store
from tests.conftest import CliRunner

PASSWORD = "correct horse battery staple"


@pytest.fixture()
def member(store: Store) -> Store:
    actions.add_organisation(store, "CANAL+")
    actions.add_user(store, "Ana@Example.org", "CANAL+", Role.INVESTIGATOR, PASSWORD)
    return store


def test_password_is_stored_as_argon2id_and_checked(member: Store) -> None:
    principal = actions.log_in(member, "ana@example.org", PASSWORD, remote="127.0.0.1")
    assert (principal.email, principal.organisation, principal.role) == (
        "ana@example.org", "CANAL+", Role.INVESTIGATOR,
    )  # fmt: skip
    with pytest.raises(InvalidLogin, match="wrong email or password"):
        actions.log_in(member, "ana@example.org", PASSWORD + "!")
    with pytest.raises(InvalidLogin, match="wrong email or password"):
        actions.log_in(member, "nobody@example.org", PASSWORD)


def test_failed_logins_are_throttled_per_account(member: Store) -> None:
    actions.add_organisation(member, "beIN")
    actions.add_user(member, "other@example.org", "beIN", Role.VIEWER, PASSWORD)
    for _ in range(5):
        with pytest.raises(InvalidLogin):
            actions.log_in(member, "ana@example.org", "not the password")
    with pytest.raises(LoginThrottled, match=r"too many failed logins for ana@example\.org"):
        actions.log_in(member, "ana@example.org", PASSWORD)
    # Another account is not locked by ana's failures.
    assert actions.log_in(member, "other@example.org", PASSWORD).organisation == "beIN"


def test_token_is_shown_once_and_stored_hashed(member: Store) -> None:
    created = actions.create_token(member, "ana@example.org", Scope.WRITE, timedelta(days=30))
    assert created.token.startswith(f"cw_{created.info.prefix}_")
    principal = actions.authenticate_token(member, created.token)
    assert principal.scope is Scope.WRITE and principal.can_write
    listed = actions.list_tokens(member)
    assert [token.prefix for token in listed] == [created.info.prefix]
    assert created.token not in repr(listed)
    assert listed[0].last_used_at is not None


def test_revoked_expired_and_forged_tokens_are_refused(member: Store) -> None:
    live = actions.create_token(member, "ana@example.org", Scope.READ, None)
    expired = actions.create_token(member, "ana@example.org", Scope.READ, timedelta(seconds=-1))
    forged = live.token[:-4] + ("AAAA" if not live.token.endswith("AAAA") else "BBBB")
    for token in (expired.token, forged, "cw_nothing", "", "Bearer " + live.token):
        with pytest.raises(InvalidLogin):
            actions.authenticate_token(member, token)
    assert not actions.authenticate_token(member, live.token).can_write
    actions.revoke_token(member, live.info.prefix)
    with pytest.raises(InvalidLogin, match="unknown, expired or revoked"):
        actions.authenticate_token(member, live.token)


def test_bad_input_gets_a_clear_error(member: Store) -> None:
    with pytest.raises(ConfigError, match="exists already"):
        actions.add_organisation(member, " CANAL+ ")
    with pytest.raises(NotFound, match=r"no organisation 'Nope' \(known: CANAL\+"):
        actions.add_user(member, "x@example.org", "Nope", Role.ADMIN, PASSWORD)
    with pytest.raises(ConfigError, match="not an email address"):
        actions.add_user(member, "no-at-sign", "CANAL+", Role.ADMIN, PASSWORD)
    with pytest.raises(ConfigError, match="at least 12 characters"):
        actions.add_user(member, "x@example.org", "CANAL+", Role.ADMIN, "short")
    with pytest.raises(ConfigError, match="exists already"):
        actions.add_user(member, "ANA@example.org", "CANAL+", Role.ADMIN, PASSWORD)
    with pytest.raises(NotFound, match="no token"):
        actions.revoke_token(member, "0123456789ab")


@given(st.text(max_size=120))
def test_split_token_accepts_only_the_token_shape(text: str) -> None:
    parts = secrets.split_token(text)
    if parts is not None:
        prefix, secret = parts
        assert text.strip() == f"cw_{prefix}_{secret}"


def test_new_tokens_split_back_into_their_prefix() -> None:
    for _ in range(200):
        token, prefix, secret_hash = secrets.new_token()
        parts = secrets.split_token(token)
        assert parts is not None and parts[0] == prefix
        assert secrets.same_hash(secret_hash, parts[1])


def test_cli_org_user_token(cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli("org", "add", "CANAL+", "--json").json()["name"] == "CANAL+"  # type: ignore[index]
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code, out, _ = cli("user", "add", "ana@example.org", "--org", "CANAL+", "--role", "admin")
    assert code == 0 and "password" not in out
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    made = cli("user", "add", "bob@example.org", "--org", "CANAL+", "--role", "viewer", "--json")
    generated = made.json()["password"]  # type: ignore[index]
    assert isinstance(generated, str) and len(generated) >= 12
    created = cli("token", "create", "--user", "bob@example.org", "--json")
    document = created.json()
    assert isinstance(document, dict)
    assert document["scope"] == "read" and document["token"].startswith("cw_")
    listed = cli("token", "list", "--json")
    assert document["token"] not in listed.stdout
    assert cli("token", "revoke", document["token"]).code == 0
    code, _, err = cli("user", "add", "x@example.org", "--org", "CANAL+", "--role", "boss")
    assert code != 0 and "--role must be admin, investigator or viewer" in err
    code, _, err = cli("token", "create", "--user", "bob@example.org", "--expires", "soon")
    assert code != 0 and "'soon' is not a duration" in err


def test_demo_login_owns_the_demo_and_can_be_made_again(store: Store) -> None:
    email, password, token = actions.demo_login(store, "demo", ["svc-a"], [7])
    principal = actions.authenticate_token(store, token)
    assert (principal.organisation, principal.role) == ("demo", Role.ADMIN)
    assert actions.owned_keys(store, principal, "service") == {"svc-a"}
    assert actions.case_access(store, principal) == {7: Access.OWNER}
    again = actions.demo_login(store, "demo", ["svc-a"], [7])
    assert again[0] == email and again[1] != password
    assert actions.log_in(store, email, again[1]).email == email
    with pytest.raises(InvalidLogin):
        actions.log_in(store, email, password)
