"""The demo scenario: every stage, in order, on the simulator, through the stages' own functions.

``castwatch demo`` runs :func:`run_demo` and renders what it reports. The scenario does
nothing a user could not do command by command: inventory a simulated pirate service over
Xtream, M3U and Stalker (``ingest``), identify it and rank the harmed rights holders
(``identify``, ``impact``), verify a sample of its live channels against their clean feeds
(the fingerprint stage), open a case with its evidence and notices and write the dossier
(``case open``, ``notice draft``, ``evidence verify``, ``dossier``), and cluster a simulated
ecosystem of brands into operators, scored against the simulator's truth with the same
function the attribution benchmark uses.

It lives outside ``cli/`` so that another surface (a job, an API) can run the same scenario;
it sits above the stages, beside the surfaces, because it needs the simulator.
"""

from __future__ import annotations

import dataclasses
import re
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from castwatch.catalog import Credentials
from castwatch.catalog.progress import Progress, no_progress
from castwatch.net.policy import FetchOptions

if TYPE_CHECKING:
    # Type-only: the heavy stages load when the demo runs, not when this module is imported.
    from castwatch.attribute.scoring import ClusteringScore
    from castwatch.catalog.store import SnapshotSummary
    from castwatch.enforce.filing import CaseFiling
    from castwatch.fingerprint.store import StreamTarget
    from castwatch.fingerprint.verification import ServiceVerification
    from castwatch.identify.impact import ImpactReport
    from castwatch.sim import SimServer
    from castwatch.storage.db import Store

_STREAM_ID = re.compile(r"/(\d+)\.[a-z0-9]+$")
#: The notice kinds the demo drafts for its case.
NOTICE_KINDS = ("dsa", "abuse-host", "blocklist")


@dataclass(frozen=True, slots=True)
class DemoOptions:
    """The size of the simulated service, and how many of its channels to verify."""

    seed: int = 0
    live: int = 6000
    films: int = 120000
    series: int = 5000
    episodes: int = 80000
    verify: int = 5


class DemoHooks:
    """What the scenario tells whoever runs it; every hook stays silent by default.

    Subclass it to show progress: ``say`` gets a line for people, ``bars`` a progress sink
    for one long step, and the two checkpoints get the result so far.
    """

    def say(self, text: str) -> None:
        """A line for people about what starts now."""

    def bars(self) -> AbstractContextManager[Progress]:
        """A progress sink for one long step (ingest, identification)."""
        return nullcontext(no_progress)

    def ingested(self, run: IngestRun) -> None:
        """One protocol has been inventoried."""

    def service_checked(self, result: DemoResult) -> None:
        """Inventory, identification and verification are done; the case comes next."""


@dataclass(frozen=True, slots=True)
class IngestRun:
    """One inventory of the simulated service over one protocol."""

    protocol: str
    summary: SnapshotSummary
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "protocol": self.protocol,
            "service": self.summary.service,
            "snapshot": self.summary.id,
            "entries": self.summary.entries,
            "counts": self.summary.counts,
            "seconds": round(self.seconds, 2),
        }


@dataclass(frozen=True, slots=True)
class OperatorFound:
    """A multi-brand operator and the pivots that join its brands, strongest first."""

    id: int
    services: list[str]
    pivots: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "services": self.services, "pivots": self.pivots}


@dataclass(frozen=True, slots=True)
class EcosystemAttribution:
    """Operators found behind the simulated brands, scored against the simulator's truth."""

    brands: int
    operators: list[OperatorFound]
    score: ClusteringScore

    def to_dict(self) -> dict[str, Any]:
        return {
            "brands": self.brands,
            "operators": [operator.to_dict() for operator in self.operators],
            "operators_true": self.score.operators_true,
            "pairwise_precision": round(self.score.precision, 3),
            "pairwise_recall": round(self.score.recall, 3),
            "decoys_merged": len(self.score.decoys_merged),
        }


@dataclass(frozen=True, slots=True)
class DemoCase:
    """The demo's case as filed, and the dossier written for it."""

    filing: CaseFiling
    dossier: Path

    def to_dict(self) -> dict[str, Any]:
        return {**self.filing.to_dict(), "dossier": str(self.dossier)}


@dataclass(slots=True)
class DemoLogin:
    """The demo organisation's one-time login for ``castwatch serve`` (shown once)."""

    organisation: str
    email: str
    password: str
    token: str
    url: str = "http://127.0.0.1:8000/"

    def to_dict(self) -> dict[str, str]:
        return {"organisation": self.organisation, "email": self.email,
                "password": self.password, "token": self.token, "url": self.url}  # fmt: skip


