"""Deadlines that hold: a server dripping one byte at a time is stopped, whatever reads it.

Every byte arrives well inside the read timeout, so only the overall deadline can end these
reads. Each must fail with :class:`SourceTimeout` naming the deadline and the URL, with the
credentials in that URL redacted. Deadlines are short; no test asserts a duration.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from castwatch.errors import SourceTimeout
from castwatch.fingerprint.capture import capture
from castwatch.net.client import HttpClient
from castwatch.net.hls import HlsClient
from castwatch.net.policy import FetchOptions
from castwatch.sources.m3u import M3USource
from tests.conftest import CliRunner
from tests.servers import serve_asgi
from tests.sources.hostile_servers import SlowDrip

SECRET = "drip-s3cret-pw"
# A read timeout far above the drip interval, a deadline far below "for ever".
OPTIONS = FetchOptions(timeout=5.0, deadline=1.0, retries=0, backoff=0.01)


@pytest.fixture(scope="module")
def drip() -> Iterator[str]:
    app = SlowDrip(interval=0.2)
    with serve_asgi(app, on_stop=app.stop) as base:
        yield base


def _assert_deadline(exc: SourceTimeout, url_path: str) -> None:
    message = str(exc)
    assert "deadline" in message and "--deadline" in message
    assert url_path in message
    assert SECRET not in message


def test_stream_stops_at_the_deadline(drip: str) -> None:
    url = f"{drip}/get.php?username=agent&password={SECRET}"

    async def read() -> int:
        received = 0
        async with HttpClient(OPTIONS) as http, http.stream(url) as chunks:
            async for chunk in chunks:
                received += len(chunk)
        return received

    with pytest.raises(SourceTimeout) as caught:
        asyncio.run(read())
    _assert_deadline(caught.value, "/get.php")


@pytest.mark.parametrize("method", ["get", "peek"])
def test_whole_body_reads_stop_at_the_deadline(drip: str, method: str) -> None:
    url = f"{drip}/list.m3u?token=x&password={SECRET}"

    async def read() -> object:
        async with HttpClient(OPTIONS) as http:
            if method == "get":
                return await http.get(url)
            return await http.peek(url, limit=1 << 20)

    with pytest.raises(SourceTimeout) as caught:
        asyncio.run(read())
    _assert_deadline(caught.value, "/list.m3u")


def test_m3u_source_stops_at_the_deadline(drip: str) -> None:
    url = f"{drip}/get.php?username=agent&password={SECRET}&type=m3u_plus"
    with pytest.raises(SourceTimeout) as caught:
        M3USource().fetch(url, OPTIONS)
    _assert_deadline(caught.value, "/get.php")


def test_hls_playlist_stops_at_the_deadline(drip: str) -> None:
    async def read() -> object:
        async with HlsClient(OPTIONS) as hls:
            return await hls.playlist(f"{drip}/live/agent/{SECRET}/1.m3u8")

    with pytest.raises(SourceTimeout) as caught:
        asyncio.run(read())
    _assert_deadline(caught.value, "/live/")


def test_capture_of_a_dripping_stream_ends(drip: str, tmp_path: Path) -> None:
    # The capture's own overall limit is generous here: the HTTP deadline must end it.
    with pytest.raises(SourceTimeout) as caught:
        capture(
            f"{drip}/live/agent/{SECRET}/1.ts",
            seconds=5.0,
            timeout_s=30.0,
            evidence_dir=tmp_path / "evidence",
            options=OPTIONS,
        )
    _assert_deadline(caught.value, "/live/")
    assert not list((tmp_path / "evidence").glob("*.ts"))


def test_inspect_and_ingest_stop_at_the_deadline(cli: CliRunner, drip: str) -> None:
    url = f"{drip}/get.php?username=agent&password={SECRET}&type=m3u_plus"
    for command in ("inspect", "ingest"):
        result = cli(command, url, "--kind", "m3u", "--deadline", "1", "--retries", "0", "--json")
        assert result.code != 0
        shown = result.stdout + result.stderr
        assert "deadline" in shown and "/get.php" in shown
        assert SECRET not in shown
    assert cli("services", "--json").json() == []


def test_deadline_must_be_positive(cli: CliRunner, drip: str) -> None:
    result = cli("inspect", f"{drip}/x.m3u", "--deadline", "0")
    assert result.code == 2
    assert "--deadline" in result.stdout + result.stderr
