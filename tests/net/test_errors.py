"""``map_httpx_errors``: every httpx failure becomes the castwatch error that names it."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from castwatch.errors import (
    BlockedByPolicy,
    FetchError,
    RedirectLoop,
    SourceTimeout,
    TruncatedResponse,
)
from castwatch.net.errors import map_httpx_errors
from castwatch.net.policy import Refused

#: What each failure must become, opening an exchange and reading a body.
CASES: list[tuple[Exception, type[FetchError]]] = [
    (httpx.ConnectError("[Errno 111] Connection refused"), FetchError),
    (httpx.ConnectTimeout("timed out"), SourceTimeout),
    (httpx.ReadTimeout("timed out"), SourceTimeout),
    (httpx.RemoteProtocolError("peer closed connection"), TruncatedResponse),
    (httpx.ReadError("reset by peer"), FetchError),
    (httpx.TooManyRedirects("too many"), RedirectLoop),
    (Refused("intranet", 80, "10.0.0.1", "private"), BlockedByPolicy),
]


@pytest.mark.parametrize(("failure", "expected"), CASES)
def test_each_failure_becomes_its_castwatch_error(
    failure: Exception, expected: type[FetchError]
) -> None:
    with (
        pytest.raises(FetchError) as caught,
        map_httpx_errors("http://panel.example/", timeout=3.0, max_redirects=10),
    ):
        raise failure
    assert type(caught.value) is expected
    assert "(http://panel.example/)" in str(caught.value)
    # httpx's chain would repeat the URL unredacted: it is not shown.
    assert caught.value.__suppress_context__


def test_a_body_failure_says_how_far_it_got() -> None:
    received = 0
    with (
        pytest.raises(SourceTimeout) as caught,
        map_httpx_errors(
            "http://panel.example/", timeout=3.0, max_redirects=10, received=lambda: received
        ),
    ):
        received = 1234
        raise httpx.ReadTimeout("timed out")
    assert "stalled after 1,234 bytes (no data for 3 s)" in str(caught.value)


def test_other_errors_pass_through() -> None:
    with (
        pytest.raises(ValueError, match="not ours"),
        map_httpx_errors("http://panel.example/", timeout=3.0, max_redirects=10),
    ):
        raise ValueError("not ours")


_SECRET = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=6, max_size=16)


@given(
    user=_SECRET,
    password=_SECRET,
    case=st.sampled_from(CASES),
    body=st.none() | st.integers(0, 10**9),
)
def test_no_message_shows_the_account(
    user: str, password: str, case: tuple[Exception, type[FetchError]], body: int | None
) -> None:
    # A prefix no URL part has: the check cannot be fooled by "exampl" or "panel".
    password = f"Zq9{password}"
    url = f"http://panel.example/get.php?username={user}&password={password}&type=m3u"
    received = None if body is None else (lambda: body)
    with (
        pytest.raises(FetchError) as caught,
        map_httpx_errors(url, timeout=3.0, max_redirects=10, received=received),
    ):
        raise case[0]
    assert password not in str(caught.value)
    assert type(caught.value) is case[1]
