"""What one simulated panel serves: catalog size, account, page size and fault mode.

A fault mode makes every protocol endpoint misbehave in one way, so that each failure the
clients must survive can be produced on demand. To add one, add a member to :class:`Fault`
and give it a branch in :mod:`castwatch.sim.app` (or :mod:`castwatch.sim.faults` for the
body it sends).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypedDict

DEFAULT_USERNAME = "demo"
DEFAULT_PASSWORD = "demo-pass-1234"
DEFAULT_MAC = "00:1A:79:12:34:56"
#: The only address the simulator binds: it serves synthetic data to this machine alone.
LOOPBACK = "127.0.0.1"
#: The values of :attr:`SimConfig.shapes`.
SHAPES = ("canonical", "mixed")


class Fault(StrEnum):
    """How the simulated panel misbehaves; one per run."""

    #: Every response waits ``slow_delay`` seconds before its first byte.
    SLOW = "slow"
    #: The body announces its full ``Content-Length``, sends half, and the connection ends.
    TRUNCATED = "truncated"
    #: Every request answers 500.
    ERROR500 = "error500"
    #: Each distinct URL answers 503 the first time it is seen, then succeeds.
    FLAKY = "flaky"
    #: JSON and playlist endpoints answer an HTML page as ``text/html``.
    WRONG_CONTENT_TYPE = "wrong-content-type"
    #: Bodies declare 2 GiB and stream plausible junk until the client gives up.
    ENORMOUS = "enormous"
    #: Chunked bodies of plausible junk that never end.
    ENDLESS = "endless"
    #: Every URL redirects to a twin that redirects back (A -> B -> A).
    REDIRECT_LOOP = "redirect-loop"
    #: JSON endpoints answer broken JSON; playlists answer binary garbage.
    INVALID_JSON = "invalid-json"
    #: The advertised account is refused: Xtream ``auth: 0``, get.php 401, Stalker status 1.
    WRONG_CREDENTIALS = "wrong-credentials"
    #: The account is banned: Xtream ``status: Banned``, get.php 403, Stalker ``blocked: "1"``.
    BANNED = "banned"


@dataclass(frozen=True, slots=True)
class SimConfig:
    """Everything that makes one simulated panel differ from another."""

    seed: int = 0
    live: int = 6000
    films: int = 120_000
    series: int = 5000
    episodes: int = 80_000
    fault: Fault | None = None
    #: Seconds each response waits in the ``slow`` fault mode.
    slow_delay: float = 5.0
    #: Stalker ``max_page_items``; real portals use 14.
    page_size: int = 14
    username: str = DEFAULT_USERNAME
    password: str = DEFAULT_PASSWORD
    mac: str = DEFAULT_MAC
    #: Live time stands still at this Unix time instead of following the clock. Tests that
    #: compare a live reference with probes taken later use it, so that how fast the machine
    #: is never decides whether the two cover the same minutes.
    frozen_clock: float | None = None
    #: Which answer shapes the panel uses: ``canonical`` (one shape, the most common) or
    #: ``mixed`` (every documented shape of real panels, rotated across series and rows, so
    #: that an ingest meets each of them; see docs/protocols.md).
    shapes: str = "canonical"
    #: How many live streams carry another channel's programme than their name says (a
    #: mislabelled restream), picked by the seed; ``castwatch sim --truth`` lists them.
    swapped: int = 0

    def __post_init__(self) -> None:
        if self.page_size < 1:
            raise ValueError("page_size must be at least 1")
        if self.swapped < 0:
            raise ValueError("swapped must be zero or more")
        if self.slow_delay < 0:
            raise ValueError("slow_delay must be zero or more")
        if self.fault is not None and not isinstance(self.fault, Fault):
            # Accept the plain name ("slow") from callers that read it from a command line.
            object.__setattr__(self, "fault", Fault(self.fault))
        if self.shapes not in SHAPES:
            raise ValueError(f"unknown shapes {self.shapes!r}; choose one of: {', '.join(SHAPES)}")


class SimOptions(TypedDict, total=False):
    """:class:`SimConfig` fields as keyword arguments (``SimServer(live=50, fault=...)``)."""

    seed: int
    live: int
    films: int
    series: int
    episodes: int
    fault: Fault | None
    slow_delay: float
    page_size: int
    username: str
    password: str
    mac: str
    frozen_clock: float | None
    shapes: str
    swapped: int


def loopback_host(host: str) -> str:
    """``127.0.0.1`` for ``127.0.0.1`` or ``localhost``; any other host is a ValueError."""
    if host in (LOOPBACK, "localhost"):
        return LOOPBACK
    raise ValueError(
        f"the simulator serves synthetic data on {LOOPBACK} only and will not bind {host!r}; "
        f"use --host {LOOPBACK}"
    )