@dataclass(slots=True)
class DemoResult:
    """Everything the demo did, in the order it did it."""

    data_dir: Path
    inventory: list[IngestRun] = field(default_factory=list)
    #: Per service: the identification summary and its seconds.
    identified: dict[str, dict[str, object]] = field(default_factory=dict)
    impact: ImpactReport | None = None
    verification: ServiceVerification | None = None
    case: DemoCase | None = None
    attribution: EcosystemAttribution | None = None
    login: DemoLogin | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "inventory": [run.to_dict() for run in self.inventory],
            "identified": self.identified,
            "impact": [h.as_dict(evidence_limit=3) for h in self.impact.holders[:10]]
            if self.impact
            else [],
            "verification": self.verification.as_dict() if self.verification else None,
            "case": self.case.to_dict() if self.case else None,
            "attribution": self.attribution.to_dict() if self.attribution else None,
            "login": self.login.to_dict() if self.login else None,
        }


def run_demo(store: Store, options: DemoOptions, hooks: DemoHooks | None = None) -> DemoResult:
    """Run the whole scenario on ``store``; what each step did."""
    from castwatch.sim.server import SimServer
    from castwatch.sources.ingest import ingest

    hooks = hooks or DemoHooks()
    result = DemoResult(data_dir=store.settings.home)
    hooks.say(
        f"Starting a simulated pirate service on 127.0.0.1 ({options.live:,} live, "
        f"{options.films:,} films, {options.series:,} series, {options.episodes:,} episodes; "
        "synthetic)..."
    )
    with SimServer(
        seed=options.seed, live=options.live, films=options.films, series=options.series,
        episodes=options.episodes,
    ) as sim:  # fmt: skip
        urls = sim.urls
        account = Credentials(urls["username"], urls["password"])
        plans = [
            ("xtream", urls["xtream_url"], FetchOptions(credentials=account)),
            ("m3u", urls["m3u_url"], FetchOptions()),
            (
                "stalker",
                urls["stalker_url"],
                FetchOptions(credentials=Credentials(mac=urls["mac"])),
            ),
        ]
        for kind, target, fetch in plans:
            started = time.perf_counter()
            with hooks.bars() as progress:
                summary = ingest(store, target, kind, fetch, f"demo-{kind}", progress)
            result.inventory.append(IngestRun(kind, summary, time.perf_counter() - started))
            hooks.ingested(result.inventory[-1])
        # One protocol is enough to show identification: all three carry the same catalog.
        service = result.inventory[0].summary.service
        result.identified, result.impact = _identify_and_rank(store, [service], hooks)
        if options.verify > 0:
            result.verification = _verify_channels(store, sim, service, options, hooks)
    hooks.service_checked(result)
    result.case = _open_case(store, service, result.impact, result.verification)
    result.attribution = _attribute_ecosystem(store, options.seed, hooks)
    result.login = _demo_login(store, result)
    return result


def _demo_login(store: Store, result: DemoResult) -> DemoLogin:
    """The demo's services and case belong to organisation ``demo``, with a fresh login."""
    from castwatch.accounts.actions import demo_login

    services = [run.summary.service for run in result.inventory]
    cases = [result.case.filing.case.id] if result.case is not None else []
    email, password, token = demo_login(store, "demo", services, cases)
    return DemoLogin("demo", email, password, token)


def _identify_and_rank(
    store: Store, services: list[str], hooks: DemoHooks
) -> tuple[dict[str, dict[str, object]], ImpactReport]:
    """Identify each demo service against the registries (imported once) and rank holders."""
    from castwatch.identify.impact import rights_impact
    from castwatch.identify.registries import imports as registries
    from castwatch.identify.snapshot import identify_snapshot

    imports = registries.registry_status(store)["imports"]
    if not imports.get("iptv-org"):
        hooks.say("Importing the bundled iptv-org channel registry...")
        registries.import_iptv_org(store)
    if not imports.get("holders"):
        registries.import_holders(store)
    if not imports.get("works"):
        hooks.say("Importing the bundled works registry (Wikidata films and series)...")
        registries.import_works(store)
    identified: dict[str, dict[str, object]] = {}
    for service in services:
        started = time.perf_counter()
        with hooks.bars() as progress:
            summary = identify_snapshot(store, service, None, progress)
        identified[service] = {
            **summary.as_dict(),
            "seconds": round(time.perf_counter() - started, 2),
        }
    return identified, rights_impact(store, services[0])


