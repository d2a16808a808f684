"""Every fault mode of the simulator, read over Xtream, Stalker and M3U-over-URL.

Each must end in a clear error of the right class that names the cause and the (redacted)
URL, within the tight limits of ``fault_options``; the flaky mode must succeed through
retries. Elapsed times are never asserted: pytest-timeout bounds each case.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest

from castwatch.errors import (
    AccountBanned,
    AuthenticationError,
    CastwatchError,
    HttpStatusError,
    ProtocolError,
    RedirectLoop,
    ResponseTooLarge,
    SourceTimeout,
    TruncatedResponse,
)
from castwatch.net.policy import FetchOptions
from castwatch.sim import Fault, SimConfig, SimServer
from castwatch.sources.base import get_source

SimFault = Callable[..., SimServer]
KINDS = ("xtream", "stalker", "m3u")
_URL_KEY = {"xtream": "xtream_url", "stalker": "stalker_url", "m3u": "m3u_url"}

#: fault -> (error class, words the message must contain), with per-kind exceptions.
EXPECTED: dict[Fault, tuple[type[CastwatchError], str]] = {
    Fault.SLOW: (SourceTimeout, r"no answer within 1 s"),
    Fault.TRUNCATED: (TruncatedResponse, r"connection closed"),
    Fault.ERROR500: (HttpStatusError, r"HTTP 500"),
    Fault.WRONG_CONTENT_TYPE: (ProtocolError, r"HTML page"),
    Fault.ENORMOUS: (ResponseTooLarge, r"announces 2,147,483,648 bytes"),
    Fault.ENDLESS: (ResponseTooLarge, r"2,000,000-byte cap"),
    Fault.REDIRECT_LOOP: (RedirectLoop, r"more than 10 redirects"),
    Fault.INVALID_JSON: (ProtocolError, r"invalid JSON"),
    Fault.WRONG_CREDENTIALS: (AuthenticationError, r"refused|not authorised"),
    Fault.BANNED: (AccountBanned, r"Banned|blocked"),
}
EXCEPTIONS: dict[tuple[Fault, str], tuple[type[CastwatchError], str]] = {
    # A playlist has no JSON to break: the simulator sends binary garbage instead.
    (Fault.INVALID_JSON, "m3u"): (ProtocolError, r"binary data"),
    # get.php answers a bare 403: an M3U reader cannot tell banned from refused.
    (Fault.BANNED, "m3u"): (AuthenticationError, r"HTTP 403"),
}
FAILING = [(fault, kind) for fault in EXPECTED for kind in KINDS]


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("fault", "kind"), FAILING, ids=[f"{f}-{k}" for f, k in FAILING])
def test_fault_ends_in_a_clear_error(
    sim_fault: SimFault,
    fault_options: FetchOptions,
    sim_secrets: list[str],
    fault: Fault,
    kind: str,
) -> None:
    error_class, words = EXCEPTIONS.get((fault, kind), EXPECTED[fault])
    server = sim_fault(fault, slow_delay=3.0)
    target = str(server.urls[_URL_KEY[kind]])
    with pytest.raises(CastwatchError) as caught:
        get_source(kind)().fetch(target, fault_options)
    error = caught.value
    message = str(error)
    assert type(error) is error_class, f"{type(error).__name__}: {message}"
    assert re.search(words, message), message
    assert urlsplit(target).netloc in message
    for secret in sim_secrets:
        assert secret.lower() not in message.lower(), f"{secret!r} leaks: {message}"


@pytest.mark.timeout(120)
@pytest.mark.parametrize("kind", KINDS)
def test_flaky_server_is_read_through_retries(
    sim_fault: SimFault, fault_options: FetchOptions, sim_config: SimConfig, kind: str
) -> None:
    server = sim_fault(Fault.FLAKY)
    inventory = get_source(kind)().fetch(str(server.urls[_URL_KEY[kind]]), fault_options)
    counts = inventory.counts()
    assert counts["live"] == sim_config.live
    assert counts["episode"] == sim_config.episodes
    if kind != "m3u":  # a playlist lists episodes, not the series that hold them
        assert counts["series"] == sim_config.series
        assert counts["film"] == sim_config.films


def test_every_fault_mode_is_covered() -> None:
    assert set(EXPECTED) | {Fault.FLAKY} == set(Fault)
