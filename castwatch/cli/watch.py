"""Tracking commands: ``watch run|serve|list|history|takedown`` and ``case seize``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from castwatch.catalog.tracking import Change, TakedownFigure
from castwatch.cli import options as opt
from castwatch.cli.app import command_group
from castwatch.cli.enforce import case_app
from castwatch.cli.output import console, print_json
from castwatch.config import Settings
from castwatch.enforce.settings import EnforceSettings, load_enforce_settings

if TYPE_CHECKING:
    from castwatch.enforce.watch import PassReport

watch_app = command_group("watch", "Re-check notice targets and seized domains; time to takedown.")

CaseOption = Annotated[str | None, typer.Option("--case", help="Only this case (name or number).")]


def _settings(ctx: typer.Context) -> EnforceSettings:
    settings = ctx.obj if isinstance(ctx.obj, Settings) else Settings.resolve()
    return load_enforce_settings(settings.home)


def _changes_table(changes: list[Change]) -> Table:
    table = Table("target", "case", "kind", "was", "now", "HTTP", "leads to / error", "event")
    for change in changes:
        table.add_row(
            f"{change.target_id}: {change.target}", change.case_name, change.kind.value,
            change.before.value, change.after.value, str(change.http_status or "-"),
            change.final_url or change.error or "-", change.event or "",
        )  # fmt: skip
    return table


def _print_pass(report: PassReport) -> None:
    console.print(
        f"{report.at:%Y-%m-%d %H:%M:%S} UTC: checked {report.checked:,} target(s) "
        f"({report.added:,} new) in {report.seconds:.1f} s; {len(report.changes):,} changed",
        highlight=False,
    )
    if report.changes:
        console.print(_changes_table(report.changes))


@watch_app.command("run")
def watch_run(ctx: typer.Context, case: CaseOption = None, json: opt.Json = False) -> None:
    """One pass: check every notice target and seized domain once; print what changed."""
    from castwatch.enforce.watch import run_pass

    settings = _settings(ctx)
    with opt.open_store(ctx) as store:
        report = run_pass(store, settings.watch, case)
    if json:
        print_json(report.as_dict())
        return
    _print_pass(report)


@watch_app.command("serve")
def watch_serve(
    ctx: typer.Context,
    interval: Annotated[
        float | None,
        typer.Option("--interval", help="Minutes between passes (default: [watch] interval)."),
    ] = None,
    case: CaseOption = None,
    json: opt.Json = False,
) -> None:
    """Run passes on a schedule until Ctrl-C (or SIGTERM); one line per pass."""
    from castwatch.enforce.watch import serve

    settings = _settings(ctx)
    minutes = interval if interval is not None else settings.watch.interval_minutes

    def report(done: PassReport) -> None:
        if json:
            print_json(done.as_dict())
        else:
            _print_pass(done)

    if not json:
        console.print(f"watching every {minutes:g} minute(s); Ctrl-C to stop", highlight=False)
    with opt.open_store(ctx) as store:
        passes = serve(store, settings.watch, minutes, case, report)
    if not json:
        console.print(f"stopped after {passes} pass(es)", highlight=False)


@watch_app.command("list")
def watch_list(
    ctx: typer.Context,
    case: Annotated[str | None, typer.Argument(help="Only this case.")] = None,
    json: opt.Json = False,
) -> None:
    """Every watched target with the state of its last check."""
    from castwatch.enforce.store_tracking import list_targets

    with opt.open_store(ctx) as store:
        targets = list_targets(store, case)
    if json:
        print_json([t.as_dict() for t in targets])
        return
    table = Table("id", "case", "kind", "target", "notice", "recipient", "state", "checked")
    for t in targets:
        table.add_row(
            str(t.id), t.case_name, t.kind.value, t.target, str(t.notice_id or "-"),
            t.recipient or "-", t.state.value,
            f"{t.last_checked_at:%Y-%m-%d %H:%M}" if t.last_checked_at else "never",
        )  # fmt: skip
    console.print(table)
    if not targets:
        console.print("nothing watched yet: send a notice, or `castwatch case seize CASE DOMAIN`")


@watch_app.command("history")
def watch_history(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="Target id, URL or domain.")],
    limit: Annotated[int | None, typer.Option("--limit", help="Only the last N checks.")] = None,
    json: opt.Json = False,
) -> None:
    """Every check of a target: time, state, HTTP status, redirects, DNS answer, error."""
    from castwatch.enforce.tracking import target_history

    with opt.open_store(ctx) as store:
        found = target_history(store, target, limit)
    if json:
        print_json([history.to_dict() for history in found])
        return
    for watched, checks in ((history.target, history.checks) for history in found):
        console.print(
            f"[bold]target {watched.id}[/] ({watched.kind.value}, case {watched.case_name}) "
            f"{watched.target}: now {watched.state.value}",
            highlight=False,
        )
        table = Table("when (UTC)", "state", "HTTP", "redirects", "final URL", "DNS", "error")
        for check in checks:
            table.add_row(
                f"{check.checked_at:%Y-%m-%d %H:%M:%S}", check.state.value,
                str(check.http_status or "-"),
                " -> ".join(f"{hop['status']} {hop['url']}" for hop in check.redirects) or "-",
                check.final_url or "-",
                ", ".join(check.addresses) or check.dns_error or "-", check.error or "",
            )  # fmt: skip
        console.print(table)


def _hours(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds / 3600:.1f} h"


def _figures_table(title: str, figures: list[TakedownFigure]) -> Table:
    table = Table(title=f"time to takedown per {title}")
    table.add_column(title.split()[0], overflow="fold")
    for header in ("targets", "down", "relapsed", "median", "mean", "fastest", "slowest"):
        table.add_column(header, justify="right")
    for f in figures:
        table.add_row(
            f.group, str(f.targets), str(f.down), str(f.relapsed), _hours(f.median_s),
            _hours(f.mean_s), _hours(f.min_s), _hours(f.max_s),
        )  # fmt: skip
    return table


@watch_app.command("takedown")
def watch_takedown(
    ctx: typer.Context,
    case: Annotated[str | None, typer.Argument(help="Only this case.")] = None,
    json: opt.Json = False,
) -> None:
    """Time to takedown per recipient and per intermediary type (host, cdn, registrar...)."""
    from castwatch.enforce.tracking import takedown_report

    with opt.open_store(ctx) as store:
        report = takedown_report(store, case)
    if json:
        print_json(report.as_dict())
        return
    console.print(_figures_table("recipient", report.by_recipient))
    console.print(_figures_table("intermediary type", report.by_intermediary))


@case_app.command("seize")
def case_seize(
    ctx: typer.Context,
    case: Annotated[str, typer.Argument(help="Case name or number.")],
    domain: Annotated[str, typer.Argument(help="The seized domain (or its URL).")],
    json: opt.Json = False,
) -> None:
    """Record a seized domain; `watch run` then checks it leads to the legal-offer page."""
    from castwatch.enforce.watch import seize_domain

    with opt.open_store(ctx) as store:
        target, created = seize_domain(store, case, domain)
    if json:
        print_json({**target.as_dict(), "created": created})
        return
    verb = "now watched" if created else "already watched"
    console.print(f"{target.target} {verb} as target {target.id} ({target.probe_url})",
                  highlight=False)  # fmt: skip
