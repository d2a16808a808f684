"""The case dossier: one self-contained HTML or PDF file that tells a case from start to end.

:func:`write_dossier` gathers the facts (``facts.py``), draws the charts (``charts.py``),
renders ``templates/dossier.html.j2`` (inline CSS, every image a ``data:`` URI, so the HTML
opens anywhere offline) and, for PDF, lays it out with WeasyPrint. WeasyPrint is given a URL
fetcher that refuses everything but ``data:`` URIs: nothing in a dossier, not even a hostile
name from a pirate catalogue, can make it read a file or reach the network.

Sections: summary, harmed rights holders, proof (verification results and thumbnails),
infrastructure, notices and outcomes (timeline chart, time to takedown), evidence appendix
(hashes and a fresh ledger verification).

The header prints the ledger head the dossier was built from ("Ledger head: entry N,
sha256:..."), so a later cut of the ledger's tail shows against a dossier already sent
(``castwatch evidence verify --expect-head HASH``). :func:`file_dossier` also files the
written dossier in the case's evidence, citing that head in its ledger row.
"""

from __future__ import annotations

import base64
import os
import tempfile
import warnings
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import jinja2
from markupsafe import Markup

from castwatch import __version__
from castwatch.catalog.evidence import EvidenceKind, LedgerEntry
from castwatch.catalog.notices import NoticeStatus
from castwatch.catalog.tracking import TakedownFigure, summarize_takedowns
from castwatch.enforce.ledger import file_item, record
from castwatch.enforce.ledger_anchors import cite_head
from castwatch.errors import ConfigError, EnforcementError
from castwatch.identify.impact import ImpactReport
from castwatch.report.charts import takedown_chart, timeline_chart, timeline_marks
from castwatch.report.facts import DossierFacts, gather
from castwatch.storage.db import Store

Format = Literal["html", "pdf"]
FORMATS: tuple[Format, ...] = ("html", "pdf")
#: The most recent case events listed in the dossier (the timeline chart shows them all).
MAX_EVENTS = 300

