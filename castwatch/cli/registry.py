"""Registry commands: import the channel registry, rights holders and works; show status."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from castwatch.cli import options as opt
from castwatch.cli.app import command_group
from castwatch.cli.output import console, print_json, progress_bars
from castwatch.config import Settings
from castwatch.identify.registries.iptv_org import DEFAULT_BASE_URL

if TYPE_CHECKING:
    from castwatch.identify.registries.imports import ChannelImport

registry_app = command_group(
    "registry", "Reference registries: iptv-org channels, rights holders, works."
)

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
    from castwatch.identify.registries.imports import import_iptv_org as run_import

    with opt.open_store(ctx) as store:
        result = run_import(store, directory)
    _report_iptv_org(result, json)


@registry_app.command("update")
def update(
    ctx: typer.Context,
    url: Annotated[
        str, typer.Option("--url", help="Base URL of the iptv-org tables.")
    ] = DEFAULT_BASE_URL,
    json: opt.Json = False,
) -> None:
    """Download the current iptv-org tables into the cache, then import them."""
    from castwatch.identify.registries.imports import update_iptv_org

    settings = ctx.obj if isinstance(ctx.obj, Settings) else Settings.resolve()
    settings.ensure_home()
    with opt.open_store(ctx) as store:
        result = update_iptv_org(store, settings.cache_dir / "iptv-org", url)
    _report_iptv_org(result, json)


def _report_iptv_org(result: ChannelImport, json: bool) -> None:
    if json:
        print_json(result.to_dict())
        return
    counts, warnings = result.counts, result.warnings
    console.print(
        f"channel registry from {result.source}: {counts['channels']:,} channels, "
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
    from castwatch.identify.registries.imports import CLAIM_MISSES_SHOWN
    from castwatch.identify.registries.imports import import_holders as run_import

    with opt.open_store(ctx) as store:
        result = run_import(store, file)
    if json:
        print_json(result.to_dict())
        return
    table = Table("holder", "memberships", "claims", "channels")
    for holder in result.holders:
        channel_count = "-" if holder.channels is None else f"{holder.channels:,}"
        table.add_row(holder.name, ", ".join(holder.memberships), str(holder.claims), channel_count)
    console.print(table)
    counts = result.counts
    console.print(
        f"{counts['holders']:,} rights holders, {counts['claims']:,} claims from {result.source}"
    )
    if not result.channels_checked:
        console.print("[yellow]no channel registry yet[/]: run `castwatch registry update`")
    for miss in result.misses[:CLAIM_MISSES_SHOWN]:
        console.print(f"[yellow]warning:[/] {escape(miss)}", highlight=False, soft_wrap=True)


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
    from castwatch.identify.registries.imports import import_works as run_import

    if (file is None) == (not bundled):
        raise typer.BadParameter("give a works FILE or --bundled (one of the two)")
    with opt.open_store(ctx) as store, progress_bars(not json) as progress:
        result = run_import(store, file, akas=akas, akas_region=akas_region, progress=progress)
    if json:
        print_json(result.to_dict())
        return
    counts, report = result.counts, result.report
    console.print(
        f"{counts['read']:,} works from {result.source} ({report.layout} layout): "
        f"{counts['new']:,} new, {counts['updated']:,} updated; {counts['total']:,} works stored"
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
    from castwatch.identify.registries.imports import registry_status

    with opt.open_store(ctx) as store:
        current = registry_status(store)
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
