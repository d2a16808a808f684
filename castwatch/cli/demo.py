"""``castwatch demo``: the one command that shows a newcomer what castwatch does."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from castwatch.catalog import Credentials
from castwatch.cli import options as opt
from castwatch.cli.app import app
from castwatch.cli.output import console, print_json, progress_bars
from castwatch.sources.base import FetchOptions

if TYPE_CHECKING:
    # Type-only: the demo's heavy modules load when it runs, not for `castwatch --help`.
    from castwatch.identify.impact import ImpactReport
    from castwatch.storage.db import Store
    from castwatch.storage.snapshots import SnapshotSummary


@app.command()
def demo(
    ctx: typer.Context,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the simulated catalog.")] = 0,
    live: Annotated[int, typer.Option("--live", help="Live channels to simulate.")] = 6000,
    films: Annotated[int, typer.Option("--films", help="Films to simulate.")] = 120000,
    series: Annotated[int, typer.Option("--series", help="Series to simulate.")] = 5000,
    episodes: Annotated[int, typer.Option("--episodes", help="Episodes in all.")] = 80000,
    verify: Annotated[
        int, typer.Option("--verify", help="Identified channels to verify by fingerprint.")
    ] = 5,
    json: opt.Json = False,
) -> None:
    """Inventory a simulated pirate service, identify it, verify streams, open a case, attribute.

    Starts the simulated service on 127.0.0.1, inventories it over Xtream, M3U and Stalker,
    identifies its channels and ranks the harmed rights holders, verifies a sample of its
    live streams by fingerprint against the channels' clean feeds, and ends with a case:
    evidence filed and verified, notices drafted and a PDF dossier written. Last, it starts a
    simulated ecosystem of brands and resellers and clusters them into operators.
    """
    from castwatch.cli import demo_steps
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
            # One protocol is enough to show identification: all three carry the same catalog.
            service = results[0][1].service
            identified, report = _identify_and_rank(store, [service], json)
            verification = (
                demo_steps.verify_streams(store, sim, service, verify, seed, json)
                if verify > 0
                else None
            )
        data_dir = store.settings.home
        if not json:
            _print_inventory(results)
            _print_impact(identified, report)
            if verification is not None:
                demo_steps.print_verification(verification)
            console.print("Opening a case: evidence, notices, dossier...")
        case = demo_steps.open_case(store, service, report, verification)
        operators = demo_steps.attribute_ecosystem(store, seed, json)
    if json:
        print_json(
            {
                "inventory": [
                    {
                        "protocol": kind,
                        "service": s.service,
                        "snapshot": s.id,
                        "entries": s.entries,
                        "counts": s.counts,
                        "seconds": round(seconds, 2),
                    }
                    for kind, s, seconds in results
                ],
                "identified": identified,
                "impact": [h.as_dict(evidence_limit=3) for h in report.holders[:10]],
                "verification": verification.as_dict() if verification else None,
                "case": case,
                "attribution": operators,
            }
        )
        return
    demo_steps.print_case(case)
    demo_steps.print_operators(operators)
    console.print(
        f"Stored in {data_dir}. Next: [bold]castwatch services[/], "
        "[bold]castwatch impact demo-xtream[/], [bold]castwatch ref list[/], "
        f"[bold]castwatch case show {case['case']}[/], "
        f"[bold]castwatch dossier {case['case']} --format html[/], "
        "[bold]castwatch evidence verify[/]."
    )


def _print_inventory(results: list[tuple[str, SnapshotSummary, float]]) -> None:
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


def _identify_and_rank(
    store: Store, services: list[str], quiet: bool
) -> tuple[dict[str, dict[str, object]], ImpactReport]:
    """Identify each demo service against the registries (imported once) and rank holders."""
    from castwatch.identify.holders import DEFAULT_HOLDERS, load_holders
    from castwatch.identify.impact import rights_impact
    from castwatch.identify.iptv_org import BUNDLED, load_iptv_org
    from castwatch.identify.service import identify_snapshot
    from castwatch.storage import reference

    imports = reference.registry_status(store)["imports"]
    if not imports.get("iptv-org"):
        if not quiet:
            console.print("Importing the bundled iptv-org channel registry...")
        reference.replace_iptv_org(store, load_iptv_org(BUNDLED), str(BUNDLED))
    if not imports.get("holders"):
        reference.replace_holders(store, load_holders(DEFAULT_HOLDERS), str(DEFAULT_HOLDERS))
    if not imports.get("works"):
        from castwatch.identify.works import read_works
        from castwatch.identify.works_bundled import BUNDLED_WORKS

        if not quiet:
            console.print("Importing the bundled works registry (Wikidata films and series)...")
        reference.import_works(store, read_works(BUNDLED_WORKS), str(BUNDLED_WORKS))
    identified: dict[str, dict[str, object]] = {}
    for service in services:
        started = time.perf_counter()
        with progress_bars(not quiet) as progress:
            summary = identify_snapshot(store, service, None, progress)
        identified[service] = {
            **summary.as_dict(),
            "seconds": round(time.perf_counter() - started, 2),
        }
    return identified, rights_impact(store, services[0])


def _print_impact(identified: dict[str, dict[str, object]], report: ImpactReport) -> None:
    for service, summary in identified.items():
        found = summary["identified"]
        unknown = summary["unknown"]
        assert isinstance(found, dict) and isinstance(unknown, dict)
        console.print(
            f"Identified in {service}: {found.get('live', 0):,} live channels "
            f"({unknown.get('live', 0):,} unknown), {found.get('film', 0):,} films, "
            f"{found.get('series', 0):,} series, {found.get('episode', 0):,} episodes "
            f"in {summary['seconds']} s"
        )
    table = Table(
        "#", "rights holder", "channels carried", "works carried", "entries", "example",
        title=f"Most harmed rights holders on {report.service}",
    )  # fmt: skip
    for rank, item in enumerate(report.holders[:10], start=1):
        example = item.evidence[0]["name"] if item.evidence else ""
        table.add_row(
            str(rank),
            item.holder,
            f"{len(item.channels):,}",
            f"{len(item.works):,}",
            f"{len(item.evidence):,}",
            example,
        )
    console.print(table)