_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("castwatch.report", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _when(value: datetime | None) -> str:
    return "-" if value is None else f"{value:%Y-%m-%d %H:%M}"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 3 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _css_string(value: str) -> Markup:
    """``value`` safe inside a double-quoted CSS string in a ``<style>`` element."""
    escaped = "".join(c if c.isalnum() or c in " -_.:/" else f"\\{ord(c):x} " for c in value)
    return Markup(escaped)


_ENVIRONMENT.filters.update(
    when=_when, duration=_duration, number=_number, percent=_percent, css_string=_css_string,
    thousands=lambda n: f"{int(n or 0):,}",
)  # fmt: skip


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _notice_outcomes(facts: DossierFacts) -> dict[int, TakedownFigure]:
    """Time-to-takedown figures per notice, from the same samples as the case figures."""
    notice_of = {t.target.id: t.target.notice_id for t in facts.targets}
    grouped = [replace(s, recipient=str(notice_of.get(s.target_id)))
               for s in facts.takedown.samples]  # fmt: skip
    by_notice, _ = summarize_takedowns(grouped)
    return {int(f.group): f for f in by_notice if f.group.isdigit()}


def render_html(facts: DossierFacts) -> str:
    """The dossier as one HTML document (inline CSS, images as data URIs)."""
    timeline = timeline_chart(timeline_marks(facts.case.events, facts.notices))
    takedown = takedown_chart(facts.takedown.by_recipient)
    events = facts.case.events[-MAX_EVENTS:]
    context: dict[str, Any] = {
        "case": facts.case,
        "generated_at": facts.generated_at,
        "version": __version__,
        "services": facts.services,
        "harmed_holders": len({h.holder for s in facts.services for h in s.holders}),
        "proofs": facts.proofs,
        "proof_total": facts.proof_total,
        "confirmed_proofs": sum(1 for p in facts.proofs if p.result.confirmed),
        "endpoints": facts.endpoints,
        "hosts": facts.hosts,
        "seized": facts.seized,
        "notices": facts.notices,
        "sent_notices": sum(
            1
            for n in facts.notices
            if n.sent_at is not None and n.status is not NoticeStatus.DRAFTED
        ),
        "notice_outcomes": _notice_outcomes(facts),
        "takedown": facts.takedown,
        "timeline_png": _data_uri(timeline),
        "takedown_png": _data_uri(takedown) if takedown else None,
        "events": events,
        "events_omitted": len(facts.case.events) - len(events),
        "evidence": facts.evidence,
        "evidence_total": facts.evidence_total,
        "verification": facts.verification,
        "ledger_head": cite_head(facts.verification.head_seq, facts.verification.head_hash),
        "failed_seqs": {f.seq for f in facts.verification.failures if f.seq is not None},
    }
    return _ENVIRONMENT.get_template("dossier.html.j2").render(context)


def _weasyprint_html() -> Callable[..., Any]:
    try:
        with warnings.catch_warnings():
            # WeasyPrint warns once on import when the HarfBuzz subsetting library is absent
            # (Debian: libharfbuzz-subset0): fonts are then embedded whole, which only makes
            # the PDF larger. Silenced here, at the one import, so the suite's
            # filterwarnings=error still catches every other warning.
            warnings.filterwarnings(
                "ignore", message="HarfBuzz-Subset", category=DeprecationWarning
            )
            from weasyprint import HTML
            from weasyprint.urls import URLFetcher
    except OSError as exc:  # Pango missing: WeasyPrint loads it with cffi at import
        raise ConfigError(
            f"PDF output needs Pango (apt-get install libpango-1.0-0 libpangoft2-1.0-0): {exc}; "
            "or write --format html"
        ) from None

    def html(text: str) -> Any:
        # data: URIs only: no file, no network, whatever a stored name or URL says.
        return HTML(string=text, url_fetcher=URLFetcher(allowed_protocols=("data",)))

    return html


def render_pdf(html: str) -> bytes:
    """Lay ``html`` out as PDF with WeasyPrint (data: URIs only; nothing fetched)."""
    pdf: bytes = _weasyprint_html()(html).write_pdf()
    return pdf


def default_path(case_name: str, format: Format) -> Path:
    """``dossier-<case>.<format>`` in the current directory, with a file-system-safe name."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in case_name).strip("._")
    return Path(f"dossier-{safe or 'case'}.{format}")


def write_dossier(
    store: Store,
    case_ref: str,
    path: Path | str | None = None,
    format: Format = "pdf",
    impacts: Mapping[str, ImpactReport] | None = None,
) -> Path:
    """Write the dossier of ``case_ref`` as ``format`` (``pdf`` or ``html``); the path written.

    ``path`` defaults to ``dossier-<case>.<format>`` in the current directory. ``impacts``
    passes rights-impact reports already computed (by service name) to skip recomputing them
    (a report of another snapshot than the latest is recomputed). The file appears whole or
    not at all (written aside, then renamed).
    """
    return _write(store, case_ref, path, format, impacts)[0]


def file_dossier(
    store: Store,
    case_ref: str,
    path: Path | str | None = None,
    format: Format = "pdf",
    impacts: Mapping[str, ImpactReport] | None = None,
) -> tuple[Path, LedgerEntry]:
    """Write the dossier as :func:`write_dossier` does, then file it in the case's evidence
    (a copy in the store, one ledger row citing the head it was built from)."""
    target, facts = _write(store, case_ref, path, format, impacts)
    head = cite_head(facts.verification.head_seq, facts.verification.head_hash)
    item = file_item(
        store, target, EvidenceKind.DOSSIER,
        f"dossier ({format}) of case {facts.case.name}, built from {head}",
        str(target.resolve()),
    )  # fmt: skip
    return target, record(store, str(facts.case.id), [item])[0]


def _write(
    store: Store,
    case_ref: str,
    path: Path | str | None,
    format: Format,
    impacts: Mapping[str, ImpactReport] | None,
) -> tuple[Path, DossierFacts]:
    if format not in FORMATS:
        raise EnforcementError(f"unknown dossier format {format!r}; use html or pdf")
    facts = gather(store, case_ref, impacts)
    html = render_html(facts)
    data = render_pdf(html) if format == "pdf" else html.encode("utf-8")
    target = Path(path) if path is not None else default_path(facts.case.name, format)
    _write_atomically(target, data)
    return target, facts


def _write_atomically(target: Path, data: bytes) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, scratch = tempfile.mkstemp(dir=target.parent, prefix=".dossier-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(scratch, target)
        except BaseException:
            Path(scratch).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise EnforcementError(
            f"cannot write the dossier to {target}: {exc.strerror or exc}"
        ) from None
