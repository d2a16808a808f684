"""``castwatch alerts``: what changed and needs a person; ``alerts deliver`` sends the outbox."""

from __future__ import annotations

from typing import Annotated

import typer

from castwatch.alerts.views import KINDS
from castwatch.cli import options as opt
from castwatch.cli.app import app
from castwatch.cli.output import console, print_json

alerts_app = typer.Typer(
    name="alerts",
    help="Alerts from monitoring, ingests, re-checks and attribution (stored once, delivered).",
    invoke_without_command=True,
)
app.add_typer(alerts_app, name="alerts")


@alerts_app.callback()
def alerts_list(
    ctx: typer.Context,
    kind: Annotated[
        str | None, typer.Option("--kind", help="Only this kind: " + ", ".join(KINDS) + ".")
    ] = None,
    service: Annotated[str | None, typer.Option("--service", help="Only this service.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Newest N alerts (0: all).")] = 100,
    json: opt.Json = False,
) -> None:
    """List alerts, newest first: monitoring's, with how their deliveries stand, and
    attribution's (a brand that joined a known operator, and relapses)."""
    if ctx.invoked_subcommand is not None:
        return
    if kind is not None and kind not in KINDS:
        raise typer.BadParameter(f"--kind {kind!r}: use one of {', '.join(KINDS)}")
    if limit < 0:
        raise typer.BadParameter("--limit must be 0 or more")
    from castwatch.alerts.views import list_everything

    with opt.open_store(ctx) as store:
        found = list_everything(store, kind=kind, service=service, limit=limit or None)
    if json:
        print_json([item.document for item in found])
        return
    if not found:
        console.print("no alerts", highlight=False)
        return
    from rich.table import Table

    table = Table("id", "raised (UTC)", "kind", "alert", "delivery")
    for item in found:
        table.add_row(
            str(item.document["id"]), f"{item.raised_at:%Y-%m-%d %H:%M}",
            item.document["kind"], item.message, item.delivery,
        )  # fmt: skip
    console.print(table)


@alerts_app.command("deliver")
def alerts_deliver(ctx: typer.Context, json: opt.Json = False) -> None:
    """Send every due alert now (e-mail and webhook as configured in alerts.toml)."""
    from castwatch.alerts.delivery import deliver_due
    from castwatch.alerts.settings import load_alert_settings

    with opt.open_store(ctx) as store:
        settings = load_alert_settings(store.settings.home)
        report = deliver_due(store, settings)
    if json:
        print_json(report.to_dict() | {"channels": list(settings.channels)})
        return
    if not settings.channels:
        console.print(
            "no delivery channel configured: set [email] to or [webhook] url in alerts.toml "
            "(or CASTWATCH_ALERT_EMAIL / CASTWATCH_ALERT_WEBHOOK_URL)",
            highlight=False,
        )
    for channel, count in report.sent.items():
        console.print(f"{channel}: {count:,} alert(s) sent", highlight=False)
    for channel, error in report.errors.items():
        console.print(f"{channel}: failed, will retry: {error}", highlight=False, markup=False)
    console.print(f"{report.pending:,} delivery(ies) still pending", highlight=False)
