"""The later steps of ``castwatch demo``: verify streams by fingerprint, then open a case.

Kept apart from ``demo.py`` (inventory and identification) so each file stays readable. Both
steps work on what the earlier steps stored, exactly as the standalone commands would
(``castwatch ref capture``, ``verify SERVICE --sample``, ``case open``, ``notice draft``,
``evidence verify``, ``dossier``).
"""

from __future__ import annotations

import dataclasses
import random
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.table import Table

from castwatch.cli.output import console
from castwatch.errors import CastwatchError

if TYPE_CHECKING:
    from castwatch.fingerprint.verification import ServiceVerification
    from castwatch.identify.impact import ImpactReport
    from castwatch.sim import SimServer
    from castwatch.storage.db import Store
    from castwatch.storage.verification import StreamTarget

#: Seconds of clean live feed kept as each channel's reference in the demo (what the
#: simulator's live window already holds, so no waiting), and of each probe.
REFERENCE_SECONDS = 12.0
PROBE_SECONDS = 8.0
_STREAM_ID = re.compile(r"/(\d+)\.[a-z0-9]+$")


def verify_streams(
    store: Store, sim: SimServer, service: str, channels: int, seed: int, quiet: bool
) -> ServiceVerification:
    """Verify one stream of each of ``channels`` identified channels by fingerprint.

    For each channel, its clean live feed is captured as the live reference, then the
    service's restream of it is probed and matched against *every* reference held. The
    simulator's live content follows the wall clock, as real channels do, so each probe is
    taken right after its channel's reference: both then cover the same minutes.
    """
    from castwatch.catalog.credentials import redact_url
    from castwatch.fingerprint.capture import capture
    from castwatch.fingerprint.verification import (
        ServiceVerification,
        add_reference,
        file_capture,
        load_library,
        verify_source,
    )
    from castwatch.storage.verification import save_verification, stream_targets

    evidence = store.settings.evidence_dir
    service_id, snapshot_id, targets = stream_targets(store, service, kinds=("live",))
    by_channel: dict[str, tuple[int, StreamTarget]] = {}
    for target in targets:
        found = _STREAM_ID.search(target.url)
        if target.claimed_id and found and target.claimed_id not in by_channel:
            by_channel[target.claimed_id] = (int(found.group(1)), target)
    chosen = sorted(by_channel)
    random.Random(seed).shuffle(chosen)
    chosen = chosen[:channels]
    if not quiet:
        console.print(
            f"Verifying {len(chosen)} identified channels by fingerprint: each clean live feed "
            f"({REFERENCE_SECONDS:.0f} s) against the service's restream ({PROBE_SECONDS:.0f} s)..."
        )
    outcome = ServiceVerification(service, snapshot_id)
    for claimed in chosen:
        stream_id, target = by_channel[claimed]
        feed = sim.live_feed(stream_id)
        # Probe first, then record the reference: the reference's live window (the last few
        # segments) then still covers the probe even on a slow machine.
        try:
            taken = capture(target.url, seconds=PROBE_SECONDS, evidence_dir=evidence)
            # Every file under evidence/ is a ledger item, this probe too.
            file_capture(store, taken, f"demo probe of {redact_url(target.url)}")
            probe = str(taken.path)
        except CastwatchError:
            probe = target.url  # checked again below, which records the error
        # The reference is filed under the channel the *simulator* plays, so a confirmation
        # means identification (by name) and fingerprint (by content) agree.
        add_reference(
            store, feed.reference_url, "channel", feed.channel_key,
            evidence_dir=evidence, live=True, seconds=REFERENCE_SECONDS,
        )  # fmt: skip
        result = verify_source(
            load_library(store), probe, evidence_dir=evidence, seconds=PROBE_SECONDS,
            claimed=("channel", claimed), store=store,
        )  # fmt: skip
        result.service_id, result.snapshot_id, result.entry_id = (
            service_id, snapshot_id, target.entry_id,
        )  # fmt: skip
        result.source = f"{target.name} ({redact_url(target.url)})"
        save_verification(store, result)
        outcome.results.append(result)
    return outcome


