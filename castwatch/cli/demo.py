"""``castwatch demo``: the one command that shows a newcomer what castwatch does."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.table import Table

from castwatch.catalog import Credentials
from castwatch.cli import options as opt
from castwatch.cli.app import app
from castwatch.cli.output import console, print_json, progress_bars
from castwatch.sources.base import FetchOptions
from castwatch.storage.snapshots import SnapshotSummary


@app.command()
def demo(
    ctx: typer.Context,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the simulated catalog.")] = 0,
    live: Annotated[int, typer.Option("--live", help="Live channels to simulate.")] = 6000,
    films: Annotated[int, typer.Option("--films", help="Films to simulate.")] = 120000,
    series: Annotated[int, typer.Option("--series", help="Series to simulate.")] = 5000,
    episodes: Annotated[int, typer.Option("--episodes", help="Episodes in all.")] = 80000,
    json: opt.Json = False,
) -> None:
    """Start the simulated service, inventory it over Xtream, M3U and Stalker, print it."""
    from castwatch.sim.server import SimServer
    from castwatch.sources.ingest import ingest

    results: list[tuple[str, SnapshotSummary, float]] = []
    with opt.open_store(ctx) as store:
        if not json:
            console.print(
                f"Starting a simulated pirate service on 127.0.0.1 ({live:,} live, "
                f"{films:,} films, {series:,} series, {episodes:,} episodes; synthetic)..."
            )
        with SimServer(seed=seed, live=live, films=films, series=series, episodes=episodes) as sim:
            urls = sim.urls
            account = Credentials(urls["username"], urls["password"])
            plans = [
                ("xtream", urls["xtream_url"], FetchOptions(credentials=account)),
                ("m3u", urls["m3u_url"], FetchOptions()),
                (
                    "stalker",
                    urls["stalker_url"],
                    FetchOptions(credentials=Credentials(mac=urls["mac"])),
                ),
            ]
            for kind, target, fetch in plans:
                started = time.perf_counter()
                with progress_bars(not json) as progress:
                    summary = ingest(store, target, kind, fetch, f"demo-{kind}", progress)
                results.append((kind, summary, time.perf_counter() - started))
                if not json:
                    console.print(
                        f"  ingested over {kind:<8} {summary.entries:>9,} entries "
                        f"in {results[-1][2]:.1f} s"
                    )
        data_dir = store.settings.home
    if json:
        print_json(
            [
                {
                    "protocol": kind,
                    "service": s.service,
                    "snapshot": s.id,
                    "entries": s.entries,
                    "counts": s.counts,
                    "seconds": round(seconds, 2),
                }
                for kind, s, seconds in results
            ]
        )
        return
    table = Table(
        "protocol", "live", "films", "series", "episodes", "films + episodes", "seconds",
        title="Inventory of the simulated service",
    )  # fmt: skip
    for kind, s, seconds in results:
        c = s.counts
        table.add_row(
            kind,
            f"{c['live']:,}",
            f"{c['film']:,}",
            f"{c['series']:,}" if c["series"] else "- (not in M3U)" if kind == "m3u" else "0",
            f"{c['episode']:,}",
            f"{c['film'] + c['episode']:,}",
            f"{seconds:.1f}",
        )
    console.print(table)
    console.print(
        f"Stored in {data_dir}. Next: [bold]castwatch services[/], "
        "[bold]castwatch show demo-xtream[/], [bold]castwatch export demo-m3u --format csv[/]."
    )
