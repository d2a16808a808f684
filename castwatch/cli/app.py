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


def _register_commands() -> None:
    # Each module adds its commands to ``app`` when imported.
    from castwatch.cli import demo, inventory, sim  # noqa: F401


def main() -> None:
    """Entry point: run the app, turning castwatch errors into one clear line and exit 1."""
    import click
    from rich.console import Console

    _register_commands()
    try:
        # standalone_mode=False lets castwatch errors reach us; click then *returns* the code
        # of a typer.Exit instead of exiting, so pass it on.
        code = app(standalone_mode=False)
    except CastwatchError as exc:
        Console(stderr=True).print(f"[bold red]error:[/] {exc}", highlight=False)
        raise SystemExit(1) from None
    except click.ClickException as exc:
        exc.show()
        raise SystemExit(exc.exit_code) from None
    except click.Abort:
        Console(stderr=True).print("aborted")
        raise SystemExit(130) from None
    raise SystemExit(code if isinstance(code, int) else 0)