def print_verification(outcome: ServiceVerification) -> None:
    table = Table(
        "stream", "identified as", "fingerprint match", "score", "offset s",
        title="Verification of a sample of live streams (restreamed: scaled, bars, logo, crop)",
    )  # fmt: skip
    for result in outcome.results:
        if result.error is not None:
            match = f"[red]{result.error}[/]"
        elif result.matched_id is None:
            match = "[yellow]no match[/]"
        else:
            mark = "[green]confirmed[/]" if result.confirmed else "[yellow]contradicts:[/]"
            match = f"{mark} {result.matched_id}"
        table.add_row(
            result.source.split(" (", 1)[0],
            result.claimed_id or "-",
            match,
            "" if result.score is None else f"{result.score:.0f}",
            "" if result.offset_s is None else f"{result.offset_s:+.1f}",
        )
    console.print(table)
    contradicted = sum(1 for r in outcome.results if r.matched_id is not None and not r.confirmed)
    console.print(
        f"{outcome.confirmed} of {len(outcome.results)} sampled streams confirmed by "
        f"fingerprint; {contradicted} {'carries' if contradicted == 1 else 'carry'} another "
        "channel than its name was identified as (the content overrules the name). Score: "
        "-log10 of the false-match rate (docs/fingerprint.md).",
        highlight=False,
    )


def open_case(
    store: Store,
    service: str,
    report: ImpactReport,
    verification: ServiceVerification | None,
) -> dict[str, Any]:
    """Open (or reuse) the demo's case, file its evidence, draft notices, verify the ledger
    and write the dossier; what was done, for printing."""
    from castwatch.catalog.evidence import EvidenceKind
    from castwatch.catalog.notices import Party
    from castwatch.enforce import cases, ledger
    from castwatch.enforce.notices.draft import draft_notices
    from castwatch.enforce.settings import load_enforce_settings
    from castwatch.enforce.verify import verify_ledger
    from castwatch.errors import StorageError
    from castwatch.report.dossier import write_dossier

    name = f"{service} (demo)"
    try:
        case = cases.open_case(store, name, [service], assignee="demo analyst")
    except StorageError:
        case = cases.show_case(store, name)
    case_ref = str(case.id)
    items = []
    for result in verification.results if verification else []:
        if result.capture_path and Path(result.capture_path).is_file():
            items.append(
                ledger.file_item(
                    store, Path(result.capture_path), EvidenceKind.CAPTURE,
                    f"probe of entry {result.entry_id}: {result.matched_id or 'no match'}",
                    result.source,
                )
            )  # fmt: skip
            items += [
                ledger.file_item(store, Path(p), EvidenceKind.THUMBNAIL, "probe frame", p)
                for p in result.thumbnails[:1]
                if Path(p).is_file()
            ]
    if items:
        ledger.record(store, case_ref, items)
    settings = load_enforce_settings(store.settings.home)
    if not settings.sender.name:
        # Nobody configured a sender: sign the drafts as the demo, never as a real person.
        top = report.holders[0].holder if report.holders else None
        settings = dataclasses.replace(
            settings,
            sender=Party(
                name="castwatch demo analyst",
                email="analyst@castwatch.invalid",
                organization="castwatch demo (not a real rights holder)",
                on_behalf_of=top,
                country="FR",
            ),
        )
    drafted: dict[str, int | str] = {}
    for kind in ("dsa", "abuse-host", "blocklist"):
        try:
            drafted[kind] = len(draft_notices(store, case_ref, kind, settings))
        except CastwatchError as exc:
            drafted[kind] = f"refused: {exc}"
    checked = verify_ledger(store, case_ref)
    dossier = write_dossier(
        store, case_ref, store.settings.home / f"dossier-case-{case.id}.pdf", "pdf",
        impacts={service: report},
    )  # fmt: skip
    return {
        "case": case.id,
        "name": name,
        "evidence_filed": len(items),
        "notices": drafted,
        "evidence_verified": checked.ok,
        "ledger_entries": checked.entries,
        "dossier": str(dossier),
    }


