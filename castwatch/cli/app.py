"""The ``castwatch`` command: global options, and the sub-modules that add commands."""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Annotated

import typer

from castwatch.errors import CastwatchError

app = typer.Typer(
    name="castwatch",
    help="Inventory, identify and act against pirate IPTV services.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def command_group(name: str, help: str, parent: typer.Typer = app) -> typer.Typer:
    """A group of sub-commands, ``castwatch NAME COMMAND``, added to ``parent``.

    Without a command the group prints its help, as the top level does.
    """
    group = typer.Typer(name=name, help=help, no_args_is_help=True)
    parent.add_typer(group, name=name)
    return group


@app.callback()
def main_options(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option("--home", envvar="CASTWATCH_HOME", help="Data directory (all state)."),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option("--db", envvar="CASTWATCH_DB", help="Database URL (default: SQLite in home)."),
    ] = None,
) -> None:
    """castwatch: the investigator's side of content protection."""
    from castwatch.config import Settings

    ctx.obj = Settings.resolve(home=home, db_url=db, work=_work(ctx))


def _work(ctx: typer.Context) -> str | None:
    """The command's name (``ingest``, ``case``): what another process is told we do.

    Only castwatch's own command names, never arguments, which may hold URLs with
    credentials; :func:`castwatch.cli.options.open_store` refines it to ``case add``.
    """
    return ctx.invoked_subcommand


_INTERRUPTED = 130


def _register_commands() -> None:
    # Each module adds its commands to ``app`` when imported.
    from castwatch.cli import (  # noqa: F401
        accounts,
        alerts,
        attribute,
        demo,
        dossier,
        enforce,
        identify,
        inventory,
        jobs,
        monitor,
        registry,
        serve,
        sim,
        verify,
        watch,
        worker,
    )

    _resolve_annotations(app)


def _resolve_annotations(commands: typer.Typer) -> None:
    """Evaluate every command's annotations once, here.

    The command modules use ``from __future__ import annotations``, so a signature's
    annotations are strings; Typer evaluates them twice per command when it builds the parser,
    which was the largest cost of ``castwatch --help`` after the imports. Evaluated once, in
    the command's own module, they are the very objects Typer would have got.
    """
    callbacks = [command.callback for command in commands.registered_commands]
    if commands.registered_callback is not None:
        callbacks.append(commands.registered_callback.callback)
    for callback in callbacks:
        if callback is not None:
            callback.__annotations__ = typing.get_type_hints(callback, include_extras=True)
    for group in commands.registered_groups:
        if group.typer_instance is not None:
            _resolve_annotations(group.typer_instance)


def main() -> None:
    """Entry point: run the app, turning castwatch errors into one clear line and exit 1."""
    from castwatch.cli.output import error_line, note_line

    _register_commands()
    try:
        # standalone_mode=False lets castwatch errors reach us; click then *returns* the code
        # of a typer.Exit instead of exiting, so pass it on.
        code = app(standalone_mode=False)
    except CastwatchError as exc:
        error_line(str(exc))
        raise SystemExit(1) from None
    except typer.Abort:
        note_line("aborted")
        raise SystemExit(130) from None
    except typer.TyperException as exc:
        # Usage errors (bad options, missing arguments): click's own message, exit 2.
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        raise SystemExit(getattr(exc, "exit_code", 2)) from None
    if code == _INTERRUPTED:
        # Typer turns Ctrl-C into exit code 130; say what that means for the data.
        note_line("interrupted: nothing from this run was stored")
    raise SystemExit(code if isinstance(code, int) else 0)