def _verify_channels(
    store: Store, sim: SimServer, service: str, options: DemoOptions, hooks: DemoHooks
) -> ServiceVerification:
    """Verify one stream of each of a few identified channels against the clean feed of the
    channel the *simulator* plays there, so a confirmation means identification (by name)
    and fingerprint (by content) agree."""
    from castwatch.fingerprint.feed_check import (
        PROBE_SECONDS,
        REFERENCE_SECONDS,
        CleanFeed,
        sample_channels,
        verify_against_feeds,
    )

    def stream_id(target: StreamTarget) -> int | None:
        found = _STREAM_ID.search(target.url)
        return int(found.group(1)) if found else None

    def feed_of(target: StreamTarget) -> CleanFeed:
        feed = sim.live_feed(stream_id(target) or 0)
        return CleanFeed(feed.reference_url, feed.channel_key)

    sample = sample_channels(
        store, service, options.verify, seed=options.seed,
        has_feed=lambda target: stream_id(target) is not None,
    )  # fmt: skip
    hooks.say(
        f"Verifying {len(sample.targets)} identified channels by fingerprint: each clean live "
        f"feed ({REFERENCE_SECONDS:.0f} s) against the service's restream "
        f"({PROBE_SECONDS:.0f} s)..."
    )
    return verify_against_feeds(store, sample, feed_of, purpose="demo")


def _open_case(
    store: Store,
    service: str,
    report: ImpactReport | None,
    verification: ServiceVerification | None,
) -> DemoCase:
    """Open (or reuse) the demo's case with the probes as evidence, draft its notices, verify
    the ledger and write the dossier."""
    from castwatch.catalog.evidence import EvidenceKind
    from castwatch.catalog.notices import Party
    from castwatch.enforce.filing import EvidenceFile, file_case
    from castwatch.enforce.settings import load_enforce_settings
    from castwatch.report.dossier import write_dossier

    evidence: list[EvidenceFile] = []
    for result in verification.results if verification else []:
        if result.capture_path and Path(result.capture_path).is_file():
            evidence.append(
                EvidenceFile(
                    Path(result.capture_path), EvidenceKind.CAPTURE,
                    f"probe of entry {result.entry_id}: {result.matched_id or 'no match'}",
                    result.source,
                )
            )  # fmt: skip
            evidence += [
                EvidenceFile(Path(p), EvidenceKind.THUMBNAIL, "probe frame", p)
                for p in result.thumbnails[:1]
            ]
    settings = load_enforce_settings(store.settings.home)
    if not settings.sender.name:
        # Nobody configured a sender: sign the drafts as the demo, never as a real person.
        top = report.holders[0].holder if report and report.holders else None
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
    filing = file_case(
        store, f"{service} (demo)", [service], evidence=evidence, notice_kinds=NOTICE_KINDS,
        settings=settings, assignee="demo analyst",
    )  # fmt: skip
    dossier = write_dossier(
        store, str(filing.case.id), store.settings.home / f"dossier-case-{filing.case.id}.pdf",
        "pdf", impacts={service: report} if report else None,
    )  # fmt: skip
    return DemoCase(filing, dossier)


def _attribute_ecosystem(store: Store, seed: int, hooks: DemoHooks) -> EcosystemAttribution:
    """Start the simulated ecosystem (brands, resellers and decoys of a few operators), run
    the collectors on every brand, cluster them into operators and score that against the
    simulator's ground truth."""
    from castwatch.attribute.collect import rebuild, record
    from castwatch.attribute.collectors import CollectSettings, CollectTargets, collect
    from castwatch.attribute.scoring import score_clustering
    from castwatch.attribute.store import list_operators
    from castwatch.sim.ecosystem import Ecosystem

    with Ecosystem(seed) as ecosystem:
        info = ecosystem.info
        hooks.say(
            f"Attributing a simulated ecosystem of {len(info.brands)} brands (DNS, TLS, "
            f"shops and panels on 127.0.0.x; resolver {info.dns})..."
        )
        settings = CollectSettings(
            resolver=info.dns,
            ip2asn=Path(info.ip2asn),
            rdap_url=info.rdap_url,
            timeout=5.0,
            # The simulated ecosystem lives on 127.0.0.x: a lab, so private addresses are fine.
            allow_private_networks=True,
        )
        for slug, entry in sorted(info.brands.items()):
            targets = CollectTargets(
                service=slug, pages=[entry.shop], panels=[entry.panel], stream_urls=entry.streams
            )
            record(store, collect(targets, settings))
        rebuild(store)
        truth = info.truth
    operators = [o for o in list_operators(store) if set(o.services) & set(truth["brands"])]
    actual = {slug: brand["operator"] for slug, brand in truth["brands"].items()}
    return EcosystemAttribution(
        brands=len(actual),
        operators=[
            OperatorFound(o.id, o.services, _pivots(o.links))
            for o in operators
            if len(o.services) > 1
        ],
        score=score_clustering(
            {service: o.id for o in operators for service in o.services}, actual, truth["decoys"]
        ),
    )


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
