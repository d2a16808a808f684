"""Inventory commands: ingest, inspect, services, show, export, diff."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from castwatch.cli import options as opt
from castwatch.cli.app import app
from castwatch.cli.output import console, print_json, progress_bars

if TYPE_CHECKING:
    from castwatch.sources.inventory_views import ExportOrder

ServiceAddress = Annotated[
    str, typer.Argument(help="Playlist file or URL, Xtream base URL, portal URL.")
]
ServiceName = Annotated[str, typer.Argument(help="Service name (a unique prefix will do).")]
ShowCredentials = Annotated[
    bool, typer.Option("--show-credentials", help="Print account credentials in clear.")
]


@app.command()
@opt.with_read_options
def ingest(
    ctx: typer.Context,
    source: ServiceAddress,
    kind: opt.Kind = "auto",
    read: opt.ReadOptions = opt.DEFAULT_READ,
    name: Annotated[str | None, typer.Option("--name", help="Service name to store under.")] = None,
    max_bad_rows: Annotated[
        float,
        typer.Option(
            "--max-bad-rows",
            min=0.0,
            max=1.0,
            help="Share of one list (0.01 = 1%) that may be unreadable and skipped before "
            "the ingest fails and stores nothing; 1 never fails.",
        ),
    ] = 0.01,
    json: opt.Json = False,
) -> None:
    """Read a service completely and store it as a new snapshot."""
    from castwatch.catalog.store import WARNINGS_SHOWN
    from castwatch.sources.ingest import ingest as run_ingest

    fetch = read.fetch()
    fetch.max_bad_rows = max_bad_rows
    with opt.open_store(ctx) as store, progress_bars(not json) as progress:
        summary = run_ingest(store, source, kind, fetch, name, progress)
    if json:
        print_json(summary.to_dict())
        return
    console.print(
        f"[bold]{summary.service}[/]: snapshot {summary.id}, {summary.entries:,} entries "
        f"({_counts_text(summary.counts)}); {summary.added:,} added, "
        f"{summary.removed:,} removed, {summary.changed:,} changed",
        soft_wrap=True,
    )
    if summary.warnings:
        # Each line is already a count by reason (skipped rows, dropped lines): print them,
        # escaped, since examples are panel data and may hold rich markup, and soft-wrapped,
        # so a script reading stdout gets each warning on one line whatever the width.
        console.print(f"[yellow]{len(summary.warnings):,} warning(s)[/]:", soft_wrap=True)
        for line in summary.warnings[:WARNINGS_SHOWN]:
            console.print(f"  {escape(line)}", highlight=False, soft_wrap=True)
        if len(summary.warnings) > WARNINGS_SHOWN:
            console.print(
                f"  ... and {len(summary.warnings) - WARNINGS_SHOWN:,} more, stored with "
                "the snapshot",
                soft_wrap=True,
            )


@app.command()
@opt.with_read_options
def inspect(
    source: ServiceAddress,
    kind: opt.Kind = "auto",
    read: opt.ReadOptions = opt.DEFAULT_READ,
    json: opt.Json = False,
) -> None:
    """Fetch and parse a service without storing anything; print what it offers."""
    from castwatch.sources.inspection import inspect_service

    fetch = read.fetch()
    with progress_bars(not json) as progress:
        summary = inspect_service(source, kind, fetch, progress)
    if json:
        print_json(summary)
        return
    console.print(
        f"[bold]{summary['kind']}[/] service at {summary['source_url']}: "
        f"{summary['entries']:,} entries ({_counts_text(summary['counts'])})"
    )
    groups = Table("kind", "group", "entries", title="Largest groups")
    for group in summary["groups"]:
        groups.add_row(group["kind"], group["group"], f"{group['entries']:,}")
    console.print(groups)
    console.print(_hosts_table(summary["hosts"]))


@app.command()
def services(ctx: typer.Context, json: opt.Json = False) -> None:
    """List the services castwatch tracks, with their latest counts."""
    from castwatch.sources.inventory_views import list_services

    with opt.open_store(ctx) as store:
        rows = [listing.to_dict() for listing in list_services(store)]
    if json:
        print_json(rows)
        return
    table = Table("service", "kind", "snapshots", "latest", "entries", "by kind")
    for row in rows:
        taken = row["latest"].strftime("%Y-%m-%d %H:%M") if row["latest"] else "-"
        table.add_row(
            row["name"],
            row["kind"],
            str(row["snapshots"]),
            taken,
            f"{row['entries']:,}",
            _counts_text(row["counts"]),
        )
    console.print(table if rows else "No services yet: try `castwatch demo` or `castwatch ingest`.")


@app.command()
def show(
    ctx: typer.Context,
    service: ServiceName,
    json: opt.Json = False,
    show_credentials: ShowCredentials = False,
) -> None:
    """Counts by kind and category, endpoints, accounts and snapshot history of a service."""
    from castwatch.sources.inventory_views import show_service

    with opt.open_store(ctx) as store:
        detail = show_service(store, service, reveal_credentials=show_credentials)
    data = detail.to_dict()
    accounts = detail.accounts
    if json:
        print_json(data)
        return
    console.print(f"[bold]{data['name']}[/] ({data['kind']}) {', '.join(data['base_urls'])}")
    console.print(f"Latest snapshot {detail.snapshot}: {_counts_text(data['counts'])}")
    groups = Table("kind", "group", "entries", title="Categories")
    for group in data["groups"]:
        groups.add_row(group["kind"], group["group"], f"{group['entries']:,}")
    console.print(groups)
    console.print(_hosts_table(data["endpoints"]))
    if accounts:
        console.print("Accounts: " + "; ".join(a["account"] for a in accounts))
    history_table = Table("snapshot", "taken", "kind", "entries", "added", "removed", "changed")
    for snap in data["snapshots"]:
        history_table.add_row(
            str(snap["id"]),
            snap["taken_at"].strftime("%Y-%m-%d %H:%M:%S"),
            snap["kind"],
            f"{snap['entries']:,}",
            f"{snap['added']:,}",
            f"{snap['removed']:,}",
            f"{snap['changed']:,}",
        )
    console.print(history_table)


@app.command()
def export(
    ctx: typer.Context,
    service: ServiceName,
    format: Annotated[str, typer.Option("--format", "-f", help="jsonl or csv.")] = "jsonl",
    snapshot: Annotated[int | None, typer.Option("--snapshot", help="Default: latest.")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Default: stdout.")] = None,
    show_credentials: ShowCredentials = False,
    sort: Annotated[
        str,
        typer.Option(
            "--sort",
            help="listing: the order the service lists its entries in; key: by kind and key.",
        ),
    ] = "listing",
) -> None:
    """Write one record per entry of a snapshot (credentials redacted unless asked)."""
    from castwatch.sources.inventory_views import entry_records

    if format not in ("jsonl", "csv"):
        raise typer.BadParameter(f"--format must be jsonl or csv, not {format!r}")
    if sort not in ("listing", "key"):
        raise typer.BadParameter(f"--sort must be listing or key, not {sort!r}")
    order: ExportOrder = "key" if sort == "key" else "listing"
    with (
        opt.open_store(ctx) as store,
        entry_records(
            store, service, snapshot, order=order, reveal_credentials=show_credentials
        ) as records,
    ):
        handle = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
        try:
            _write_records(handle, format, records)
        finally:
            if output:
                handle.close()


@app.command()
def diff(
    ctx: typer.Context,
    service: ServiceName,
    a: Annotated[
        int | None, typer.Argument(help="Older snapshot (default: the one before B).")
    ] = None,
    b: Annotated[int | None, typer.Argument(help="Newer snapshot (default: the latest).")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Items shown per list (text).")] = 20,
    json: opt.Json = False,
) -> None:
    """What was added, removed or renamed between two snapshots (default: the last two)."""
    from castwatch.sources.inventory_views import diff_service

    with opt.open_store(ctx) as store:
        result = diff_service(store, service, a, b)
    if json:
        print_json(result.to_dict())
        return
    console.print(
        f"[bold]{result.service}[/]: snapshot {result.a} -> {result.b}: "
        f"{len(result.added):,} added, {len(result.removed):,} removed, "
        f"{len(result.renamed):,} renamed, {len(result.changed):,} changed"
    )
    for title, items, style in (
        ("added", result.added, "green"),
        ("removed", result.removed, "red"),
        ("renamed", result.renamed, "yellow"),
    ):
        for item in items[:limit]:
            was = f"  (was {item.old_name!r})" if item.old_name is not None else ""
            console.print(
                f"[{style}]{title:>8}[/] {item.kind:<7} {item.name}{was}", highlight=False
            )
        if len(items) > limit:
            console.print(f"{'':>8} ... and {len(items) - limit:,} more (--limit, --json)")


# -- helpers ------------------------------------------------------------------------------


def _write_records(handle: Any, format: str, records: Iterator[dict[str, Any]]) -> None:
    from castwatch.cli.output import dumps

    if format == "jsonl":
        for record in records:
            handle.write(dumps(record) + "\n")
        return
    from castwatch.catalog.spreadsheet import safe_cell
    from castwatch.sources.inventory_views import EXPORT_FIELDS

    writer = csv.DictWriter(handle, fieldnames=EXPORT_FIELDS)
    writer.writeheader()
    for record in records:
        record["extra"] = dumps(record["extra"]) if record["extra"] else ""
        # Names and groups come from the pirate service: no cell may run as a formula.
        writer.writerow({name: safe_cell(value) for name, value in record.items()})


def _counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{n:,} {kind}" for kind, n in counts.items() if n) or "empty"


def _hosts_table(hosts: list[dict[str, Any]]) -> Table:
    table = Table("scheme", "host", "port", "path pattern", "entries", title="Endpoints")
    for host in hosts:
        table.add_row(
            host["scheme"],
            host["host"],
            str(host["port"] or ""),
            host["path_pattern"],
            f"{host['entries']:,}",
        )
    return table
