"""``python -m castwatch.sim``: the ``castwatch sim`` command on its own (SimProcess runs it).

``python -m castwatch.sim --ecosystem --json`` serves the simulated ecosystem the same way.

It skips the global ``castwatch`` options (data directory, database): the simulator needs
neither, and a child process should start in as little time as possible.
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from castwatch.cli.sim import sim_command
from castwatch.errors import CastwatchError


def main() -> None:
    command = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    command.command()(sim_command)
    try:
        command()
    except CastwatchError as exc:
        Console(stderr=True).print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(1)


if __name__ == "__main__":
    main()
