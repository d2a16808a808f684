"""Enforcement commands: ``case``, ``evidence`` and (from ``enforce_notices``) ``notice``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from castwatch.cli import enforce_notices  # noqa: F401  (adds the notice commands)
from castwatch.cli import options as opt
from castwatch.cli.app import command_group
from castwatch.cli.output import console, err_console, note_line, print_json, progress_bars

if TYPE_CHECKING:
    from castwatch.catalog.cases import Case

case_app = command_group("case", "Enforcement cases and their timelines.")
evidence_app = command_group("evidence", "The tamper-evident evidence ledger.")

CaseRef = Annotated[str, typer.Argument(help="Case name or number.")]
Services = Annotated[
    list[str] | None, typer.Option("--service", "-s", help="A service (repeatable).")
]
Assignee = Annotated[str | None, typer.Option("--assignee", help="Who works the case.")]
#: Said once when free text held a URL or a secret: what is stored is not what was typed.
REDACTED_NOTE = (
    "note: {option} held a URL credential or a secret; it was stored redacted (the original "
    "is kept nowhere)"
)


def _print_case(case: Case, events: bool = True) -> None:
    console.print(
        f"[bold]case {case.id}: {case.name}[/]  status [bold]{case.status.value}[/]  "
        f"assignee {case.assignee or '-'}  evidence {case.evidence_count:,}  "
        f"notices {case.notice_count:,}",
        highlight=False,
    )
    console.print(f"services: {', '.join(case.services) or '-'}", highlight=False)
    if events and case.events:
        table = Table("when (UTC)", "event", "detail")
        for event in case.events:
            table.add_row(f"{event.at:%Y-%m-%d %H:%M:%S}", event.kind.value, event.detail)
        console.print(table)


@case_app.command("open")
def case_open(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A new, unique case name.")],
    service: Services = None,
    assignee: Assignee = None,
    json: opt.Json = False,
) -> None:
    """Open a case on one or more services."""
    from castwatch.enforce.cases import open_case

    with opt.open_store(ctx) as store:
        case = open_case(store, name, service or [], assignee)
    if json:
        print_json(case.as_dict())
        return
    _print_case(case, events=False)


@case_app.command("show")
def case_show(ctx: typer.Context, case: CaseRef, json: opt.Json = False) -> None:
    """A case with its services and timeline."""
    from castwatch.enforce.cases import show_case

    with opt.open_store(ctx) as store:
        found = show_case(store, case)
    if json:
        print_json(found.as_dict())
        return
    _print_case(found)


@case_app.command("list")
def case_list(ctx: typer.Context, json: opt.Json = False) -> None:
    """Every case, with its status."""
    from castwatch.enforce.cases import list_cases

    with opt.open_store(ctx) as store:
        cases = list_cases(store)
    if json:
        print_json([c.as_dict(with_events=False) for c in cases])
        return
    table = Table("id", "name", "status", "assignee", "services", "evidence", "notices", "updated")
    for c in cases:
        table.add_row(
            str(c.id), c.name, c.status.value, c.assignee or "-", ", ".join(c.services),
            f"{c.evidence_count:,}", f"{c.notice_count:,}", f"{c.updated_at:%Y-%m-%d %H:%M}",
        )  # fmt: skip
    console.print(table)
    if not cases:
        console.print("no case yet: `castwatch case open NAME --service SERVICE`")


@case_app.command("add")
def case_add(
    ctx: typer.Context,
    case: CaseRef,
    service: Services = None,
    note: Annotated[str | None, typer.Option("--note", help="A note for the timeline.")] = None,
    status: Annotated[
        str | None,
        typer.Option("--status", help="open, evidence, noticed, actioned, closed, relapsed."),
    ] = None,
    assignee: Assignee = None,
    json: opt.Json = False,
) -> None:
    """Add services, a note, an assignee or a status change (all or nothing)."""
    from castwatch.catalog.credentials import redact_text
    from castwatch.enforce.cases import add_to_case

    with opt.open_store(ctx) as store:
        updated = add_to_case(store, case, service, note, status, assignee)
    if json:
        print_json(updated.as_dict())
        return
    _print_case(updated, events=False)
    if note and redact_text(note) != note:
        note_line(REDACTED_NOTE.format(option="--note"))


@evidence_app.command("add")
def evidence_add(
    ctx: typer.Context,
    case: CaseRef,
    path: Annotated[Path, typer.Argument(help="The file to add (copied into the store).")],
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            help="file, inventory, identification, verification, capture, "
            "thumbnail, http, dns, screenshot, notice, dossier.",
        ),
    ] = "file",
    description: Annotated[str, typer.Option("--description", help="What it shows.")] = "",
    source: Annotated[
        str | None, typer.Option("--source", help="Where it came from (default: the path).")
    ] = None,
    json: opt.Json = False,
) -> None:
    """Add a file to a case's evidence: stored by SHA-256, chained and signed."""
    from castwatch.enforce.ledger import add_file, parse_kind

    with opt.open_store(ctx) as store:
        entry = add_file(store, case, path, parse_kind(kind), description, source)
    if json:
        print_json(entry.as_dict())
        return
    console.print(
        f"evidence #{entry.seq} ({entry.kind}, {entry.size:,} bytes) sha256:{entry.sha256}\n"
        f"stored as {entry.stored_name}; chain head {entry.entry_hash}",
        highlight=False,
    )
    if entry.description != description or (source and entry.source != source):
        note_line(REDACTED_NOTE.format(option="--description/--source"))


@evidence_app.command("verify")
def evidence_verify(
    ctx: typer.Context,
    case: Annotated[str | None, typer.Argument(help="Check this case's files only.")] = None,
    key: Annotated[
        str | None,
        typer.Option("--key", help="The signing key fingerprint you expect (pins the key)."),
    ] = None,
    expect_head: Annotated[
        str | None,
        typer.Option(
            "--expect-head",
            metavar="HASH",
            help="A ledger head printed on a dossier or notice already sent: fail unless "
            "the chain still holds it.",
        ),
    ] = None,
    json: opt.Json = False,
) -> None:
    """Recompute every file hash, chain link, signature and cited head, and find files no
    item covers; exit 1 naming each failure."""
    from castwatch.enforce.ledger_check import verify_ledger

    with opt.open_store(ctx) as store, progress_bars(not json) as progress:
        report = verify_ledger(store, case, key, progress, expect_head)
    if json:
        print_json(report.as_dict())
    else:
        for name in report.stale_removed:
            err_console.print(
                f"removed {name}: the scratch file of a writer that was killed", highlight=False,
                markup=False,
            )  # fmt: skip
        for failure in report.failures:
            err_console.print(f"[bold red]FAIL[/] {failure.check}: {escape(failure.message)}",
                              highlight=False)  # fmt: skip
        verdict = "[green]OK[/]" if report.ok else f"[red]{len(report.failures)} failure(s)[/]"
        expected = (
            f"; expected head found at entry {report.expected_head_seq}"
            if report.expected_head_seq is not None
            else ""
        )
        console.print(
            f"{verdict}: {report.entries:,} entries chained, {report.files:,} files hashed, "
            f"{report.signatures:,} signatures, {report.timestamps:,} timestamps, "
            f"{report.citations:,} citations checked, {report.orphans:,} orphan files; "
            f"head #{report.head_seq} {report.head_hash}; key {report.key_fingerprint or '-'}"
            f"{expected}",
            highlight=False,
        )
    if not report.ok:
        raise typer.Exit(1)
