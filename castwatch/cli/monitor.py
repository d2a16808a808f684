"""Monitoring commands: ``monitor add|list|show|remove|event|run-once``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from castwatch.cli import options as opt
from castwatch.cli.app import app
from castwatch.cli.output import console, print_json, progress_bars
from castwatch.config import Settings

if TYPE_CHECKING:
    from castwatch.jobs.monitor import PassResult
    from castwatch.jobs.schedule import MonitorInfo

monitor_app = typer.Typer(
    name="monitor",
    help="Watch services on schedules: every chosen stream probed and checked as a job.",
    no_args_is_help=True,
)
app.add_typer(monitor_app, name="monitor")

Streams = Annotated[
    str,
    typer.Option(
        "--streams",
        help="all, identified, claimed (those whose claimed channel has a reference), or a "
        "comma-separated list of entry ids or names.",
    ),
]
ProbeSeconds = Annotated[
    float, typer.Option("--probe-seconds", help="Seconds of each stream to capture.")
]


def _settings(ctx: typer.Context) -> Settings:
    return ctx.obj if isinstance(ctx.obj, Settings) else Settings.resolve()


def _seconds(text: str) -> float:
    from castwatch.jobs.schedule import parse_duration

    return parse_duration(text)


def _every(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:g}{unit}"
    return f"{seconds:g}s"


def _print_monitor(info: MonitorInfo) -> None:
    window = (
        f" from {info.starts_at:%Y-%m-%d %H:%M} to {info.ends_at:%Y-%m-%d %H:%M} UTC"
        if info.starts_at is not None and info.ends_at is not None
        else ""
    )
    reingest = f", re-read every {_every(info.reingest_s)}" if info.reingest_s else ""
    console.print(
        f"{info.kind} [bold]{info.name}[/]: {info.service}, streams {info.streams}, every "
        f"{_every(info.every_s)}, {info.probe_seconds:g} s probes{reingest}{window}",
        highlight=False,
    )


@monitor_app.command("add")
def monitor_add(
    ctx: typer.Context,
    service: Annotated[str, typer.Argument(help="A service as `castwatch services` lists it.")],
    every: Annotated[str, typer.Option("--every", help="Cadence of the checks: 30m, 1h.")] = "1h",
    streams: Streams = "all",
    probe_seconds: ProbeSeconds = 10.0,
    reingest: Annotated[
        str | None,
        typer.Option("--reingest", help="Also re-read the service this often (24h); needs --url."),
    ] = None,
    url: Annotated[
        str | None,
        typer.Option("--url", help="The address to re-read (may hold the account; stored sealed)."),
    ] = None,
    json: opt.Json = False,
) -> None:
    """Watch a service: its streams are checked every --every by `castwatch worker`."""
    from castwatch.jobs.schedule import add_monitor

    with opt.open_store(ctx) as store:
        info = add_monitor(
            store,
            service,
            every_s=_seconds(every),
            streams=streams,
            probe_seconds=probe_seconds,
            reingest_s=_seconds(reingest) if reingest is not None else None,
            url=url,
        )
    if json:
        print_json(info.to_dict())
    else:
        _print_monitor(info)


@monitor_app.command("event")
def monitor_event(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The event's name (a match: PSG-OM).")],
    streams: Streams = "all",
    starts: Annotated[str, typer.Option("--from", help="Start, ISO 8601 (UTC if no zone).")] = "",
    ends: Annotated[str, typer.Option("--to", help="End, ISO 8601 (UTC if no zone).")] = "",
    every: Annotated[str, typer.Option("--every", help="Cadence during the event.")] = "5m",
    probe_seconds: ProbeSeconds = 10.0,
    service: Annotated[
        str | None,
        typer.Option("--service", help="The service (default: the one watched service)."),
    ] = None,
    json: opt.Json = False,
) -> None:
    """A live event window: its streams checked every --every from --from to --to."""
    from castwatch.jobs.schedule import add_event, parse_moment

    if not starts or not ends:
        raise typer.BadParameter("give both --from and --to")
    with opt.open_store(ctx) as store:
        info = add_event(
            store,
            name,
            service,
            streams=streams,
            starts_at=parse_moment(starts),
            ends_at=parse_moment(ends),
            every_s=_seconds(every),
            probe_seconds=probe_seconds,
        )
    if json:
        print_json(info.to_dict())
    else:
        _print_monitor(info)


@monitor_app.command("list")
def monitor_list(ctx: typer.Context, json: opt.Json = False) -> None:
    """Every monitor and event."""
    from castwatch.jobs.schedule import list_monitors

    with opt.open_store(ctx) as store:
        infos = list_monitors(store)
    if json:
        print_json([info.to_dict() for info in infos])
        return
    table = Table("kind", "name", "service", "streams", "every", "probe s", "window", "last slot")
    for info in infos:
        window = (
            f"{info.starts_at:%Y-%m-%d %H:%M} - {info.ends_at:%Y-%m-%d %H:%M}"
            if info.starts_at is not None and info.ends_at is not None
            else "-"
        )
        table.add_row(
            info.kind, info.name, info.service, info.streams, _every(info.every_s),
            f"{info.probe_seconds:g}", window, info.last_slot or "-",
        )  # fmt: skip
    console.print(table)


@monitor_app.command("show")
def monitor_show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A watched service, or an event's name.")],
    json: opt.Json = False,
) -> None:
    """A monitor or event, and what its last fired slot found."""
    from castwatch.jobs.builtin import CHECK_STREAM
    from castwatch.jobs.monitor import tally
    from castwatch.jobs.queue import list_jobs
    from castwatch.jobs.schedule import get_monitor

    with opt.open_store(ctx) as store:
        info = get_monitor(store, name)
        jobs = (
            [
                job
                for job in list_jobs(store)
                if job.kind == CHECK_STREAM
                and job.slot == info.last_slot
                and job.target.startswith(f"{info.service}#")
            ]
            if info.last_slot
            else []
        )
    last = tally(info.service, info.last_slot or "", jobs) if info.last_slot else None
    if json:
        print_json(info.to_dict() | {"last_pass": last.to_dict() if last else None})
        return
    _print_monitor(info)
    if last is not None:
        _print_pass(last)


def _print_pass(result: PassResult) -> None:
    counts = result.to_dict()
    console.print(
        f"pass {result.slot} of {result.service}: {result.probed:,} probed, "
        + ", ".join(f"{counts[key]:,} {key}" for key in result.counts)
        + f", {result.errors:,} errors, {result.seconds:.1f} s",
        highlight=False,
    )
    flagged = [s for s in result.streams if s.get("verdict") == "contradicted"]
    if flagged:
        table = Table("stream", "claims", "carries", title="Content contradicts the name")
        for stream in flagged:
            table.add_row(stream["target"], str(stream["claimed"]), str(stream["matched"]))
        console.print(table)


@monitor_app.command("remove")
def monitor_remove(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A watched service, or an event's name.")],
    json: opt.Json = False,
) -> None:
    """Stop a monitor or event (its jobs and results stay)."""
    from castwatch.jobs.schedule import remove_monitor

    with opt.open_store(ctx) as store:
        info = remove_monitor(store, name)
    if json:
        print_json(info.to_dict())
    else:
        console.print(f"removed {info.kind} {info.name}", highlight=False)


@monitor_app.command("run-once")
def monitor_run_once(
    ctx: typer.Context,
    service: Annotated[str, typer.Argument(help="A service as `castwatch services` lists it.")],
    engine: Annotated[
        str, typer.Option("--engine", help="embedded (worker processes here) or celery.")
    ] = "embedded",
    workers: Annotated[int, typer.Option("--workers", help="Worker processes.")] = 2,
    streams: Annotated[
        str | None,
        typer.Option("--streams", help="As for `monitor add` (default: the monitor's, or all)."),
    ] = None,
    probe_seconds: Annotated[
        float | None,
        typer.Option("--probe-seconds", help="Seconds per probe (default: the monitor's, or 10)."),
    ] = None,
    json: opt.Json = False,
) -> None:
    """One full pass over a service's streams, waiting for the result."""
    from castwatch.errors import NotFound
    from castwatch.jobs.engine import EngineOptions
    from castwatch.jobs.monitor import run_once
    from castwatch.jobs.schedule import get_monitor

    if workers < 1:
        raise typer.BadParameter("--workers must be at least 1")
    with opt.open_store(ctx) as store:
        try:
            watched = get_monitor(store, service)
        except NotFound:
            watched = None
    if watched is not None and watched.kind == "monitor":
        streams = streams if streams is not None else watched.streams
        probe_seconds = probe_seconds if probe_seconds is not None else watched.probe_seconds
    with progress_bars(not json) as progress:
        result = run_once(
            _settings(ctx),
            service,
            streams=streams or "all",
            probe_seconds=probe_seconds if probe_seconds is not None else 10.0,
            engine=engine,
            options=EngineOptions(workers=workers),
            progress=progress,
        )
    if json:
        print_json(result.to_dict())
    else:
        _print_pass(result)
