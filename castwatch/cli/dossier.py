"""``castwatch dossier CASE``: write a case's self-contained HTML or PDF report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

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
    file: Annotated[
        bool,
        typer.Option("--file", help="Also file the written dossier in the case's evidence ledger."),
    ] = False,
    json: opt.Json = False,
) -> None:
    """Write the case dossier: summary, rights holders, proof, infrastructure, notices, evidence."""
    from castwatch.report.dossier import FORMATS, file_dossier, write_dossier

    chosen = format.strip().lower()
    if chosen not in FORMATS:
        raise typer.BadParameter(f"--format must be html or pdf, not {format!r}")
    kind: Literal["pdf", "html"] = "pdf" if chosen == "pdf" else "html"
    with opt.open_store(ctx) as store:
        if file:
            path, entry = file_dossier(store, case, output, kind)
        else:
            path, entry = write_dossier(store, case, output, kind), None
    if json:
        document: dict[str, object] = {
            "case": case, "format": chosen, "path": str(path.resolve()),
            "bytes": path.stat().st_size,
        }  # fmt: skip
        if entry is not None:
            document["evidence"] = entry.as_dict()
        print_json(document)
        return
    console.print(str(path.resolve()), highlight=False, soft_wrap=True)
    if entry is not None:
        console.print(
            f"filed as evidence #{entry.seq} (sha256:{entry.sha256}): {entry.description}",
            highlight=False, markup=False, soft_wrap=True,
        )  # fmt: skip
