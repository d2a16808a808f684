"""Identification commands: ``identify SERVICE``, ``identify names FILE``, ``impact SERVICE``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from castwatch.cli import options as opt
from castwatch.cli.app import app
from castwatch.cli.output import console, dumps, print_json, progress_bars
from castwatch.errors import CastwatchError


@app.command("identify")
def identify(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="SERVICE, or the word 'names' followed by FILE.")],
    file: Annotated[
        Path | None,
        typer.Argument(help="With 'names': one name or JSON object per line; - for stdin."),
    ] = None,
    kind: Annotated[
        str, typer.Option("--kind", help="With 'names': channel or title.")
    ] = "channel",
    snapshot: Annotated[int | None, typer.Option("--snapshot", help="Default: latest.")] = None,
    json: opt.Json = False,
) -> None:
    """Identify a service (`identify SERVICE`) or names from a file (`identify names FILE`).

    `identify SERVICE` stores an identification for every entry of the latest snapshot.
    `identify names FILE` prints one JSON object per input line, in order:
    {"input", "channel_id" | "work_id", "confidence", "why"}, the id null when unknown.
    """
    if target == "names" and file is not None:
        _identify_names(ctx, file, kind)
    elif file is not None:
        raise typer.BadParameter(
            f"unexpected argument {str(file)!r} (did you mean `identify names FILE`?)"
        )
    else:
        _identify_service(ctx, target, snapshot, json)


def _identify_service(ctx: typer.Context, service: str, snapshot: int | None, json: bool) -> None:
    from castwatch.identify.snapshot import identify_snapshot

    with opt.open_store(ctx) as store, progress_bars(not json) as progress:
        summary = identify_snapshot(store, service, snapshot, progress)
    if json:
        print_json(summary.as_dict())
        return
    table = Table(
        "kind", "identified", "unknown", title=f"{summary.service}, snapshot {summary.snapshot}"
    )
    for entry_kind in ("live", "film", "series", "episode"):
        if summary.identified[entry_kind] or summary.unknown[entry_kind]:
            table.add_row(
                entry_kind,
                f"{summary.identified[entry_kind]:,}",
                f"{summary.unknown[entry_kind]:,}",
            )
    console.print(table)
    if not summary.works_available:
        console.print(
            "[yellow]No works registry: films and series were not identified[/] "
            "(castwatch registry import-works FILE)."
        )


def _identify_names(ctx: typer.Context, file: Path, kind: str) -> None:
    from castwatch.identify.name_queries import identify_names

    if kind not in ("channel", "title"):
        raise typer.BadParameter(f"--kind must be channel or title, not {kind!r}")
    lines = _read_lines(file)
    with opt.open_store(ctx) as store:
        answers = identify_names(store, lines, "channel" if kind == "channel" else "title")
    for answer in answers:
        sys.stdout.write(dumps(answer.to_dict()) + "\n")
    sys.stdout.flush()


@app.command()
def impact(
    ctx: typer.Context,
    service: Annotated[str, typer.Argument(help="Service (identify it first).")],
    holder: Annotated[
        str | None, typer.Option("--holder", help="One holder (name or alias).")
    ] = None,
    snapshot: Annotated[int | None, typer.Option("--snapshot", help="Default: latest.")] = None,
    evidence: Annotated[
        int, typer.Option("--evidence", help="Evidence entries shown per holder.")
    ] = 5,
    json: opt.Json = False,
) -> None:
    """Rank rights holders by how many of their channels and works the service carries."""
    from castwatch.identify.impact import rights_impact

    with opt.open_store(ctx) as store:
        report = rights_impact(store, service, snapshot, holder)
    if json:
        print_json(report.to_dict())
        return
    if not report.identified_entries:
        console.print(
            f"Nothing identified in {report.service}: run `castwatch identify {report.service}`."
        )
        return
    table = Table(
        "#", "rights holder", "channels", "works", "entries", "top categories",
        title=f"Rights impact: {report.service}, snapshot {report.snapshot}",
    )  # fmt: skip
    for rank, item in enumerate(report.holders, start=1):
        top = ", ".join(f"{group} ({n})" for group, n in item.by_category.most_common(3))
        table.add_row(
            str(rank), item.holder, f"{len(item.channels):,}", f"{len(item.works):,}",
            f"{len(item.evidence):,}", top,
        )  # fmt: skip
    console.print(table)
    console.print(report.territory_note, highlight=False)
    for item in report.holders[:3] if evidence else []:
        console.print(f"[bold]{item.holder}[/]: e.g.")
        for proof in item.evidence[:evidence]:
            console.print(
                f"  {proof['kind']:<7} {proof['name']!r} -> {proof['target_id']} "
                f"({proof['confidence']:.2f})",
                highlight=False,
            )


def _read_lines(file: Path) -> list[str]:
    try:
        text = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CastwatchError(f"cannot read {file}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise CastwatchError(
            f"{file} is not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from None
    return [line.rstrip("\r") for line in text.split("\n") if line.strip()]
