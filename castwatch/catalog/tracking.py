"""Tracking after a notice: what is watched, what a check found, and what that means.

A *watch target* is one thing a case asked someone to take down (a stream URL or a host named
in a sent notice) or a domain the authorities seized. Every check of a target finds it in one
:class:`CheckState`; the rules here decide which state a probe's answer means
(:func:`classify`), which moves are news for the case (:func:`transition`) and how long each
recipient took to act (:func:`summarize_takedowns`). Nothing here does I/O: the probe lives in
``enforce/probe.py``, storage keeps targets and checks, ``enforce/watch.py`` runs passes.
"""

from __future__ import annotations

import ipaddress
import statistics
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit


class TargetKind(StrEnum):
    """What a target is: a notice's URL, a notice's host, or a seized domain."""

    URL = "url"
    HOST = "host"
    SEIZED = "seized"


class CheckState(StrEnum):
    """What one check found. ``error`` is inconclusive (timeout, 5xx, TLS): it moves nothing."""

    PENDING = "pending"
    UP = "up"
    REDIRECTED = "redirected"
    GONE = "gone"
    SEIZED = "seized"
    ERROR = "error"


#: States in which a target counts as taken down.
DOWN_STATES = frozenset({CheckState.GONE, CheckState.SEIZED})
#: States in which a target counts as serving (a redirect elsewhere still serves).
UP_STATES = frozenset({CheckState.UP, CheckState.REDIRECTED})
#: HTTP answers that mean the content was removed (not merely refused to this account).
GONE_STATUSES = frozenset({404, 410, 451})


@dataclass(slots=True, frozen=True)
class ProbeResult:
    """What one probe of a URL saw on the wire: DNS, the redirect chain, the last answer.

    ``failure`` names a transport failure the rules care about: ``nxdomain`` (the name does
    not exist), ``refused`` (nothing listens), ``timeout`` or ``other`` (see ``error``).
    """

    url: str
    addresses: tuple[str, ...] = ()
    dns_error: str | None = None
    http_status: int | None = None
    final_url: str | None = None
    redirects: tuple[tuple[int, str], ...] = ()
    failure: str | None = None
    error: str | None = None
    elapsed_s: float = 0.0


@dataclass(slots=True, frozen=True)
class TargetSpec:
    """A target to start watching, as derived from a sent notice (or a seizure)."""

    case_id: int
    kind: TargetKind
    target: str
    probe_url: str
    notice_id: int | None = None
    recipient: str | None = None
    intermediary: str | None = None


@dataclass(slots=True, frozen=True)
class WatchTarget:
    """A target as stored, with the state of its last check (``settled``: last conclusive)."""

    id: int
    case_id: int
    case_name: str
    kind: TargetKind
    target: str
    probe_url: str
    notice_id: int | None
    recipient: str | None
    intermediary: str | None
    added_at: datetime
    state: CheckState
    settled: CheckState
    last_checked_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["kind"], out["state"], out["settled"] = self.kind.value, self.state, self.settled
        return out


@dataclass(slots=True, frozen=True)
class WatchCheck:
    """One stored check of one target."""

    id: int
    target_id: int
    checked_at: datetime
    state: CheckState
    http_status: int | None
    final_url: str | None
    redirects: list[dict[str, Any]]
    addresses: list[str]
    dns_error: str | None
    error: str | None
    elapsed_s: float | None

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["state"] = self.state.value
        return out


@dataclass(slots=True, frozen=True)
class Change:
    """A target whose state differs from its previous check, and the case event it caused."""

    target_id: int
    case_name: str
    kind: TargetKind
    target: str
    before: CheckState
    after: CheckState
    http_status: int | None
    final_url: str | None
    error: str | None
    event: str | None = None
    case_status: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["kind"], out["before"], out["after"] = self.kind.value, self.before, self.after
        return out


def _endpoint(url: str) -> tuple[str, str, int, str] | None:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    scheme = parts.scheme.lower()
    return scheme, parts.hostname.lower(), port or (443 if scheme == "https" else 80), parts.path


def on_legal_offer(url: str | None, legal_offer: str | None) -> bool:
    """Whether ``url`` is the legal-offer page (same scheme, host, port; path under it)."""
    if not url or not legal_offer:
        return False
    seen, expected = _endpoint(url), _endpoint(legal_offer)
    if seen is None or expected is None or seen[:3] != expected[:3]:
        return False
    prefix = expected[3].rstrip("/")
    return not prefix or seen[3] == prefix or seen[3].startswith(prefix + "/")


def classify(kind: TargetKind, probe: ProbeResult, legal_offer: str | None) -> CheckState:
    """The state a probe's answer means for a target of ``kind``.

    - the name does not resolve, or nothing listens: ``gone``;
    - any hop or the final answer is on the legal-offer page: ``seized``;
    - a stream URL answering 404, 410 or 451: ``gone`` (a host answering anything is up: its
      root page is not what was noticed);
    - an answer below 400 (400 and up for a host) ending on another host: ``redirected``,
      else ``up``;
    - anything else (timeout, 5xx, 401/403, TLS failure): ``error``, which moves nothing;
      so is a seized domain that answers while no legal-offer page is configured.
    """
    if probe.failure in ("nxdomain", "refused"):
        return CheckState.GONE
    hops = [url for _, url in probe.redirects] + [probe.final_url or ""]
    if any(on_legal_offer(url, legal_offer) for url in hops):
        return CheckState.SEIZED
    if kind is TargetKind.SEIZED and not legal_offer:
        return CheckState.ERROR
    status = probe.http_status
    if probe.failure is not None or status is None:
        return CheckState.ERROR
    if kind is TargetKind.URL and status in GONE_STATUSES:
        return CheckState.GONE
    serving = status < 400 or (kind is not TargetKind.URL and status < 500)
    if not serving:
        return CheckState.ERROR
    start, end = _endpoint(probe.url), _endpoint(probe.final_url or probe.url)
    moved = start is not None and end is not None and start[1] != end[1]
    return CheckState.REDIRECTED if moved else CheckState.UP


