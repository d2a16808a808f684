"""Registry commands: import the channel registry, rights holders and works; show status."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from castwatch.cli import options as opt
from castwatch.cli.app import app
from castwatch.cli.output import console, print_json, progress_bars
from castwatch.config import Settings
from castwatch.identify.registries.iptv_org import (
    BUNDLED,
    DEFAULT_BASE_URL,
    download_iptv_org,
    load_iptv_org,
)

if TYPE_CHECKING:
    from castwatch.storage.db import Store

registry_app = typer.Typer(
    name="registry",
    help="Reference registries: iptv-org channels, rights holders, works.",
    no_args_is_help=True,
)
app.add_typer(registry_app, name="registry")

Directory = Annotated[
    Path | None,
    typer.Argument(
        help="Folder holding the iptv-org tables (channels.csv, feeds.csv, ...); "
        "default: the copy bundled with castwatch."
    ),
]


@registry_app.command("import-iptv-org")
def import_iptv_org(
    ctx: typer.Context, directory: Directory = None, json: opt.Json = False
) -> None:
    """Replace the channel registry with the iptv-org tables in DIRECTORY."""
    from castwatch.storage import reference

    directory = directory or BUNDLED
    data = load_iptv_org(directory)
    with opt.open_store(ctx) as store:
        counts = reference.replace_iptv_org(store, data, str(directory.resolve()))
    _report_iptv_org(counts, data.warnings, str(directory), json)


@registry_app.command("update")
def update(
    ctx: typer.Context,
    url: Annotated[
        str, typer.Option("--url", help="Base URL of the iptv-org tables.")
    ] = DEFAULT_BASE_URL,
    json: opt.Json = False,
) -> None:
    """Download the current iptv-org tables into the cache, then import them."""
    from castwatch.storage import reference

    settings = ctx.obj if isinstance(ctx.obj, Settings) else Settings.resolve()
    settings.ensure_home()
    cache = settings.cache_dir / "iptv-org"
    download_iptv_org(cache, url)
    data = load_iptv_org(cache)
    with opt.open_store(ctx) as store:
        counts = reference.replace_iptv_org(store, data, url)
    _report_iptv_org(counts, data.warnings, url, json)


def _report_iptv_org(counts: dict[str, int], warnings: list[str], source: str, json: bool) -> None:
    if json:
        print_json({"source": source, "counts": counts, "warnings": warnings})
        return
    console.print(
        f"channel registry from {source}: {counts['channels']:,} channels, "
        f"{counts['feeds']:,} feeds, {counts['blocked']:,} on the blocklist, "
        f"{counts['countries']:,} countries"
    )
    if warnings:
        console.print(f"[yellow]{len(warnings):,} warning(s)[/], e.g. {escape(warnings[0])}",
                      highlight=False, soft_wrap=True)  # fmt: skip


@registry_app.command("import-holders")
def import_holders(
    ctx: typer.Context,
    file: Annotated[
        Path | None, typer.Argument(help="Rights-holder YAML file (default: the shipped example).")
    ] = None,
    json: opt.Json = False,
) -> None:
    """Replace the rights holders with those of FILE (see docs/rights-holders.md)."""
    from castwatch.identify.registries.holders import (
        DEFAULT_HOLDERS,
        resolve_claims,
        unmatched_claims,
    )
    from castwatch.identify.registries.holders import load_holders as read_holders
    from castwatch.storage import reference

    path = file or DEFAULT_HOLDERS
    holders = read_holders(path)
    digest = hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    with opt.open_store(ctx) as store:
        counts = reference.replace_holders(store, holders, str(path), digest)
        channels = reference.load_channels(store) if _has_channels(store) else []
    claimed = resolve_claims(holders, channels)
    misses = [
        f"{holder}: {claim.kind.value} {claim.value!r} matches no channel"
        for holder, claim in unmatched_claims(holders, channels)
    ]
    rows: list[dict[str, Any]] = [
        {
            "name": holder.name,
            "memberships": list(holder.memberships),
            "claims": len(holder.claims),
            "channels": len(claimed[holder.name]) if channels else None,
        }
        for holder in holders
    ]
    if json:
        warnings = misses if channels else ["no channel registry yet: claims not checked"]
        print_json({"source": str(path), "counts": counts, "holders": rows, "warnings": warnings})
        return
    table = Table("holder", "memberships", "claims", "channels")
    for row in rows:
        channel_count = "-" if row["channels"] is None else f"{row['channels']:,}"
        table.add_row(row["name"], ", ".join(row["memberships"]), str(row["claims"]), channel_count)
    console.print(table)
    console.print(f"{counts['holders']:,} rights holders, {counts['claims']:,} claims from {path}")
    if not channels:
        console.print("[yellow]no channel registry yet[/]: run `castwatch registry update`")
    for miss in misses[:20]:
        console.print(f"[yellow]warning:[/] {escape(miss)}", highlight=False, soft_wrap=True)


def _has_channels(store: Store) -> bool:
    from castwatch.storage import reference

    return bool(reference.registry_status(store)["channels"])


@registry_app.command("import-works")
def import_works(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Argument(help="Works CSV/TSV, or IMDb title.basics.tsv(.gz); see --bundled."),
    ] = None,
    bundled: Annotated[
        bool,
        typer.Option(
            "--bundled", help="Import the works castwatch ships (41,553 films and series)."
        ),
    ] = False,
    akas: Annotated[
        Path | None,
        typer.Option("--akas", help="IMDb title.akas.tsv(.gz): original or localized titles."),
    ] = None,
    akas_region: Annotated[
        str | None,
        typer.Option(
            "--akas-region", help="With --akas: the region whose titles to keep (FR, DE, ...)."
        ),
    ] = None,
    json: opt.Json = False,
) -> None:
    """Add or update the films and series in FILE (upserted by id)."""
    from castwatch.identify.registries.bundled import BUNDLED_WORKS, read_akas, with_akas
    from castwatch.identify.registries.works import WorksReport, read_works
    from castwatch.storage import reference

    if (file is None) == (not bundled):
        raise typer.BadParameter("give a works FILE or --bundled (one of the two)")
    file = file or BUNDLED_WORKS
    report = WorksReport()
    records = read_works(file, report)
    if akas is not None:
        # Two passes over the works file: the ids first, so only their akas are kept.
        wanted = {work.id for work in read_works(file)}
        records = with_akas(records, read_akas(akas, wanted, akas_region))
    with opt.open_store(ctx) as store, progress_bars(not json) as progress:
        counts = reference.import_works(store, records, str(file.resolve()), progress)
    summary: dict[str, Any] = {
        "source": str(file),
        "layout": report.layout,
        "counts": counts,
        "rows": report.rows,
        "ignored": report.ignored,
        "skipped": report.skipped,
        "problems": [{"line": line, "reason": reason} for line, reason in report.problems],
    }
    if json:
        print_json(summary)
        return
    console.print(
        f"{counts['read']:,} works from {file} ({report.layout} layout): {counts['new']:,} new, "
        f"{counts['updated']:,} updated; {counts['total']:,} works stored"
    )
    if report.ignored:
        console.print(f"{report.ignored:,} rows of other kinds ignored (episodes, games, ...)")
    if report.skipped:
        console.print(f"[yellow]{report.skipped:,} malformed row(s) skipped[/], e.g.:")
        for line, reason in report.problems[:5]:
            console.print(f"  line {line}: {escape(reason)}", highlight=False, soft_wrap=True)


@registry_app.command("status")
def status(ctx: typer.Context, json: opt.Json = False) -> None:
    """Show what each registry holds and when it was last imported."""
    from castwatch.storage import reference

    with opt.open_store(ctx) as store:
        current = reference.registry_status(store)
    if json:
        print_json(current)
        return
    console.print(
        f"{current['channels']:,} channels ({current['feeds']:,} feeds, "
        f"{current['blocked']:,} blocklisted), {current['countries']:,} countries; "
        f"{current['holders']:,} rights holders ({current['claims']:,} claims); "
        f"{current['works']:,} works; {current['identifications']:,} identifications"
    )
    table = Table("registry", "last import", "source", "counts")
    for kind, last in current["imports"].items():
        if last is None:
            table.add_row(kind, "never", "-", "-")
            continue
        counts = ", ".join(f"{key} {value:,}" for key, value in last["counts"].items() if value)
        table.add_row(kind, f"{last['imported_at']:%Y-%m-%d %H:%M}", last["source"], counts)
    console.print(table)
