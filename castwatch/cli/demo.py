"""``castwatch demo``: the one command that shows a newcomer what castwatch does.

The scenario itself is :func:`castwatch.demo.run_demo`; this command only renders it.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from castwatch.cli import options as opt
from castwatch.cli.app import app
from castwatch.cli.output import console, print_json, progress_bars
from castwatch.cli.verify import match_cell

if TYPE_CHECKING:
    # Type-only: the demo's heavy modules load when it runs, not for `castwatch --help`.
    from castwatch.catalog.progress import Progress
    from castwatch.demo import DemoCase, DemoResult, EcosystemAttribution, IngestRun
    from castwatch.fingerprint.verification import ServiceVerification
    from castwatch.identify.impact import ImpactReport


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
    from castwatch.demo import DemoHooks, DemoOptions, run_demo

    class Shown(DemoHooks):
        """Every step on the terminal as it happens."""

        def say(self, text: str) -> None:
            console.print(text)

        def bars(self) -> AbstractContextManager[Progress]:
            return progress_bars()

        def ingested(self, run: IngestRun) -> None:
            console.print(
                f"  ingested over {run.protocol:<8} {run.summary.entries:>9,} entries "
                f"in {run.seconds:.1f} s"
            )

        def service_checked(self, result: DemoResult) -> None:
            _print_inventory(result.inventory)
            assert result.impact is not None
            _print_impact(result.identified, result.impact)
            if result.verification is not None:
                _print_verification(result.verification)
            console.print("Opening a case: evidence, notices, dossier...")

    options = DemoOptions(
        seed=seed, live=live, films=films, series=series, episodes=episodes, verify=verify
    )
    with opt.open_store(ctx) as store:
        result = run_demo(store, options, DemoHooks() if json else Shown())
    if json:
        print_json(result.to_dict())
        return
    assert result.case is not None and result.attribution is not None
    _print_case(result.case)
    _print_operators(result.attribution)
    case_id = result.case.filing.case.id
    console.print(
        f"Stored in {result.data_dir}. Next: [bold]castwatch services[/], "
        "[bold]castwatch impact demo-xtream[/], [bold]castwatch ref list[/], "
        f"[bold]castwatch case show {case_id}[/], "
        f"[bold]castwatch dossier {case_id} --format html[/], "
        "[bold]castwatch evidence verify[/]."
    )
    if result.login is not None:
        login = result.login
        console.print(
            f"Coalition server: run [bold]castwatch serve[/], then {login.url}docs "
            f"(API at {login.url}api/v1) for organisation {login.organisation}: "
            f"login {login.email} / {login.password}, API token {login.token} "
            "(shown once; run the demo again for new ones).",
            highlight=False,
        )


def _print_inventory(runs: list[IngestRun]) -> None:
    table = Table(
        "protocol", "live", "films", "series", "episodes", "films + episodes", "seconds",
        title="Inventory of the simulated service",
    )  # fmt: skip
    for run in runs:
        kind, c = run.protocol, run.summary.counts
        table.add_row(
            kind,
            f"{c['live']:,}",
            f"{c['film']:,}",
            f"{c['series']:,}" if c["series"] else "- (not in M3U)" if kind == "m3u" else "0",
            f"{c['episode']:,}",
            f"{c['film'] + c['episode']:,}",
            f"{run.seconds:.1f}",
        )
    console.print(table)


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


#: The demo says in words what ``verify`` marks with signs.
_DEMO_MARKS = ("", "[green]confirmed[/]", "[yellow]contradicts:[/]")


def _print_verification(outcome: ServiceVerification) -> None:
    table = Table(
        "stream", "identified as", "fingerprint match", "score", "offset s",
        title="Verification of a sample of live streams (restreamed: scaled, bars, logo, crop)",
    )  # fmt: skip
    for result in outcome.results:
        table.add_row(
            result.source.split(" (", 1)[0],
            result.claimed_id or "-",
            match_cell(result, _DEMO_MARKS, with_kind=False),
            "" if result.score is None else f"{result.score:.0f}",
            "" if result.offset_s is None else f"{result.offset_s:+.1f}",
        )
    console.print(table)
    contradicted = sum(1 for r in outcome.results if r.matched_id is not None and not r.confirmed)
    console.print(
        f"{outcome.confirmed} of {len(outcome.results)} sampled streams confirmed by "
        f"fingerprint; {contradicted} {'carries' if contradicted == 1 else 'carry'} another "
        "channel than its name was identified as (the content overrules the name). Score: "
        "-log10 of the false-match rate (docs/fingerprint.md).",
        highlight=False,
    )


def _print_case(case: DemoCase) -> None:
    filing = case.filing
    notices = ", ".join(f"{kind}: {count}" for kind, count in filing.notices.items())
    console.print(
        f"Case #{filing.case.id} {filing.case.name!r}: {filing.evidence_filed} evidence "
        f"items filed; notices drafted ({notices}); evidence ledger "
        + ("[green]verified[/]" if filing.evidence_verified else "[red]FAILED[/]")
        + f" ({filing.ledger_entries} entries).",
        highlight=False,
    )
    console.print(f"Dossier: [bold]{case.dossier}[/]", highlight=False)


def _print_operators(attribution: EcosystemAttribution) -> None:
    summary = attribution.to_dict()
    table = Table(
        "operator", "brands and resellers", "what joins them",
        title="Operators found behind the simulated brands",
    )  # fmt: skip
    for operator in summary["operators"]:
        table.add_row(
            str(operator["id"]), ", ".join(operator["services"]), "\n".join(operator["pivots"])
        )
    console.print(table)
    console.print(
        f"{len(summary['operators'])} multi-brand operators among {summary['brands']} brands; "
        f"against the simulator's truth: pairwise precision {summary['pairwise_precision']}, "
        f"recall {summary['pairwise_recall']}, decoys merged {summary['decoys_merged']}.",
        highlight=False,
    )
