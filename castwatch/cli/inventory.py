"""Inventory commands: ingest, inspect, services, show, export, diff."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from castwatch.catalog.credentials import Credentials, restore_credentials
from castwatch.catalog.summary import summarize
from castwatch.cli import options as opt
from castwatch.cli.app import app
from castwatch.cli.output import console, print_json, progress_bars

if TYPE_CHECKING:
    from castwatch.storage.db import Store
    from castwatch.storage.tables import EntryRow, SnapshotRow

Source = Annotated[str, typer.Argument(help="Playlist file or URL, Xtream base URL, portal URL.")]
ServiceName = Annotated[str, typer.Argument(help="Service name (a unique prefix will do).")]
ShowCredentials = Annotated[
    bool, typer.Option("--show-credentials", help="Print account credentials in clear.")
]


@app.command()
def ingest(
    ctx: typer.Context,
    source: Source,
    kind: opt.Kind = "auto",
    username: opt.Username = None,
    password: opt.Password = None,
    mac: opt.Mac = None,
    name: Annotated[str | None, typer.Option("--name", help="Service name to store under.")] = None,
    no_episodes: opt.NoEpisodes = False,
    timeout: opt.Timeout = opt.DEFAULT_TIMEOUT,
    max_bytes: opt.MaxBytes = opt.DEFAULT_MAX_BYTES,
    concurrency: opt.Concurrency = opt.DEFAULT_CONCURRENCY,
    max_rps: opt.MaxRps = opt.DEFAULT_MAX_RPS,
    retries: opt.Retries = opt.DEFAULT_RETRIES,
    deadline: opt.Deadline = opt.DEFAULT_DEADLINE,
    allow_private_networks: opt.AllowPrivateNetworks = False,
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
    from castwatch.sources.ingest import ingest as run_ingest

    fetch = opt.fetch_options(
        username,
        password,
        mac,
        no_episodes,
        timeout,
        max_bytes,
        concurrency,
        max_rps,
        retries,
        deadline=deadline,
        allow_private_networks=allow_private_networks,
    )
    fetch.max_bad_rows = max_bad_rows
    with opt.open_store(ctx) as store, progress_bars(not json) as progress:
        summary = run_ingest(store, source, kind, fetch, name, progress)
    if json:
        print_json(
            {
                "service": summary.service,
                "snapshot": summary.id,
                "kind": summary.kind,
                "taken_at": summary.taken_at,
                "source_url": summary.source_url,
                "entries": summary.entries,
                "counts": summary.counts,
                "added": summary.added,
                "removed": summary.removed,
                "changed": summary.changed,
                "warnings": len(summary.warnings),
                "warning_lines": summary.warnings[:_WARNINGS_SHOWN],
            }
        )
        return
    console.print(
        f"[bold]{summary.service}[/]: snapshot {summary.id}, {summary.entries:,} entries "
        f"({_counts_text(summary.counts)}); {summary.added:,} added, "
        f"{summary.removed:,} removed, {summary.changed:,} changed"
    )
    if summary.warnings:
        # Each line is already a count by reason (skipped rows, dropped lines): print them,
        # escaped, since examples are panel data and may hold rich markup.
        console.print(f"[yellow]{len(summary.warnings):,} warning(s)[/]:")
        for line in summary.warnings[:_WARNINGS_SHOWN]:
            console.print(f"  {escape(line)}", highlight=False)
        if len(summary.warnings) > _WARNINGS_SHOWN:
            console.print(
                f"  ... and {len(summary.warnings) - _WARNINGS_SHOWN:,} more, stored with "
                "the snapshot"
            )


#: Warning lines ``ingest`` prints; the snapshot stores up to 1,000.
_WARNINGS_SHOWN = 20


@app.command()
def inspect(
    source: Source,
    kind: opt.Kind = "auto",
    username: opt.Username = None,
    password: opt.Password = None,
    mac: opt.Mac = None,
    no_episodes: opt.NoEpisodes = False,
    timeout: opt.Timeout = opt.DEFAULT_TIMEOUT,
    max_bytes: opt.MaxBytes = opt.DEFAULT_MAX_BYTES,
    concurrency: opt.Concurrency = opt.DEFAULT_CONCURRENCY,
    max_rps: opt.MaxRps = opt.DEFAULT_MAX_RPS,
    retries: opt.Retries = opt.DEFAULT_RETRIES,
    deadline: opt.Deadline = opt.DEFAULT_DEADLINE,
    allow_private_networks: opt.AllowPrivateNetworks = False,
    json: opt.Json = False,
) -> None:
    """Fetch and parse a service without storing anything; print what it offers."""
    from castwatch.sources.detect import detect_kind, read_service
    from castwatch.sources.summary_stream import summarize_playlist

    fetch = opt.fetch_options(
        username,
        password,
        mac,
        no_episodes,
        timeout,
        max_bytes,
        concurrency,
        max_rps,
        retries,
        deadline=deadline,
        allow_private_networks=allow_private_networks,
    )
    with progress_bars(not json) as progress:
        if kind == "auto":
            progress("detect", 0, 1)
            kind = detect_kind(source, fetch)
            progress("detect", 1, 1)
        if kind == "m3u":
            # Counted as it streams: memory does not grow with the playlist.
            summary = summarize_playlist(source, fetch, progress)
        else:
            summary = summarize(read_service(source, kind, fetch, progress))
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
    from sqlalchemy import select

    from castwatch.storage.queries import snapshots_of
    from castwatch.storage.tables import ServiceRow

    with opt.open_store(ctx) as store, store.session() as session:
        rows: list[dict[str, Any]] = []
        for service in session.scalars(select(ServiceRow).order_by(ServiceRow.name)):
            history = snapshots_of(session, service)
            latest = history[-1] if history else None
            rows.append(
                {
                    "name": service.name,
                    "kind": service.kind,
                    "snapshots": len(history),
                    "latest": latest.taken_at if latest else None,
                    "entries": sum(latest.counts.values()) if latest else 0,
                    "counts": dict(latest.counts) if latest else {},
                }
            )
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
    from castwatch.storage.queries import breakdown, find_service, find_snapshot, snapshots_of

    with opt.open_store(ctx) as store, store.session() as session:
        row = find_service(session, service)
        history = snapshots_of(session, row)
        latest = find_snapshot(session, row, None)
        parts = breakdown(session, latest)
        accounts = _accounts(store, session, row.id, show_credentials)
        data: dict[str, Any] = {
            "name": row.name,
            "kind": row.kind,
            "base_urls": list(row.base_urls),
            "snapshot": latest.id,
            "server_info": latest.server_info,
            "counts": parts.by_kind,
            "groups": [{"kind": k, "group": g, "entries": n} for k, g, n in parts.by_group],
            "endpoints": [
                {
                    "scheme": e.scheme,
                    "host": e.host,
                    "port": e.port,
                    "path_pattern": e.path_pattern,
                    "entries": e.entries,
                }
                for e in parts.endpoints
            ],
            "accounts": accounts,
            "snapshots": [_snapshot_dict(s) for s in history],
        }
    if json:
        print_json(data)
        return
    console.print(f"[bold]{data['name']}[/] ({data['kind']}) {', '.join(data['base_urls'])}")
    console.print(f"Latest snapshot {latest.id}: {_counts_text(data['counts'])}")
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
    from castwatch.storage.queries import find_service, find_snapshot, iter_entries, iter_listed

    if format not in ("jsonl", "csv"):
        raise typer.BadParameter(f"--format must be jsonl or csv, not {format!r}")
    if sort not in ("listing", "key"):
        raise typer.BadParameter(f"--sort must be listing or key, not {sort!r}")
    with opt.open_store(ctx) as store, store.session() as session:
        row = find_service(session, service)
        snap = find_snapshot(session, row, snapshot)
        secrets = _credential_map(store, session, row.id) if show_credentials else {}
        entries = iter_entries(session, snap) if sort == "key" else iter_listed(session, snap)
        handle = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
        try:
            _write_records(handle, format, entries, secrets)
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
    from castwatch.storage.queries import diff_snapshots, find_service

    with opt.open_store(ctx) as store, store.session() as session:
        result = diff_snapshots(session, find_service(session, service), a, b)
    if json:
        print_json(
            {
                "service": result.service,
                "a": result.a,
                "b": result.b,
                "a_taken_at": result.a_taken,
                "b_taken_at": result.b_taken,
                "counts": {
                    "added": len(result.added),
                    "removed": len(result.removed),
                    "renamed": len(result.renamed),
                    "changed": len(result.changed),
                },
                "added": [i.as_dict() for i in result.added],
                "removed": [i.as_dict() for i in result.removed],
                "renamed": [i.as_dict() for i in result.renamed],
                "changed": [i.as_dict() for i in result.changed],
            }
        )
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

EXPORT_FIELDS = (
    "key", "kind", "name", "group", "url", "tvg_id", "tvg_name", "tvg_logo", "stream_id",
    "series_id", "episode_id", "season", "episode_num", "category_id", "container", "added",
    "year", "rating", "tmdb_id", "duration", "extra",
)  # fmt: skip


def _record(entry: EntryRow, secrets: dict[int, Credentials]) -> dict[str, Any]:
    url = entry.url
    if url and secrets and entry.credential_id in secrets:
        url = restore_credentials(url, secrets[entry.credential_id])
    return {
        "key": entry.key,
        "kind": entry.kind,
        "name": entry.name,
        "group": entry.group_name,
        "url": url,
        "tvg_id": entry.tvg_id,
        "tvg_name": entry.tvg_name,
        "tvg_logo": entry.tvg_logo,
        "stream_id": entry.stream_id,
        "series_id": entry.series_id,
        "episode_id": entry.episode_id,
        "season": entry.season,
        "episode_num": entry.episode_num,
        "category_id": entry.category_id,
        "container": entry.container,
        "added": entry.added_at.isoformat() if entry.added_at else None,
        "year": entry.year,
        "rating": entry.rating,
        "tmdb_id": entry.tmdb_id,
        "duration": entry.duration,
        "extra": entry.extra or {},
    }


def _write_records(handle: Any, format: str, entries: Any, secrets: dict[int, Credentials]) -> None:
    from castwatch.cli.output import dumps

    if format == "jsonl":
        for entry in entries:
            handle.write(dumps(_record(entry, secrets)) + "\n")
        return
    from castwatch.catalog.spreadsheet import safe_cell

    writer = csv.DictWriter(handle, fieldnames=EXPORT_FIELDS)
    writer.writeheader()
    for entry in entries:
        record = _record(entry, secrets)
        record["extra"] = dumps(record["extra"]) if record["extra"] else ""
        # Names and groups come from the pirate service: no cell may run as a formula.
        writer.writerow({name: safe_cell(value) for name, value in record.items()})


def _credential_map(store: Store, session: Any, service_id: int) -> dict[int, Credentials]:
    from sqlalchemy import select

    from castwatch.storage.tables import CredentialRow

    rows = session.scalars(select(CredentialRow).where(CredentialRow.service_id == service_id))
    return {row.id: store.vault.decrypt(row.ciphertext) for row in rows}


def _accounts(store: Store, session: Any, service_id: int, reveal: bool) -> list[dict[str, Any]]:
    from sqlalchemy import select

    from castwatch.storage.tables import CredentialRow

    rows = session.scalars(select(CredentialRow).where(CredentialRow.service_id == service_id))
    accounts = []
    for row in rows:
        account: dict[str, Any] = {"id": row.id, "account": row.label}
        if reveal:
            plain = store.vault.decrypt(row.ciphertext)
            account.update(username=plain.username, password=plain.password, mac=plain.mac)
            if plain.secrets:
                account["secrets"] = dict(plain.secrets)
        accounts.append(account)
    return accounts


def _snapshot_dict(snapshot: SnapshotRow) -> dict[str, Any]:
    return {
        "id": snapshot.id,
        "taken_at": snapshot.taken_at,
        "kind": snapshot.kind,
        "source_url": snapshot.source_url,
        "entries": sum(snapshot.counts.values()),
        "counts": dict(snapshot.counts),
        "added": snapshot.added,
        "removed": snapshot.removed,
        "changed": snapshot.changed,
    }


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
