"""Notice commands: draft, list, show, send (with retries), mark, and recipient contacts."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from castwatch.catalog.notices import CONTACT_ROLES, Notice, NoticeStatus
from castwatch.cli import options as opt
from castwatch.cli.app import command_group
from castwatch.cli.output import console, print_json
from castwatch.config import Settings
from castwatch.enforce.settings import EnforceSettings, load_enforce_settings
from castwatch.errors import EnforcementError

notice_app = command_group("notice", "Takedown notices, abuse reports, blocking lists.")


def _settings(ctx: typer.Context) -> EnforceSettings:
    settings = ctx.obj if isinstance(ctx.obj, Settings) else Settings.resolve()
    return load_enforce_settings(settings.home)


def _row(notice: Notice) -> list[str]:
    return [
        str(notice.id), str(notice.case_id), notice.kind, notice.status.value,
        notice.recipient_host, notice.recipient_email or "UNKNOWN", str(notice.attempts),
        (notice.last_error or "")[:60],
    ]  # fmt: skip


def _table(notices: list[Notice]) -> None:
    table = Table("id", "case", "kind", "status", "host", "recipient", "tries", "last error")
    for notice in notices:
        table.add_row(*_row(notice))
    console.print(table)


@notice_app.command("draft")
def notice_draft(
    ctx: typer.Context,
    case: Annotated[str, typer.Argument(help="Case name or number.")],
    kind: Annotated[
        str, typer.Option("--kind", help="dmca, dsa, abuse-host, abuse-registrar, blocklist.")
    ],
    host: Annotated[str | None, typer.Option("--host", help="Only this host.")] = None,
    holder: Annotated[
        str | None, typer.Option("--holder", help="Rights holder (default: on_behalf_of).")
    ] = None,
    to: Annotated[str | None, typer.Option("--to", help="Recipient e-mail override.")] = None,
    max_urls: Annotated[int, typer.Option("--max-urls", help="URLs listed per notice.")] = 500,
    json: opt.Json = False,
) -> None:
    """Draft notices of one kind for a case (one per host; one blocking list per case)."""
    from castwatch.enforce.notices.draft import draft_notices

    with opt.open_store(ctx) as store:
        notices = draft_notices(store, case, kind, _settings(ctx), host, holder, max_urls, to)
    if json:
        print_json([n.as_dict(with_text=True) for n in notices])
        return
    for notice in notices:
        console.print(f"[bold]notice {notice.id}[/] ({notice.kind}) {escape(notice.subject)}",
                      highlight=False)  # fmt: skip
        console.print(notice.text, highlight=False, markup=False)


@notice_app.command("show")
def notice_show(
    ctx: typer.Context,
    notice_id: Annotated[int, typer.Argument(metavar="ID")],
    json: opt.Json = False,
    lumen: Annotated[bool, typer.Option("--lumen", help="The Lumen notice JSON.")] = False,
) -> None:
    """A notice's text (or JSON document, or its Lumen form) and tracking state."""
    from castwatch.enforce.store_notices import load_notice

    with opt.open_store(ctx) as store:
        notice = load_notice(store, notice_id)
    if lumen:
        print_json({"notice": notice.document.get("lumen", notice.document)})
    elif json:
        print_json(notice.as_dict(with_text=True))
    else:
        _table([notice])
        console.print(notice.text, highlight=False, markup=False)


@notice_app.command("list")
def notice_list(
    ctx: typer.Context,
    case: Annotated[str | None, typer.Argument(help="Only this case's notices.")] = None,
    json: opt.Json = False,
) -> None:
    """Notices with status, recipient, attempts and last error."""
    from castwatch.enforce.store_notices import list_notices

    with opt.open_store(ctx) as store:
        notices = list_notices(store, case)
    if json:
        print_json([n.as_dict() for n in notices])
        return
    _table(notices)


@notice_app.command("send")
def notice_send(
    ctx: typer.Context,
    notice_id: Annotated[int | None, typer.Argument(metavar="ID")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the e-mail only.")] = False,
    queued: Annotated[bool, typer.Option("--queued", help="Retry every due queued notice.")] = (
        False
    ),
    json: opt.Json = False,
) -> None:
    """Send a notice by SMTP (retried with backoff; on failure it stays queued)."""
    from castwatch.enforce.notices.send import preview_message, send_notice, send_queued

    settings = _settings(ctx)
    with opt.open_store(ctx) as store:
        if queued:
            results = send_queued(store, settings)
            if json:
                print_json([{"id": i, "error": e} for i, e in results])
            for notice, error in results if not json else []:
                console.print(f"notice {notice}: {escape(error or 'sent')}", highlight=False)
            if any(error for _, error in results):
                raise typer.Exit(1)
            return
        if notice_id is None:
            raise typer.BadParameter("give a notice ID or --queued")
        if dry_run:
            message = preview_message(store, notice_id, settings)
            if json:
                print_json({"id": notice_id, "message": message.as_string()})
            else:
                console.print(message.as_string(), highlight=False, markup=False)
            return
        sent = send_notice(store, notice_id, settings)
    if json:
        print_json(sent.as_dict())
        return
    console.print(f"notice {sent.id} sent to {sent.recipient_email} ({sent.message_id})",
                  highlight=False)  # fmt: skip


@notice_app.command("mark")
def notice_mark(
    ctx: typer.Context,
    notice_id: Annotated[int, typer.Argument(metavar="ID")],
    status: Annotated[str, typer.Argument(help="acknowledged or actioned.")],
    json: opt.Json = False,
) -> None:
    """Record that the recipient acknowledged or acted on a notice."""
    from castwatch.enforce.store_notices import mark_notice

    try:
        target = NoticeStatus(status.strip().lower())
    except ValueError:
        raise EnforcementError(
            f"unknown notice status {status!r}; mark acknowledged or actioned"
        ) from None
    with opt.open_store(ctx) as store:
        notice = mark_notice(store, notice_id, target)
    if json:
        print_json(notice.as_dict())
        return
    console.print(f"notice {notice.id} {notice.status.value}", highlight=False)


@notice_app.command("contact")
def notice_contact(
    ctx: typer.Context,
    host: Annotated[str, typer.Argument(help="Host or domain (applies to subdomains).")],
    role: Annotated[str, typer.Argument(help=", ".join(CONTACT_ROLES) + ".")],
    email: Annotated[str, typer.Argument(help="Where notices go.")],
    name: Annotated[str | None, typer.Option("--name", help="Organisation.")] = None,
    source: Annotated[str, typer.Option("--source", help="Where you found it.")] = "manual",
    json: opt.Json = False,
) -> None:
    """Record who receives notices about HOST in ROLE (host, cdn, registrar, dmca-agent)."""
    from castwatch.enforce.store import set_contact

    with opt.open_store(ctx) as store:
        set_contact(store, host, role, email, name, source)
    if json:
        print_json({"host": host, "role": role, "email": email, "name": name, "source": source})
        return
    console.print(f"{role} contact of {host}: {name or ''} <{email}>", highlight=False)