class Transition(StrEnum):
    """A move of a target that is news for its case (the names of the case events)."""

    DOWN = "target-down"
    RELAPSED = "target-relapsed"
    SEIZURE_CONFIRMED = "seizure-confirmed"
    SEIZURE_LAPSED = "seizure-lapsed"


def transition(kind: TargetKind, settled: CheckState, now: CheckState) -> Transition | None:
    """The news in going from the last conclusive state ``settled`` to ``now``, if any.

    A notice target going down is a takedown; one that was down and serves again relapsed. A
    seized domain is news when it starts or stops showing the legal-offer page.
    """
    if now is CheckState.ERROR or now is CheckState.PENDING:
        return None
    if kind is TargetKind.SEIZED:
        if now is CheckState.SEIZED and settled is not CheckState.SEIZED:
            return Transition.SEIZURE_CONFIRMED
        if settled is CheckState.SEIZED and now is not CheckState.SEIZED:
            return Transition.SEIZURE_LAPSED
        return None
    if now in DOWN_STATES and settled not in DOWN_STATES:
        return Transition.DOWN
    if now in UP_STATES and settled in DOWN_STATES:
        return Transition.RELAPSED
    return None


def normalize_domain(value: str) -> tuple[str, str]:
    """``(host, probe URL)`` of a seized domain given as a name, ``host:port`` or a URL.

    ``Example.COM.`` gives ``("example.com", "http://example.com/")``; ``https://x.example/a``
    keeps its scheme and path. Raises ValueError naming what is wrong.
    """
    text = value.strip()
    if not text:
        raise ValueError("empty domain")
    url = text if "://" in text else f"http://{text}"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a domain or URL: {exc}") from None
    host = (parts.hostname or "").rstrip(".")
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(f"{value!r}: only http and https URLs can be watched")
    if not host or any(c in host for c in " /\\@?#") or ("." not in host and ":" not in host):
        raise ValueError(f"{value!r} has no usable host name (expected e.g. pirate.example)")
    try:
        shown_host = f"[{ipaddress.IPv6Address(host)}]"
    except ValueError:
        shown_host = host
    netloc = shown_host + (f":{port}" if port else "")
    return host, f"{parts.scheme.lower()}://{netloc}{parts.path or '/'}"


# --- time to takedown -----------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class TakedownSample:
    """One notice target: when its notice went out and when a check first found it down."""

    target_id: int
    recipient: str
    intermediary: str
    sent_at: datetime
    down_at: datetime | None
    relapses: int = 0

    @property
    def seconds(self) -> float | None:
        if self.down_at is None:
            return None
        return (self.down_at - self.sent_at).total_seconds()


def takedown_of(
    sent_at: datetime, checks: Iterable[tuple[datetime, CheckState]]
) -> tuple[datetime | None, int]:
    """When a target was first found down after its notice went out, and how often it came
    back after that: ``checks`` are ``(checked_at, state)`` in the order they were made."""
    down_at: datetime | None = None
    relapses = 0
    was_down = False
    for checked_at, state in checks:
        if state in DOWN_STATES:
            if down_at is None and checked_at >= sent_at:
                down_at = checked_at
            was_down = down_at is not None
        elif state in UP_STATES:
            relapses += 1 if was_down else 0
            was_down = False
    return down_at, relapses


@dataclass(slots=True)
class TakedownFigure:
    """Time to takedown for one group of targets (one recipient, or one intermediary type)."""

    group: str
    targets: int = 0
    down: int = 0
    relapsed: int = 0
    median_s: float | None = None
    mean_s: float | None = None
    min_s: float | None = None
    max_s: float | None = None
    samples: list[float] = field(default_factory=list, repr=False)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("samples")
        return out


def summarize_takedowns(
    samples: Iterable[TakedownSample],
) -> tuple[list[TakedownFigure], list[TakedownFigure]]:
    """Figures per recipient and per intermediary type, each sorted by group name."""
    by_recipient: dict[str, TakedownFigure] = {}
    by_intermediary: dict[str, TakedownFigure] = {}
    for sample in samples:
        for table, key in (
            (by_recipient, sample.recipient),
            (by_intermediary, sample.intermediary),
        ):
            figure = table.setdefault(key, TakedownFigure(key))
            figure.targets += 1
            figure.relapsed += 1 if sample.relapses else 0
            if sample.seconds is not None:
                figure.down += 1
                figure.samples.append(sample.seconds)
    for figure in [*by_recipient.values(), *by_intermediary.values()]:
        if figure.samples:
            figure.median_s = statistics.median(figure.samples)
            figure.mean_s = statistics.fmean(figure.samples)
            figure.min_s, figure.max_s = min(figure.samples), max(figure.samples)
    return (
        [by_recipient[k] for k in sorted(by_recipient)],
        [by_intermediary[k] for k in sorted(by_intermediary)],
    )
