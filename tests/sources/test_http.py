"""HttpClient against a real misbehaving server: caps, redirects, retries, rate, redaction."""

from __future__ import annotations

import asyncio
import gzip
import socket
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any
from urllib.parse import parse_qs

import pytest

from castwatch.errors import (
    FetchError,
    HttpStatusError,
    ProtocolError,
    RedirectLoop,
    ResponseTooLarge,
    SourceTimeout,
    TruncatedResponse,
)
from castwatch.net.client import HttpClient, Response
from castwatch.net.policy import FetchOptions

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

# 20 MB of zeros compress to about 20 KB: a small answer that inflates past any sane cap.
_BOMB = gzip.compress(b"\0" * 20_000_000, compresslevel=9)


class Misbehaving:
    """An ASGI app with one route per failure mode; counts the requests each path gets."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.order: list[str] = []
        self.in_flight = self.peak = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        path = scope["path"]
        query = parse_qs(scope["query_string"].decode())
        self.hits[path] += 1
        self.order.append(query.get("n", [path])[0])
        if path == "/ok":
            await _answer(send, 200, b'{"ok": true}', b"application/json")
        elif path == "/bytes":
            await _answer(send, 200, b"x" * int(query["size"][0]))
        elif path == "/endless":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            # "Endless" to any sane cap; bounded so a departed client frees the server.
            for _ in range(4096):
                await send({"type": "http.response.body", "body": b"y" * 65536, "more_body": True})
                await asyncio.sleep(0)
            await send({"type": "http.response.body", "body": b""})
        elif path == "/loop":
            headers = [(b"location", b"/loop"), (b"content-length", b"0")]
            await send({"type": "http.response.start", "status": 302, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
        elif path == "/flaky":
            failures = int(query["failures"][0])
            if self.hits[path] <= failures:
                await _answer(send, 500, b"try again")
            else:
                await _answer(send, 200, b"finally")
        elif path == "/status":
            await _answer(send, int(query["code"][0]), b"no")
        elif path == "/bomb":
            headers = [
                (b"content-encoding", b"gzip"),
                (b"content-length", str(len(_BOMB)).encode()),
            ]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": _BOMB})
        elif path == "/stall":
            await asyncio.sleep(1.5)
            await _answer(send, 200, b"late")
        elif path == "/short":
            headers = [(b"content-length", b"1000")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": b"z" * 10})
        elif path == "/busy":
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            await asyncio.sleep(0.05)
            self.in_flight -= 1
            await _answer(send, 200, b"done")
        elif path == "/html":
            await _answer(send, 200, b"<html><title>Login</title></html>", b"text/html")
        else:
            await _answer(send, 404, b"not found")


async def _answer(
    send: Send, status: int, body: bytes, content_type: bytes = b"text/plain"
) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@pytest.fixture(scope="module")
def server(
    serve: Callable[[Any], AbstractContextManager[str]],
) -> Iterator[tuple[str, Misbehaving]]:
    app = Misbehaving()
    with serve(app) as base:
        yield base, app


@pytest.fixture
def app(server: tuple[str, Misbehaving]) -> Misbehaving:
    server[1].hits.clear()
    server[1].order.clear()
    server[1].peak = 0
    return server[1]


@pytest.fixture
def base(server: tuple[str, Misbehaving]) -> str:
    return server[0]


def _options(**overrides: Any) -> FetchOptions:
    settings: dict[str, Any] = {"timeout": 1.0, "retries": 2, "backoff": 0.01}
    settings.update(overrides)
    return FetchOptions(**settings)


def _get(url: str, options: FetchOptions) -> Response:
    async def run() -> Response:
        async with HttpClient(options) as http:
            return await http.get(url)

    return asyncio.run(run())


def test_get_returns_body_status_and_content_type(base: str, app: Misbehaving) -> None:
    response = _get(f"{base}/ok", _options())
    assert response.status == 200
    assert response.json() == {"ok": True}
    assert response.content_type == "application/json"
    assert app.hits["/ok"] == 1


def test_announced_body_over_the_cap_is_refused_before_reading(base: str) -> None:
    with pytest.raises(ResponseTooLarge, match="announces 3,000,000 bytes"):
        _get(f"{base}/bytes?size=3000000", _options(max_bytes=1_000_000))


def test_endless_body_stops_at_the_cap(base: str) -> None:
    with pytest.raises(ResponseTooLarge, match="passed the 500,000-byte cap"):
        _get(f"{base}/endless", _options(max_bytes=500_000))


def test_cap_counts_decompressed_bytes(base: str) -> None:
    with pytest.raises(ResponseTooLarge):
        _get(f"{base}/bomb", _options(max_bytes=2_000_000))


def test_redirect_loop_is_not_retried(base: str, app: Misbehaving) -> None:
    with pytest.raises(RedirectLoop, match="more than 10 redirects"):
        _get(f"{base}/loop", _options())
    assert app.hits["/loop"] == 11


def test_flaky_server_succeeds_through_retries(base: str, app: Misbehaving) -> None:
    response = _get(f"{base}/flaky?failures=2", _options(retries=2))
    assert response.body == b"finally"
    assert app.hits["/flaky"] == 3


def test_retries_run_out_on_a_persistent_5xx(base: str, app: Misbehaving) -> None:
    with pytest.raises(HttpStatusError, match="HTTP 500") as caught:
        _get(f"{base}/flaky?failures=99", _options(retries=1))
    assert caught.value.status == 500
    assert app.hits["/flaky"] == 2


def test_client_errors_are_not_retried(base: str, app: Misbehaving) -> None:
    with pytest.raises(HttpStatusError) as caught:
        _get(f"{base}/status?code=403", _options(retries=3))
    assert caught.value.status == 403
    assert app.hits["/status"] == 1


def test_a_stalled_answer_times_out(base: str, app: Misbehaving) -> None:
    with pytest.raises(SourceTimeout):
        _get(f"{base}/stall", _options(timeout=0.2, retries=1))
    assert app.hits["/stall"] == 2


def test_a_body_shorter_than_announced_is_truncated(base: str) -> None:
    with pytest.raises(TruncatedResponse):
        _get(f"{base}/short", _options(retries=0))


def test_refused_connection_names_the_url_without_the_password() -> None:
    port = _closed_port()
    url = f"http://127.0.0.1:{port}/player_api.php?username=alice&password=s3cret"
    with pytest.raises(FetchError) as caught:
        _get(url, _options(retries=0))
    message = str(caught.value)
    assert f"127.0.0.1:{port}" in message
    assert "s3cret" not in message
    assert "alice" not in message


def test_status_errors_redact_credentials(base: str) -> None:
    with pytest.raises(HttpStatusError) as caught:
        _get(f"{base}/status?code=404&username=alice&password=s3cret", _options())
    assert "s3cret" not in str(caught.value)
    assert "/status" in str(caught.value)


def test_html_where_json_belongs_is_explained(base: str) -> None:
    with pytest.raises(ProtocolError, match="an HTML page"):
        _get(f"{base}/html", _options()).json()


def test_rate_ceiling_spaces_requests(base: str, app: Misbehaving) -> None:
    count, rps = 6, 20.0

    async def run() -> None:
        async with HttpClient(_options(max_rps=rps, concurrency=6)) as http:
            await asyncio.gather(*(http.get(f"{base}/ok?n={i}") for i in range(count)))

    started = time.monotonic()
    asyncio.run(run())
    elapsed = time.monotonic() - started
    assert app.hits["/ok"] == count
    # A behaviour guarantee, not a benchmark: n starts spaced 1/rps apart span (n-1)/rps.
    assert elapsed >= (count - 1) / rps * 0.95


def test_concurrency_bounds_requests_in_flight(base: str, app: Misbehaving) -> None:
    async def run() -> None:
        async with HttpClient(_options(concurrency=2)) as http:
            await asyncio.gather(*(http.get(f"{base}/busy?n={i}") for i in range(8)))

    asyncio.run(run())
    assert app.hits["/busy"] == 8
    assert app.peak == 2


def test_peek_reads_only_the_head_of_an_endless_body(base: str) -> None:
    async def run() -> Response:
        async with HttpClient(_options(max_bytes=10_000_000)) as http:
            return await http.peek(f"{base}/endless", limit=100_000)

    response = asyncio.run(run())
    assert response.status == 200
    assert len(response.body) == 100_000


def test_peek_reports_error_statuses_instead_of_raising(base: str) -> None:
    async def run() -> Response:
        async with HttpClient(_options()) as http:
            return await http.peek(f"{base}/status?code=401")

    response = asyncio.run(run())
    assert response.status == 401
    assert response.body == b"no"


def _closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
