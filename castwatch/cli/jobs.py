"""Job commands: ``jobs [--state S]``, ``jobs retry ID``, and ``ref capture-all``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from castwatch.cli import options as opt
from castwatch.cli.app import app
from castwatch.cli.output import console, print_json, progress_bars
from castwatch.cli.verify import ref_app
from castwatch.config import Settings

if TYPE_CHECKING:
    from castwatch.jobs.queue import JobInfo

jobs_app = typer.Typer(
    name="jobs",
    help="The jobs of the engine: what ran, what failed, what is dead; retry them.",
    invoke_without_command=True,
)
app.add_typer(jobs_app, name="jobs")

#: Jobs the table shows when no --limit is given (JSON then lists all of them).
TABLE_ROWS = 200


@jobs_app.callback()
def jobs_list(
    ctx: typer.Context,
    state: Annotated[
        str | None,
        typer.Option(
            "--state", help="Only jobs in this state: queued, running, done, failed, dead."
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option("--limit", help=f"Only the newest N (table default: {TABLE_ROWS})."),
    ] = None,
    json: opt.Json = False,
) -> None:
    """Jobs, oldest first, with their state, attempts, worker and last error."""
    if ctx.invoked_subcommand is not None:
        return
    from castwatch.jobs.queue import list_jobs

    if limit is not None and limit < 1:
        raise typer.BadParameter("--limit must be at least 1")
    with opt.open_store(ctx) as store:
        jobs = list_jobs(store, state=state)
    shown = limit if limit is not None else (None if json else TABLE_ROWS)
    if shown is not None:
        jobs = jobs[-shown:]
    if json:
        print_json([job.to_dict() for job in jobs])
        return
    table = Table("id", "kind", "target", "slot", "state", "tries", "worker", "error")
    for job in jobs:
        table.add_row(
            str(job.id), job.kind, job.target, job.slot, job.state,
            f"{job.attempts}/{job.max_attempts}", job.worker or "-", _first_line(job),
        )  # fmt: skip
    console.print(table)


def _first_line(job: JobInfo) -> str:
    return (job.error or "").splitlines()[0][:120] if job.error else ""


@jobs_app.command("retry")
def jobs_retry(
    ctx: typer.Context,
    job_id: Annotated[int, typer.Argument(help="A failed or dead job's id (`castwatch jobs`).")],
    json: opt.Json = False,
) -> None:
    """Queue a failed or dead job again with fresh attempts (`castwatch worker` runs it)."""
    from castwatch.jobs.queue import retry

    with opt.open_store(ctx) as store:
        job = retry(store, job_id)
    if json:
        print_json(job.to_dict())
    else:
        console.print(f"job {job.id} ({job.kind} {job.target}) queued again", highlight=False)


@ref_app.command("capture-all")
def ref_capture_all(
    ctx: typer.Context,
    source: Annotated[
        str, typer.Argument(help='A JSON list of {"channel_id", "url"}: a file or a URL.')
    ],
    minutes: Annotated[
        float, typer.Option("--minutes", help="Minutes of live reference to capture per channel.")
    ] = 1.0,
    workers: Annotated[int, typer.Option("--workers", help="Captures running at once.")] = 4,
    timeout: opt.Timeout = 15.0,
    deadline: opt.Deadline = 300.0,
    allow_private_networks: opt.AllowPrivateNetworks = False,
    json: opt.Json = False,
) -> None:
    """Capture a live reference for every channel of a list, as parallel jobs."""
    from castwatch.cli.verify import _capture_options
    from castwatch.jobs.engine import EngineOptions
    from castwatch.jobs.references import capture_all, read_reference_list

    if minutes <= 0 or workers < 1:
        raise typer.BadParameter("--minutes must be positive and --workers at least 1")
    fetch = _capture_options(timeout, deadline, allow_private_networks)
    items = read_reference_list(source, fetch)
    settings = ctx.obj if isinstance(ctx.obj, Settings) else Settings.resolve()
    with progress_bars(not json) as progress:
        outcome = capture_all(
            settings,
            source,
            items,
            seconds=minutes * 60.0,
            options=fetch,
            engine=EngineOptions(workers=workers),
            progress=progress,
        )
    if json:
        print_json(outcome.to_dict())
    else:
        console.print(
            f"{len(outcome.captured):,} of {len(items):,} references captured from {source}",
            highlight=False,
        )
        for channel, error in outcome.failed.items():
            console.print(f"  [red]failed[/] {channel}: {error}", highlight=False)
    if outcome.failed:
        raise typer.Exit(1)