def print_case(summary: dict[str, Any]) -> None:
    notices = ", ".join(f"{kind}: {count}" for kind, count in summary["notices"].items())
    console.print(
        f"Case #{summary['case']} {summary['name']!r}: {summary['evidence_filed']} evidence "
        f"items filed; notices drafted ({notices}); evidence ledger "
        + ("[green]verified[/]" if summary["evidence_verified"] else "[red]FAILED[/]")
        + f" ({summary['ledger_entries']} entries).",
        highlight=False,
    )
    console.print(f"Dossier: [bold]{summary['dossier']}[/]", highlight=False)


def attribute_ecosystem(store: Store, seed: int, quiet: bool) -> dict[str, Any]:
    """Start the simulated ecosystem (brands, resellers and decoys of a few operators), run
    the collectors on every brand, cluster them into operators and score that against the
    simulator's ground truth."""
    from itertools import combinations

    from castwatch.attribute.collectors import CollectSettings, CollectTargets, collect
    from castwatch.attribute.service import rebuild, record
    from castwatch.sim.ecosystem import Ecosystem
    from castwatch.storage.attribution import list_operators

    with Ecosystem(seed) as ecosystem:
        info = ecosystem.info
        if not quiet:
            console.print(
                f"Attributing a simulated ecosystem of {len(info.brands)} brands (DNS, TLS, "
                f"shops and panels on 127.0.0.x; resolver {info.dns})..."
            )
        settings = CollectSettings(
            resolver=info.dns, ip2asn=Path(info.ip2asn), rdap_url=info.rdap_url, timeout=5.0
        )
        for slug, entry in sorted(info.brands.items()):
            targets = CollectTargets(
                service=slug, pages=[entry.shop], panels=[entry.panel], stream_urls=entry.streams
            )
            record(store, collect(targets, settings))
        rebuild(store)
        truth = info.truth
    operators = [o for o in list_operators(store) if set(o.services) & set(truth["brands"])]
    found = {service: o.id for o in operators for service in o.services}
    actual = {slug: brand["operator"] for slug, brand in truth["brands"].items()}

    def pairs(groups: dict[str, Any]) -> set[tuple[str, str]]:
        return {(a, b) for a, b in combinations(sorted(groups), 2) if groups[a] == groups[b]}

    true_pairs, found_pairs = pairs(actual), pairs({s: found.get(s, s) for s in actual})
    hits = len(true_pairs & found_pairs)
    return {
        "brands": len(actual),
        "operators": [
            {"id": o.id, "services": o.services, "pivots": _pivots(o.links)}
            for o in operators
            if len(o.services) > 1
        ],
        "operators_true": len(set(actual.values())),
        "pairwise_precision": round(hits / len(found_pairs), 3) if found_pairs else 1.0,
        "pairwise_recall": round(hits / len(true_pairs), 3) if true_pairs else 1.0,
        "decoys_merged": sum(1 for d in truth["decoys"] if any(d in p for p in found_pairs)),
    }


def _pivots(links: list[dict[str, Any]], limit: int = 3) -> list[str]:
    """The most telling pivots across an operator's links, strongest first."""
    weights: dict[str, float] = {}
    for link in links:
        for pivot in link.get("pivots", []):
            if pivot.get("weak"):
                continue
            name = f"{pivot.get('kind', '?')} {pivot.get('key', '?')}"
            weights[name] = max(weights.get(name, 0.0), float(pivot.get("weight", 0.0)))
    return [name for name, _ in sorted(weights.items(), key=lambda kv: -kv[1])[:limit]]


def print_operators(summary: dict[str, Any]) -> None:
    table = Table(
        "operator", "brands and resellers", "what joins them",
        title="Operators found behind the simulated brands",
    )  # fmt: skip
    for operator in summary["operators"]:
        table.add_row(
            str(operator["id"]), ", ".join(operator["services"]), "\n".join(operator["pivots"])
        )
    console.print(table)
    console.print(
        f"{len(summary['operators'])} multi-brand operators among {summary['brands']} brands; "
        f"against the simulator's truth: pairwise precision {summary['pairwise_precision']}, "
        f"recall {summary['pairwise_recall']}, decoys merged {summary['decoys_merged']}.",
        highlight=False,
    )
