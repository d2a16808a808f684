"""Dossier charts drawn with matplotlib's Agg renderer into PNG bytes (no display needed).

Figures are built with ``matplotlib.figure.Figure`` on an Agg canvas, never ``pyplot``: no
display, no global backend switch, nothing to close, safe in a server process. Two charts:

- :func:`timeline_chart`: one lane for the case's status, one per notice (drafted, sent,
  acknowledged, actioned, then each takedown and relapse the re-checks found), one for seized
  domains and one for evidence, on one time axis;
- :func:`takedown_chart`: median hours to takedown per recipient.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
from matplotlib.figure import Figure

from castwatch.catalog.cases import CaseEvent, EventKind
from castwatch.catalog.notices import Notice
from castwatch.catalog.tracking import TakedownFigure

MAX_NOTICE_LANES = 12


@dataclass(slots=True, frozen=True)
class Mark:
    """One point on the timeline: its lane, time, what it is (the legend) and a label."""

    lane: str
    at: datetime
    what: str
    label: str = ""


#: Marker and colour per kind of point; the legend shows only the kinds present.
_STYLE = {
    "status": ("D", "#444444"),
    "drafted": ("o", "#9e9e9e"),
    "sent": (">", "#1f77b4"),
    "acknowledged": ("s", "#17becf"),
    "actioned": ("P", "#2ca02c"),
    "target down": ("v", "#2ca02c"),
    "target back": ("^", "#d62728"),
    "seized": ("*", "#9467bd"),
    "seizure lapsed": ("X", "#d62728"),
    "evidence": ("|", "#7f7f7f"),
}


def timeline_marks(events: Sequence[CaseEvent], notices: Sequence[Notice]) -> list[Mark]:
    """The points of the timeline from a case's events and its notices."""
    lanes = {n.id: f"notice {n.id} ({n.kind}, {n.recipient_host})" for n in notices}
    shown = set(list(lanes)[:MAX_NOTICE_LANES])
    marks: list[Mark] = []
    for notice in notices:
        if notice.id not in shown:
            continue
        lane = lanes[notice.id]
        for what, at in (("drafted", notice.drafted_at), ("sent", notice.sent_at),
                         ("acknowledged", notice.acknowledged_at),
                         ("actioned", notice.actioned_at)):  # fmt: skip
            if at is not None:
                marks.append(Mark(lane, at, what))
    for event in events:
        notice_id = event.data.get("notice") if isinstance(event.data, dict) else None
        if event.kind is EventKind.STATUS:
            marks.append(Mark("case status", event.at, "status", str(event.data.get("to", ""))))
        elif event.kind in (EventKind.TARGET_DOWN, EventKind.TARGET_RELAPSED):
            what = "target down" if event.kind is EventKind.TARGET_DOWN else "target back"
            lane = lanes[notice_id] if notice_id in shown else "other targets"
            marks.append(Mark(lane, event.at, what))
        elif event.kind in (EventKind.SEIZURE_CONFIRMED, EventKind.DOMAIN_SEIZED):
            marks.append(Mark("seized domains", event.at, "seized"))
        elif event.kind is EventKind.SEIZURE_LAPSED:
            marks.append(Mark("seized domains", event.at, "seizure lapsed"))
        elif event.kind is EventKind.EVIDENCE_ADDED:
            marks.append(Mark("evidence", event.at, "evidence"))
    return marks


def _x(moment: datetime) -> float:
    """A time as matplotlib's date number (days since its epoch, UTC)."""
    return float(date2num(moment))  # type: ignore[no-untyped-call]


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(figure)
    with warnings.catch_warnings():
        # Names from pirate catalogues can be in any script; DejaVu Sans lacks some glyphs,
        # which matplotlib reports as a UserWarning per glyph. A missing glyph is drawn as a
        # box, which is acceptable in a chart label; nothing else is silenced.
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from", category=UserWarning)
        figure.savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()


def _merged_labels(marks: Sequence[Mark], gap: timedelta) -> list[tuple[datetime, str, str]]:
    """Labels of a lane closer than ``gap`` joined into one (``evidence → noticed``)."""
    merged: list[tuple[datetime, str, str]] = []
    for mark in sorted((m for m in marks if m.label), key=lambda m: (m.lane, m.at)):
        if merged and merged[-1][1] == mark.lane and mark.at - merged[-1][0] <= gap:
            at, lane, label = merged[-1]
            merged[-1] = (at, lane, f"{label} → {mark.label}")
        else:
            merged.append((mark.at, mark.lane, mark.label))
    return merged


def timeline_chart(marks: Sequence[Mark], width: float = 9.5) -> bytes:
    """The case timeline as a PNG; an empty axis saying so when there is nothing to show."""
    lanes = list(dict.fromkeys(m.lane for m in marks))
    figure = Figure(figsize=(width, 1.2 + 0.42 * max(1, len(lanes))), layout="constrained")
    axes = figure.add_subplot()
    if not marks:
        axes.text(0.5, 0.5, "no events yet", ha="center", va="center", transform=axes.transAxes)
        axes.set_axis_off()
        return _png(figure)
    row = {lane: index for index, lane in enumerate(reversed(lanes))}
    start, end = min(m.at for m in marks), max(m.at for m in marks)
    for what, (marker, colour) in _STYLE.items():
        points = [m for m in marks if m.what == what]
        if points:
            axes.scatter([_x(m.at) for m in points], [row[m.lane] for m in points],
                         marker=marker,
                         color=colour, s=46, label=what, zorder=3)  # fmt: skip
    span = (end - start) or timedelta(hours=1)
    for at, lane, label in _merged_labels(marks, span * 0.04):
        # Near either end, align the label inwards so it stays inside the axes.
        place = (at - start) / span
        align = "right" if place > 0.8 else "left" if place < 0.2 else "center"
        axes.annotate(label, (_x(at), row[lane]), xytext=(0, 7),
                      textcoords="offset points",
                      ha=align, fontsize=7)  # fmt: skip
    pad = max((end - start) * 0.05, timedelta(hours=1))
    axes.set_xlim(_x(start - pad), _x(end + pad))
    axes.set_yticks(range(len(lanes)), list(reversed(lanes)), fontsize=8)
    axes.set_ylim(-0.7, len(lanes) - 0.3)
    locator = AutoDateLocator()  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    axes.grid(axis="x", color="#dddddd", zorder=0)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=5, fontsize=7,
                frameon=False)  # fmt: skip
    axes.set_title("Case timeline (UTC)", fontsize=10)
    return _png(figure)


def takedown_chart(figures: Sequence[TakedownFigure], width: float = 9.5) -> bytes | None:
    """Median hours to takedown per group, as a PNG; None when nothing was taken down."""
    shown = [f for f in figures if f.median_s is not None][:15]
    if not shown:
        return None
    figure = Figure(figsize=(width, 1.0 + 0.35 * len(shown)), layout="constrained")
    axes = figure.add_subplot()
    hours = [(f.median_s or 0.0) / 3600 for f in shown]
    names = [f.group for f in shown]
    axes.barh(names, hours, color="#2ca02c")
    for index, figure_row in enumerate(shown):
        axes.annotate(
            f"{figure_row.down}/{figure_row.targets} down",
            (hours[index], index),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=7,
        )
    axes.invert_yaxis()
    axes.set_xlabel("median hours from notice sent to target found down", fontsize=8)
    axes.tick_params(labelsize=8)
    axes.set_xlim(0, max(hours) * 1.25 or 1)
    return _png(figure)
