"""``castwatch dossier CASE``: write a case's self-contained HTML or PDF report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from castwatch.cli import options as opt
from castwatch.cli.app import app
from castwatch.cli.output import console, print_json


@app.command("dossier")
def dossier(
    ctx: typer.Context,
    case: Annotated[str, typer.Argument(help="Case name or number.")],
    format: Annotated[str, typer.Option("--format", help="html or pdf.")] = "pdf",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Where to write it (default: dossier-CASE.FORMAT)."),
    ] = None,
    json: opt.Json = False,
) -> None:
    """Write the case dossier: summary, rights holders, proof, infrastructure, notices, evidence."""
    from castwatch.report.dossier import FORMATS, write_dossier

    chosen = format.strip().lower()
    if chosen not in FORMATS:
        raise typer.BadParameter(f"--format must be html or pdf, not {format!r}")
    with opt.open_store(ctx) as store:
        path = write_dossier(store, case, output, "pdf" if chosen == "pdf" else "html")
    if json:
        print_json({"case": case, "format": chosen, "path": str(path.resolve()),
                    "bytes": path.stat().st_size})  # fmt: skip
        return
    console.print(str(path.resolve()), highlight=False, soft_wrap=True)
