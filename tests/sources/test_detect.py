"""Detection: files, each protocol's URLs, bare servers, and what is said when none fits."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from castwatch.catalog import Credentials, ServiceKind
from castwatch.errors import UnknownPlugin, UnrecognizedSource
from castwatch.net.policy import FetchOptions
from castwatch.sim import SimConfig, SimServer
from castwatch.sources.detect import detect_kind, read_service

Serve = Callable[[Any], AbstractContextManager[str]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
_QUICK = FetchOptions(timeout=5, retries=0)


# -- local files ---------------------------------------------------------------------------


def test_an_m3u_file_is_m3u(tmp_path: Path) -> None:
    playlist = tmp_path / "list.txt"
    playlist.write_bytes(b'\xef\xbb\xbf#EXTM3U\n#EXTINF:-1 group-title="FR",A\nhttp://h/a.ts\n')
    assert detect_kind(str(playlist)) == "m3u"
    assert detect_kind(playlist.as_uri()) == "m3u"


@pytest.mark.parametrize(
    ("content", "seen"),
    [
        (
            b"<!DOCTYPE html><html><head><title>Hello  World</title>",
            "an HTML page titled 'Hello World'",
        ),
        (b"", "an empty body"),
        (b"  \n\n", "an empty body"),
        (b'{"hello": 1}', "JSON that is neither Xtream nor Stalker"),
        (b"#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6,\nseg1.ts\n", "an HLS playlist"),
    ],
)
def test_an_unrecognised_file_says_what_it_holds(tmp_path: Path, content: bytes, seen: str) -> None:
    path = tmp_path / "thing"
    path.write_bytes(content)
    with pytest.raises(UnrecognizedSource, match=seen):
        detect_kind(str(path))


def test_a_missing_file_is_explained(tmp_path: Path) -> None:
    with pytest.raises(UnrecognizedSource, match="not a readable file"):
        detect_kind(str(tmp_path / "nope.m3u"))


# -- the simulator's three protocols -------------------------------------------------------


def test_a_get_php_url_is_m3u(sim: SimServer) -> None:
    assert detect_kind(str(sim.urls["m3u_url"]), _QUICK) == "m3u"


def test_a_player_api_url_is_xtream(sim: SimServer) -> None:
    assert detect_kind(f"{sim.base_url}/player_api.php?username=a&password=b", _QUICK) == "xtream"


def test_a_portal_url_is_stalker(sim: SimServer) -> None:
    assert detect_kind(str(sim.urls["stalker_url"]), _QUICK) == "stalker"


def test_a_playlist_file_url_is_probed(sim: SimServer) -> None:
    assert detect_kind(f"{sim.base_url}/playlist.m3u", _QUICK) == "m3u"


def test_a_bare_server_with_an_account_is_xtream(
    sim: SimServer, sim_credentials: Credentials
) -> None:
    options = dataclasses.replace(_QUICK, credentials=sim_credentials)
    assert detect_kind(sim.base_url, options) == "xtream"
    assert detect_kind(sim.base_url + "/", _QUICK) == "xtream"


def test_a_bare_server_with_only_a_mac_is_stalker(
    sim: SimServer, sim_credentials: Credentials
) -> None:
    options = dataclasses.replace(_QUICK, credentials=Credentials(mac=sim_credentials.mac))
    assert detect_kind(sim.base_url + "/", options) == "stalker"


def test_read_service_detects_then_reads(
    sim: SimServer, sim_options: FetchOptions, sim_config: SimConfig
) -> None:
    stages: list[str] = []
    inventory = read_service(
        sim.base_url + "/",
        options=dataclasses.replace(sim_options, episodes=False),
        progress=lambda stage, done, total: stages.append(stage),
    )
    assert inventory.kind is ServiceKind.XTREAM
    assert inventory.counts()["film"] == sim_config.films
    assert stages[0] == "detect" and "films" in stages


def test_read_service_with_a_named_kind_skips_detection(
    sim: SimServer, sim_options: FetchOptions
) -> None:
    options = dataclasses.replace(sim_options, episodes=False)
    inventory = read_service(str(sim.urls["stalker_url"]), "stalker", options)
    assert inventory.kind is ServiceKind.STALKER


def test_read_service_refuses_an_unknown_kind() -> None:
    with pytest.raises(UnknownPlugin, match="unknown source kind 'hls'; one of: m3u, stalker"):
        read_service("http://127.0.0.1:9/", "hls")


# -- servers that are none of the three ----------------------------------------------------


async def _reply(send: Send, status: int, body: bytes, ctype: bytes) -> None:
    headers = [(b"content-type", ctype), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _elsewhere(scope: dict[str, Any], receive: Any, send: Send) -> None:
    if scope["type"] != "http":
        return
    path = scope["path"]
    if path in ("/", "/page"):
        page = b"<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head></html>"
        await _reply(send, 200, page, b"text/html")
    elif path == "/locked":
        await _reply(send, 401, b"<html><title>401</title></html>", b"text/html")
    elif path == "/empty":
        await _reply(send, 200, b"", b"text/plain")
    elif path == "/json":
        await _reply(send, 200, b'{"status": "ok"}', b"application/json")
    elif path == "/list":
        await _reply(send, 200, b"#EXTM3U\n#EXTINF:-1,A\nhttp://h/a.ts\n", b"text/plain")
    else:
        await _reply(send, 404, b"<html><title>404 Not Found</title></html>", b"text/html")


@pytest.fixture(scope="module")
def elsewhere(serve: Serve) -> Iterator[str]:
    with serve(_elsewhere) as base:
        yield base


@pytest.mark.parametrize(
    ("path", "seen"),
    [
        ("/page", "an HTML page titled 'Welcome to nginx!'"),
        ("/", "an HTML page titled 'Welcome to nginx!'"),
        ("/locked", r"a login wall \(HTTP 401\)"),
        ("/empty", "an empty body"),
        ("/json", "JSON that is neither Xtream nor Stalker"),
        ("/missing", r"an error page \(HTTP 404\)"),
    ],
)
def test_an_unrecognised_server_says_what_it_sent(elsewhere: str, path: str, seen: str) -> None:
    target = f"{elsewhere}{path}?username=agent&password=hunter2-secret"
    with pytest.raises(UnrecognizedSource, match=seen) as caught:
        detect_kind(target, _QUICK)
    message = str(caught.value)
    assert elsewhere in message
    assert "hunter2-secret" not in message and "agent" not in message


def test_a_playlist_at_an_anonymous_url_is_m3u(elsewhere: str) -> None:
    assert detect_kind(f"{elsewhere}/list", _QUICK) == "m3u"


# -- panels that break: the real cause, and retries as the readers retry ---------------------


class _BrokenPanel:
    """``player_api.php`` answers HTML with a 200 (a broken panel); the root is a 404 page.

    With ``flaky`` set, the first ``flaky`` answers of ``player_api.php`` are 503s and the
    next is a real login answer.
    """

    def __init__(self, flaky: int = 0) -> None:
        self.flaky = flaky
        self.calls = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Send) -> None:
        if scope["type"] != "http":
            return
        if scope["path"] == "/player_api.php":
            self.calls += 1
            if not self.flaky:
                await _reply(send, 200, b"<html>Database error</html>", b"text/html")
            elif self.calls <= self.flaky:
                await _reply(send, 503, b"busy", b"text/plain")
            else:
                body = b'{"user_info": {"auth": 1, "status": "Active"}, "server_info": {}}'
                await _reply(send, 200, body, b"application/json")
        else:
            await _reply(send, 404, b"<html><title>404</title></html>", b"text/html")


def test_detection_names_invalid_json_as_the_cause(serve: Serve) -> None:
    with serve(_BrokenPanel()) as base, pytest.raises(UnrecognizedSource) as caught:
        detect_kind(f"{base}/", _QUICK)
    message = str(caught.value)
    assert "player_api.php answered invalid JSON (text/html" in message
    assert "HTTP 404" in message


def test_detection_retries_a_flaky_panel(serve: Serve) -> None:
    panel = _BrokenPanel(flaky=2)
    with serve(panel) as base:
        assert detect_kind(f"{base}/", FetchOptions(timeout=5, retries=3, backoff=0.01)) == "xtream"
    assert panel.calls == 3


def test_detection_gives_up_on_a_panel_that_stays_down(serve: Serve) -> None:
    panel = _BrokenPanel(flaky=100)
    with serve(panel) as base, pytest.raises(UnrecognizedSource, match="HTTP 503"):
        detect_kind(f"{base}/", FetchOptions(timeout=5, retries=2, backoff=0.01))
    assert panel.calls == 3  # one try and two retries


def test_a_playlist_on_one_overlong_line_names_the_line_cap(tmp_path: Path) -> None:
    from castwatch.errors import ProtocolError
    from castwatch.sources.clients import m3u as m3u_client
    from castwatch.sources.m3u import M3USource

    path = tmp_path / "one-line.m3u"
    line = "#EXTM3U " + "".join(f"#EXTINF:-1,C{n} http://h/{n}.ts " for n in range(60_000))
    assert len(line) > m3u_client.MAX_LINE
    path.write_text(line)
    with pytest.raises(ProtocolError, match="line cap") as caught:
        M3USource().fetch(str(path), FetchOptions())
    assert "longer than the" in str(caught.value)
