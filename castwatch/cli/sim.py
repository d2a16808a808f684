"""``castwatch sim``: serve a simulated pirate panel (synthetic data, 127.0.0.1 only)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from castwatch.cli.app import app
from castwatch.errors import ConfigError
from castwatch.sim.config import (
    DEFAULT_MAC,
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    Fault,
    SimConfig,
    loopback_host,
)

if TYPE_CHECKING:
    from castwatch.sim.ecosystem import EcosystemInfo
    from castwatch.sim.server import SimServer


@app.command("sim")
def sim_command(
    host: Annotated[str, typer.Option(help="Address to bind: 127.0.0.1 (or localhost) only.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(help="Port to bind; 0 picks a free one.")] = 0,
    seed: Annotated[int, typer.Option(help="Catalog seed: the same seed, the same catalog.")] = 0,
    live: Annotated[int, typer.Option(help="Live channels.")] = 6000,
    films: Annotated[int, typer.Option(help="Films.")] = 120_000,
    series: Annotated[int, typer.Option(help="Series.")] = 5000,
    episodes: Annotated[int, typer.Option(help="Episodes, spread over the series.")] = 80_000,
    fault: Annotated[
        Fault | None, typer.Option(help="Make every endpoint misbehave this way.")
    ] = None,
    slow_delay: Annotated[
        float, typer.Option(help="Seconds per response with --fault slow.")
    ] = 5.0,
    page_size: Annotated[int, typer.Option(help="Stalker max_page_items.")] = 14,
    username: Annotated[str, typer.Option(help="Xtream username.")] = DEFAULT_USERNAME,
    password: Annotated[str, typer.Option(help="Xtream password.")] = DEFAULT_PASSWORD,
    mac: Annotated[
        str, typer.Option(help="The Stalker MAC address the portal knows.")
    ] = DEFAULT_MAC,
    shapes: Annotated[
        str,
        typer.Option(
            help="Answer shapes: canonical (one shape) or mixed (every shape real panels use, "
            "rotated across series and rows; see docs/protocols.md).",
        ),
    ] = "canonical",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the URLs as one JSON line, then serve.")
    ] = False,
    ecosystem: Annotated[
        bool,
        typer.Option(
            "--ecosystem",
            help="Serve a simulated ecosystem of operators, brands, resellers and decoys "
            "(DNS, HTTPS, panels, RDAP on 127.0.0.0/8) instead of one panel; --seed applies.",
        ),
    ] = False,
    truth: Annotated[
        Path | None,
        typer.Option(
            help="Write the ground truth (JSON) to this file: with --ecosystem, the "
            "operators; otherwise what each live stream really carries (docs/monitoring.md).",
        ),
    ] = None,
    swapped: Annotated[
        int,
        typer.Option(help="Live streams that carry another channel than their name says."),
    ] = 0,
    frozen_clock: Annotated[
        bool,
        typer.Option(
            "--frozen-clock",
            help="Live time stands still at start: references captured before a monitoring "
            "pass cover the instants it probes (docs/monitoring.md).",
        ),
    ] = False,
) -> None:
    """Serve a simulated pirate IPTV panel (M3U, Xtream, Stalker) until Ctrl-C."""
    from castwatch.sim.server import serve

    if ecosystem:
        if fault is not None:
            raise ConfigError("--fault applies to the single panel, not to --ecosystem")
        _serve_ecosystem(seed, truth, as_json)
        return
    try:
        host = loopback_host(host)
        config = SimConfig(
            seed=seed,
            live=live,
            films=films,
            series=series,
            episodes=episodes,
            fault=fault,
            slow_delay=slow_delay,
            page_size=page_size,
            username=username,
            password=password,
            mac=mac,
            shapes=shapes,
            swapped=swapped,
            frozen_clock=time.time() if frozen_clock else None,
        )
    except ValueError as exc:
        raise ConfigError(str(exc)) from None

    def announce(server: SimServer) -> None:
        if truth is not None:
            # Written before the URLs are announced: whoever reads them may read it at once.
            truth.write_text(json.dumps(server.truth(), indent=1) + "\n")
        if as_json:
            sys.stdout.write(json.dumps(server.urls) + "\n")
            sys.stdout.flush()
            return
        table = Table(title="castwatch sim: synthetic panel on 127.0.0.1", show_header=False)
        table.add_column("key", style="bold")
        table.add_column("value", overflow="fold")  # URLs are copied from here: never cut them
        for key, value in server.urls.items():
            table.add_row(key, value)
        if fault is not None:
            table.add_row("fault", str(fault))
        Console().print(table)
        Console(stderr=True).print("Serving; press Ctrl-C to stop.")

    serve(config, host=host, port=port, on_ready=announce)


def _serve_ecosystem(seed: int, truth: Path | None, as_json: bool) -> None:
    from castwatch.sim.ecosystem import serve_ecosystem

    def announce(info: EcosystemInfo) -> None:
        if as_json:
            sys.stdout.write(json.dumps(info.announcement()) + "\n")
            sys.stdout.flush()
            return
        table = Table(title=f"castwatch sim --ecosystem (seed {seed})", show_header=True)
        table.add_column("brand", style="bold")
        table.add_column("shop", overflow="fold")
        table.add_column("panel", overflow="fold")
        for name, entry in info.brands.items():
            table.add_row(name, entry.shop, entry.panel)
        console = Console()
        console.print(table)
        console.print(f"DNS server   {info.dns}", highlight=False)
        console.print(f"RDAP         {info.rdap_url}", highlight=False)
        console.print(f"ip2asn table {info.ip2asn}", highlight=False)
        console.print(f"CA bundle    {info.ca_cert}", highlight=False)
        if truth is not None:
            console.print(f"ground truth {truth}", highlight=False)
        Console(stderr=True).print("Serving; press Ctrl-C to stop.")

    serve_ecosystem(seed, truth_path=truth, on_ready=announce)
