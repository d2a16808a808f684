"""``castwatch org``, ``user`` and ``token``: the accounts of the coalition server."""

from __future__ import annotations

import sys
from datetime import timedelta
from typing import Annotated

import typer

from castwatch.cli import options as opt
from castwatch.cli.app import app
from castwatch.cli.output import console, note_line, print_json

org_app = typer.Typer(help="Organisations: one per coalition member.", no_args_is_help=True)
user_app = typer.Typer(help="Users of the server, each in one organisation.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens: shown once, stored hashed.", no_args_is_help=True)
app.add_typer(org_app, name="org")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")


def _render(json: bool, document: object, lines: list[str]) -> None:
    """``document`` as JSON with ``--json``, else ``lines``, plain (no markup)."""
    if json:
        print_json(document)
        return
    for line in lines:
        console.print(line, markup=False, highlight=False, soft_wrap=True)


@org_app.command("add")
def org_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The organisation's name (CANAL+, a league...).")],
    json: opt.Json = False,
) -> None:
    """Add an organisation."""
    from castwatch.accounts import actions

    with opt.open_store(ctx) as store:
        organisation = actions.add_organisation(store, name)
    _render(json, organisation.to_dict(), [f"organisation #{organisation.id} {organisation.name}"])


@org_app.command("list")
def org_list(ctx: typer.Context, json: opt.Json = False) -> None:
    """List the organisations."""
    from castwatch.accounts import actions

    with opt.open_store(ctx) as store:
        organisations = actions.list_organisations(store)
    _render(
        json, [o.to_dict() for o in organisations], [f"{o.id}\t{o.name}" for o in organisations]
    )


def _password_from_stdin() -> str | None:
    """A password piped on standard input (its first line), or None at a terminal."""
    if sys.stdin is None or sys.stdin.isatty():
        return None
    line = sys.stdin.readline()
    password = line.rstrip("\r\n")
    return password or None


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The user's email address (the login).")],
    org: Annotated[str, typer.Option("--org", help="The user's organisation.")],
    role: Annotated[str, typer.Option("--role", help="admin, investigator or viewer.")],
    json: opt.Json = False,
) -> None:
    """Add a user. The password is read from standard input; with none, one is generated and
    printed once."""
    from castwatch.accounts import actions
    from castwatch.accounts.model import Role

    try:
        chosen = Role(role.strip().lower())
    except ValueError:
        raise typer.BadParameter("--role must be admin, investigator or viewer") from None
    with opt.open_store(ctx) as store:
        user, generated = actions.add_user(store, email, org, chosen, _password_from_stdin())
    lines = [f"user #{user.id} {user.email} ({user.role.value}, {user.organisation})"]
    if generated:
        lines.append(f"password (shown once): {generated}")
    _render(json, user.to_dict() | ({"password": generated} if generated else {}), lines)


@user_app.command("list")
def user_list(
    ctx: typer.Context,
    org: Annotated[str | None, typer.Option("--org", help="Only this organisation.")] = None,
    json: opt.Json = False,
) -> None:
    """List the users."""
    from castwatch.accounts import actions

    with opt.open_store(ctx) as store:
        users = actions.list_users(store, org)
    _render(
        json,
        [user.to_dict() for user in users],
        [f"{u.id}\t{u.email}\t{u.role.value}\t{u.organisation}" for u in users],
    )


def _lifetime(text: str | None) -> timedelta | None:
    from castwatch.jobs.schedule import parse_duration

    if text is None or text.strip().lower() in {"never", "none"}:
        return None
    return timedelta(seconds=parse_duration(text))


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    user: Annotated[str, typer.Option("--user", help="Whose token (email).")],
    scope: Annotated[str, typer.Option("--scope", help="read or write.")] = "read",
    expires: Annotated[
        str | None, typer.Option("--expires", help="Lifetime: 30d, 12h... or never.")
    ] = "30d",
    json: opt.Json = False,
) -> None:
    """Create an API token. It is shown this once; only its hash is stored."""
    from castwatch.accounts import actions
    from castwatch.accounts.model import Scope

    try:
        chosen = Scope(scope.strip().lower())
    except ValueError:
        raise typer.BadParameter("--scope must be read or write") from None
    lifetime = _lifetime(expires)
    with opt.open_store(ctx) as store:
        created = actions.create_token(store, user, chosen, lifetime)
    _render(json, created.to_dict(), [created.token])
    if json:
        return
    until = created.info.expires_at.isoformat() if created.info.expires_at else "never"
    note_line(
        f"token {created.info.prefix} for {created.info.user}: {chosen.value}, expires {until}; "
        "shown once, keep it safe"
    )


@token_app.command("list")
def token_list(
    ctx: typer.Context,
    user: Annotated[str | None, typer.Option("--user", help="Only this user's.")] = None,
    json: opt.Json = False,
) -> None:
    """List API tokens (never their secrets)."""
    from castwatch.accounts import actions

    with opt.open_store(ctx) as store:
        tokens = actions.list_tokens(store, user)
    _render(
        json,
        [token.to_dict() for token in tokens],
        [
            f"{t.prefix}\t{t.user}\t{t.scope.value}\t{'revoked' if t.revoked_at else 'active'}"
            for t in tokens
        ],
    )


@token_app.command("revoke")
def token_revoke(
    ctx: typer.Context,
    token: Annotated[str, typer.Argument(help="The token, or its prefix from token list.")],
    json: opt.Json = False,
) -> None:
    """Revoke an API token: it stops working at once."""
    from castwatch.accounts import actions

    with opt.open_store(ctx) as store:
        revoked = actions.revoke_token(store, token)
    _render(json, revoked.to_dict(), [f"token {revoked.prefix} of {revoked.user} revoked"])
