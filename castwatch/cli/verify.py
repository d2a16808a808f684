"""Verification commands: ``ref add|capture|list|remove``, ``verify``, ``fp compare``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from castwatch.cli import options as opt
from castwatch.cli.app import app, command_group
from castwatch.cli.output import console, print_json, progress_bars
from castwatch.config import Settings
from castwatch.net.policy import FetchOptions, private_networks_allowed

if TYPE_CHECKING:
    from castwatch.catalog.verification import ReferenceInfo, VerificationResult

ref_app = command_group(
    "ref", "Reference recordings of channels and works, that streams are verified against."
)
fp_app = command_group("fp", "Fingerprint tools.")

Seconds = Annotated[float, typer.Option("--seconds", help="Seconds of stream to capture.")]


def _settings(ctx: typer.Context) -> Settings:
    return ctx.obj if isinstance(ctx.obj, Settings) else Settings.resolve()


def _subject(channel: str | None, work: str | None) -> tuple[str, str]:
    if (channel is None) == (work is None):
        raise typer.BadParameter("give exactly one of --channel ID or --work ID")
    return ("channel", channel) if channel is not None else ("work", work or "")


def _print_reference(info: ReferenceInfo, json: bool) -> None:
    if json:
        print_json(info.to_dict())
        return
    console.print(
        f"[green]reference stored[/] {info.key}: {info.duration_s:.1f} s "
        f"({', '.join(info.fingerprinters)}) from {info.source}",
        highlight=False,
    )


@ref_app.command("add")
def ref_add(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="A media file, or an HLS / .ts / .mp4 URL.")],
    channel: Annotated[str | None, typer.Option("--channel", help="Channel id.")] = None,
    work: Annotated[str | None, typer.Option("--work", help="Work id.")] = None,
    seconds: Annotated[
        float | None, typer.Option("--seconds", help="For a URL: seconds to capture (60).")
    ] = None,
    timeout: opt.Timeout = 15.0,
    deadline: opt.Deadline = 300.0,
    allow_private_networks: opt.AllowPrivateNetworks = False,
    json: opt.Json = False,
) -> None:
    """Fingerprint a file or URL as the reference of a channel or a work."""
    from castwatch.fingerprint.verification import add_reference

    kind, subject_id = _subject(channel, work)
    settings = _settings(ctx)
    with opt.open_store(ctx) as store:
        info = add_reference(
            store,
            source,
            kind,
            subject_id,
            evidence_dir=settings.evidence_dir,
            seconds=seconds,
            options=_capture_options(timeout, deadline, allow_private_networks),
        )
    _print_reference(info, json)


@ref_app.command("capture")
def ref_capture(
    ctx: typer.Context,
    channel: Annotated[str, typer.Argument(help="Channel id (iptv-org).")],
    url: Annotated[str, typer.Argument(help="The channel's clean live feed (HLS or .ts).")],
    minutes: Annotated[
        float, typer.Option("--minutes", help="Minutes of live reference to keep.")
    ] = 1.0,
    follow: Annotated[
        bool,
        typer.Option(
            "--follow", help="Keep capturing until Ctrl-C: a rolling window of --minutes."
        ),
    ] = False,
    chunk: Annotated[
        float, typer.Option("--chunk-seconds", help="With --follow: seconds per capture.")
    ] = 30.0,
    timeout: opt.Timeout = 15.0,
    deadline: opt.Deadline = 300.0,
    allow_private_networks: opt.AllowPrivateNetworks = False,
    json: opt.Json = False,
) -> None:
    """Capture a live channel's clean feed as its reference (the last N minutes).

    Without --follow, one capture of N minutes. With --follow, captures of --chunk-seconds
    follow one another until interrupted, and the stored reference is always the last N
    minutes: what `verify` compares probes against while it runs.
    """
    from castwatch.fingerprint.verification import add_reference, follow_reference

    if minutes <= 0 or chunk <= 0:
        raise typer.BadParameter("--minutes and --chunk-seconds must be positive")
    fetch = _capture_options(timeout, deadline, allow_private_networks)
    settings = _settings(ctx)
    with opt.open_store(ctx) as store:
        if not follow:
            info = add_reference(
                store,
                url,
                "channel",
                channel,
                evidence_dir=settings.evidence_dir,
                live=True,
                seconds=minutes * 60.0,
                options=fetch,
            )
            _print_reference(info, json)
            return
        try:
            follow_reference(
                store,
                url,
                channel,
                evidence_dir=settings.evidence_dir,
                window_s=minutes * 60.0,
                chunk_s=chunk,
                on_update=lambda info: _print_reference(info, json),
                options=fetch,
            )
        except KeyboardInterrupt:
            # Every completed capture is already stored; an interrupted one left nothing.
            return


@ref_app.command("list")
def ref_list(ctx: typer.Context, json: opt.Json = False) -> None:
    """Every stored reference."""
    from castwatch.fingerprint.store import list_references

    with opt.open_store(ctx) as store:
        references = list_references(store)
    if json:
        print_json([info.to_dict() for info in references])
        return
    table = Table("reference", "kind", "seconds", "fingerprints", "source", title="References")
    for info in references:
        table.add_row(
            info.key,
            "live" if info.live else "vod",
            f"{info.duration_s:.0f}",
            ", ".join(info.fingerprinters),
            info.source,
        )
    console.print(table)
    if not references:
        console.print("No references yet: `castwatch ref add FILE --channel ID`.")


@ref_app.command("remove")
def ref_remove(
    ctx: typer.Context,
    channel: Annotated[str | None, typer.Option("--channel", help="Channel id.")] = None,
    work: Annotated[str | None, typer.Option("--work", help="Work id.")] = None,
) -> None:
    """Forget one reference."""
    from castwatch.fingerprint.store import delete_reference

    kind, subject_id = _subject(channel, work)
    with opt.open_store(ctx) as store:
        delete_reference(store, kind, subject_id)
    console.print(f"removed {kind}:{subject_id}")


@app.command("verify")
def verify(
    ctx: typer.Context,
    source: Annotated[
        str, typer.Argument(help="A media file or stream URL, or an ingested SERVICE.")
    ],
    sample: Annotated[
        int | None,
        typer.Option("--sample", help="With a SERVICE: how many of its streams to verify."),
    ] = None,
    claim: Annotated[
        str | None,
        typer.Option("--claim", help="With a file or URL: the claim, channel:ID or work:ID."),
    ] = None,
    seconds: Seconds = 10.0,
    snapshot: Annotated[int | None, typer.Option("--snapshot", help="Default: latest.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the sample.")] = 0,
    entry_kinds: Annotated[
        list[str] | None,
        typer.Option("--kind", help="With a SERVICE: live, film or episode (repeatable)."),
    ] = None,
    timeout: opt.Timeout = 15.0,
    deadline: opt.Deadline = 60.0,
    allow_private_networks: opt.AllowPrivateNetworks = False,
    json: opt.Json = False,
) -> None:
    """Verify what a stream carries, or a sample of a service's streams (`--sample N`).

    A probe of --seconds is captured (kept as evidence with its SHA-256 and thumbnails),
    fingerprinted and matched against the stored references. Results are stored.
    """
    from castwatch.errors import NoReferences
    from castwatch.fingerprint.verification import is_url, verify_service, verify_stream

    settings = _settings(ctx)
    fetch = _capture_options(timeout, deadline, allow_private_networks)
    is_media = is_url(source) or Path(source).is_file()
    if sample is not None or not is_media:
        with opt.open_store(ctx) as store, progress_bars(not json) as progress:
            outcome = verify_service(
                store,
                source,
                sample=10 if sample is None else sample,
                evidence_dir=settings.evidence_dir,
                seconds=seconds,
                snapshot_id=snapshot,
                seed=seed,
                kinds=_kinds(entry_kinds),
                progress=progress,
                options=fetch,
            )
        if json:
            print_json(outcome.as_dict())
        else:
            _print_results(outcome.results)
            console.print(
                f"{outcome.confirmed} of {len(outcome.results)} streams confirmed "
                f"({outcome.failed} unreadable)",
                highlight=False,
            )
        return
    claimed = None
    if claim is not None:
        kind, _, subject_id = claim.partition(":")
        if kind not in ("channel", "work") or not subject_id:
            raise typer.BadParameter("--claim is channel:ID or work:ID")
        claimed = (kind, subject_id)
    with opt.open_store(ctx) as store:
        try:
            result = verify_stream(
                store,
                source,
                evidence_dir=settings.evidence_dir,
                seconds=seconds,
                claimed=claimed,
                options=fetch,
            )
        except NoReferences as exc:
            # Said as a usage error: the command cannot run until a reference is added.
            raise typer.BadParameter(str(exc)) from None
    if json:
        print_json(result.to_json())
    else:
        _print_results([result])
    if result.error is not None:
        raise typer.Exit(1)


def _capture_options(timeout: float, deadline: float, allow_private: bool) -> FetchOptions:
    """FetchOptions for captures: read timeout, deadline per answer, network policy."""
    if timeout <= 0 or deadline <= 0:
        raise typer.BadParameter("--timeout and --deadline must be positive")
    return FetchOptions(
        timeout=timeout,
        deadline=deadline,
        retries=2,
        backoff=0.25,
        allow_private_networks=allow_private or private_networks_allowed(),
    )


def _kinds(chosen: list[str] | None) -> tuple[str, ...]:
    allowed = ("live", "film", "episode")
    for kind in chosen or ():
        if kind not in allowed:
            raise typer.BadParameter(f"--kind is one of {', '.join(allowed)}, not {kind!r}")
    return tuple(chosen) if chosen else allowed


def match_cell(
    result: VerificationResult,
    marks: tuple[str, str, str] = ("error: ", "[green]✓[/]", "[yellow]≠ claim[/]"),
    with_kind: bool = True,
) -> str:
    """What one verification found, as a table cell: the error, no match, or the match
    marked as confirming its claim or not; ``marks`` are the error prefix and both marks."""
    error_prefix, confirmed, contradicts = marks
    if result.error is not None:
        return f"[red]{error_prefix}{result.error}[/]"
    if result.matched_id is None:
        return "[yellow]no match[/]"
    subject = f"{result.matched_kind}:{result.matched_id}" if with_kind else result.matched_id
    return f"{confirmed if result.confirmed else contradicts} {subject}"


def _print_results(results: list[VerificationResult]) -> None:
    table = Table(
        "source", "match", "score", "offset s", "frames", "evidence", title="Verification"
    )
    for result in results:
        table.add_row(
            result.source,
            match_cell(result),
            "" if result.score is None else f"{result.score:.3f}",
            "" if result.offset_s is None else f"{result.offset_s:+.1f}",
            "" if result.matched_fraction is None else f"{result.matched_fraction:.0%}",
            (result.capture_sha256 or "")[:12],
        )
    console.print(table)


@fp_app.command("compare")
def fp_compare(
    files: Annotated[list[Path], typer.Argument(help="Two or more media files.")],
    json: opt.Json = False,
) -> None:
    """Compare every pair of the given media files.

    With --json, one object per pair: {"a", "b", "match", "score", "offset_s",
    "matched_fraction"}; offset_s is where A's start falls in B.
    """
    from castwatch.fingerprint.file_pairs import compare_files

    if len(files) < 2:
        raise typer.BadParameter("give at least two files")
    for path in files:
        if not path.is_file():
            raise typer.BadParameter(f"no such file: {path}")
    pairs = compare_files(files)
    if json:
        for pair in pairs:
            print_json(pair.to_dict())
        return
    table = Table("a", "b", "match", "score", "offset s", "matched", title="Pairs")
    for pair in pairs:
        table.add_row(
            pair.a,
            pair.b,
            "[green]yes[/]" if pair.match else "no",
            f"{pair.score:.3f}",
            f"{pair.offset_s:+.2f}",
            f"{pair.matched_fraction:.0%}",
        )
    console.print(table)
