"""``castwatch worker``: the scheduler and the workers that run monitoring jobs, unattended."""

from __future__ import annotations

import signal
from typing import Annotated

import typer

from castwatch.cli.app import app
from castwatch.config import Settings
from castwatch.errors import ConfigError

ENGINES = ("embedded", "celery")


@app.command("worker")
def worker(
    ctx: typer.Context,
    engine: Annotated[
        str, typer.Option("--engine", help="embedded (no broker) or celery (RabbitMQ).")
    ] = "embedded",
    queues: Annotated[
        str | None,
        typer.Option(
            "--queues",
            help="celery: the job classes to take, comma-separated: captures, ingests, checks "
            "(default: all).",
        ),
    ] = None,
    concurrency: Annotated[
        int, typer.Option("--concurrency", min=1, help="Jobs run at once by this worker.")
    ] = 2,
    no_scheduler: Annotated[
        bool,
        typer.Option("--no-scheduler", help="Run queued jobs only; fire no schedules here."),
    ] = False,
    tick: Annotated[
        float, typer.Option("--tick", min=0.1, help="Seconds between two scheduler rounds.")
    ] = 15.0,
    name: Annotated[
        str | None, typer.Option("--name", help="celery: this worker's node name.")
    ] = None,
) -> None:
    """Run the scheduler and N workers until Ctrl-C (or SIGTERM): every due monitor slot is
    queued once and every queued job is run.

    embedded: N worker processes on the configured database (SQLite by default), no broker.
    celery: a Celery worker on the broker of jobs.toml / CASTWATCH_BROKER_URL, working on
    the database of --db / CASTWATCH_DB (PostgreSQL when workers run on several machines);
    start one on every machine, with --no-scheduler on all but one or two.
    """
    settings = ctx.obj if isinstance(ctx.obj, Settings) else Settings.resolve()
    if engine not in ENGINES:
        raise ConfigError(f"unknown engine {engine!r}: use {' or '.join(ENGINES)}")
    from castwatch.jobs.engine import EngineOptions

    options = EngineOptions(workers=concurrency)
    if engine == "embedded":
        if queues is not None or name is not None:
            raise ConfigError("--queues and --name apply to --engine celery only")
        _run_embedded(settings, options, tick, scheduler=not no_scheduler)
    else:
        _run_celery(settings, options, tick, queues, name, scheduler=not no_scheduler)


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _run_embedded(settings: Settings, options: object, tick: float, scheduler: bool) -> None:
    from castwatch.jobs.celery_engine import load_fire_due, scheduler_main
    from castwatch.jobs.engine import EngineOptions, new_stop_event, start_workers

    assert isinstance(options, EngineOptions)
    if scheduler:
        load_fire_due()  # a clear error now rather than a silent scheduler later
    stop = new_stop_event()
    # SIGTERM (a service manager stopping us) ends the workers as Ctrl-C does: by an
    # exception out of the wait, as setting the event inside the handler could deadlock on
    # the lock the interrupted wait holds.
    signal.signal(signal.SIGTERM, _interrupt)
    processes = start_workers(settings, options, None, stop)
    try:
        if scheduler:
            scheduler_main(settings, options, stop, tick, publish=False)
        else:
            stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        for process in processes:
            process.join()


def _run_celery(
    settings: Settings,
    options: object,
    tick: float,
    queues: str | None,
    name: str | None,
    scheduler: bool,
) -> None:
    import multiprocessing

    from castwatch.jobs.celery_app import JOB_CLASSES, make_app, queue_name
    from castwatch.jobs.celery_engine import check_broker, load_fire_due, scheduler_main
    from castwatch.jobs.engine import EngineOptions

    assert isinstance(options, EngineOptions)
    chosen = [item.strip() for item in (queues or ",".join(JOB_CLASSES)).split(",") if item]
    unknown = [item for item in chosen if item not in JOB_CLASSES]
    if unknown or not chosen:
        raise ConfigError(
            f"--queues {queues!r}: unknown job class {', '.join(unknown) or '(none)'}; use "
            f"{', '.join(JOB_CLASSES)}"
        )
    celery = make_app(settings)
    check_broker(celery)
    spawn = multiprocessing.get_context("spawn")
    stop = spawn.Event()
    helper = None
    if scheduler:
        load_fire_due()
        helper = spawn.Process(
            target=scheduler_main, args=(settings, options, stop, tick, True), daemon=True
        )
        helper.start()
    argv = [
        "worker",
        "--concurrency", str(options.workers),
        "--queues", ",".join(queue_name(celery.castwatch_celery, item) for item in chosen),
        "--loglevel", "INFO",
        "--without-gossip",
        "--without-mingle",
    ]  # fmt: skip
    if name is not None:
        argv += ["--hostname", f"{name}@%h"]
    try:
        celery.worker_main(argv)
    finally:
        stop.set()
        if helper is not None:
            helper.join(timeout=30)
            if helper.exitcode is None:
                helper.kill()
