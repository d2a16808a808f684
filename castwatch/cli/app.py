"""The ``castwatch`` command: global options, and the sub-modules that add commands."""

from __future__ import annotations

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

    ctx.obj = Settings.resolve(home=home, db_url=db)


_INTERRUPTED = 130


def _register_commands() -> None:
    # Each module adds its commands to ``app`` when imported.
    from castwatch.cli import (  # noqa: F401
        attribute,
        demo,
        dossier,
        enforce,
        identify,
        inventory,
        registry,
        sim,
        verify,
        watch,
    )


def main() -> None:
    """Entry point: run the app, turning castwatch errors into one clear line and exit 1."""
    from rich.console import Console

    _register_commands()
    try:
        # standalone_mode=False lets castwatch errors reach us; click then *returns* the code
        # of a typer.Exit instead of exiting, so pass it on.
        code = app(standalone_mode=False)
    except CastwatchError as exc:
        Console(stderr=True).print(f"[bold red]error:[/] {exc}", highlight=False)
        raise SystemExit(1) from None
    except typer.Abort:
        Console(stderr=True).print("aborted")
        raise SystemExit(130) from None
    except typer.TyperException as exc:
        # Usage errors (bad options, missing arguments): click's own message, exit 2.
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        raise SystemExit(getattr(exc, "exit_code", 2)) from None
    if code == _INTERRUPTED:
        # Typer turns Ctrl-C into exit code 130; say what that means for the data.
        Console(stderr=True).print("interrupted: nothing from this run was stored")
    raise SystemExit(code if isinstance(code, int) else 0)
