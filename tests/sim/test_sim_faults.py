"""Each fault mode misbehaves as documented, on every protocol, and stops when it should."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from castwatch.sim import Fault, SimServer
from castwatch.sim.faults import ENORMOUS_LENGTH

from .conftest import SMALL, Stalker


def endpoints(sim: SimServer) -> dict[str, str]:
    """One URL per kind of answer: Xtream JSON, playlist, Stalker JSON."""
    account = f"username={sim.urls['username']}&password={sim.urls['password']}"
    return {
        "xtream": f"{sim.base_url}/player_api.php?{account}&action=get_live_streams",
        "m3u": sim.urls["m3u_url"],
        "stalker": f"{sim.base_url}/stalker_portal/server/load.php?type=stb&action=handshake",
    }


@pytest.fixture
def faulty(request: pytest.FixtureRequest) -> Iterator[SimServer]:
    """A small panel in the fault mode given by ``@pytest.mark.parametrize(..., indirect)``."""
    with SimServer(fault=request.param, slow_delay=1.0, **SMALL) as server:
        yield server


def wait_until(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


@pytest.mark.parametrize("faulty", [Fault.SLOW], indirect=True)
def test_slow_answers_after_the_delay(faulty: SimServer) -> None:
    with httpx.Client(timeout=0.2) as impatient:
        for url in endpoints(faulty).values():
            with pytest.raises(httpx.ReadTimeout):
                impatient.get(url)
    with httpx.Client(timeout=10) as patient:
        assert patient.get(endpoints(faulty)["xtream"]).status_code == 200


@pytest.mark.parametrize("faulty", [Fault.TRUNCATED], indirect=True)
def test_truncated_bodies_end_at_half(faulty: SimServer, client: httpx.Client) -> None:
    for url in endpoints(faulty).values():
        received = 0
        with client.stream("GET", url) as response:
            announced = int(response.headers["content-length"])
            with pytest.raises(httpx.RemoteProtocolError):
                for chunk in response.iter_raw():
                    received += len(chunk)
        assert received == announced // 2


@pytest.mark.parametrize("faulty", [Fault.ERROR500], indirect=True)
def test_error500_everywhere(faulty: SimServer, client: httpx.Client) -> None:
    for url in [*endpoints(faulty).values(), faulty.urls["stalker_url"]]:
        assert client.get(url).status_code == 500


@pytest.mark.parametrize("faulty", [Fault.FLAKY], indirect=True)
def test_flaky_fails_each_url_once(faulty: SimServer, client: httpx.Client) -> None:
    for url in endpoints(faulty).values():
        assert client.get(url).status_code == 503
        assert client.get(url).status_code == 200
        assert client.get(url + "&again=1").status_code == 503


@pytest.mark.parametrize("faulty", [Fault.WRONG_CONTENT_TYPE], indirect=True)
def test_wrong_content_type_answers_html(faulty: SimServer, client: httpx.Client) -> None:
    for url in endpoints(faulty).values():
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert response.text.lstrip().startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("faulty", [Fault.INVALID_JSON], indirect=True)
def test_invalid_json_and_garbage_playlists(faulty: SimServer, client: httpx.Client) -> None:
    urls = endpoints(faulty)
    for name in ("xtream", "stalker"):
        response = client.get(urls[name])
        assert response.headers["content-type"] == "application/json"
        with pytest.raises(json.JSONDecodeError):
            json.loads(response.content)
    playlist = client.get(urls["m3u"]).content
    assert not playlist.startswith(b"#EXTM3U")
    with pytest.raises(UnicodeDecodeError):
        playlist.decode()


@pytest.mark.parametrize("faulty", [Fault.REDIRECT_LOOP], indirect=True)
def test_redirects_go_round_in_a_loop(faulty: SimServer) -> None:
    url = endpoints(faulty)["xtream"]
    with httpx.Client(timeout=10) as plain:
        first = plain.get(url)
        assert first.status_code == 302
        second = plain.get(first.url.join(first.headers["location"]))
        assert second.status_code == 302
        assert str(second.url.join(second.headers["location"])) == url
    with (
        httpx.Client(timeout=10, follow_redirects=True, max_redirects=6) as following,
        pytest.raises(httpx.TooManyRedirects),
    ):
        following.get(url)


@pytest.mark.parametrize("faulty", [Fault.ENORMOUS, Fault.ENDLESS], indirect=True)
def test_streams_stop_when_the_reader_leaves(faulty: SimServer, client: httpx.Client) -> None:
    assert faulty.app is not None
    for name, url in endpoints(faulty).items():
        with client.stream("GET", url) as response:
            if faulty.config.fault is Fault.ENORMOUS:
                assert int(response.headers["content-length"]) == ENORMOUS_LENGTH
            else:
                assert "content-length" not in response.headers
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > 3_000_000:
                    assert faulty.app.streams.active == 1
                    break  # this closes the connection at once (the generator is dropped)
            # Plausible junk of the expected kind, so that only the size gives it away.
            assert body.startswith(b"#EXTM3U\n" if name == "m3u" else b'[{"num":1,')
        # Leaving the block closed the connection: the stream must notice and end.
        assert wait_until(lambda: faulty.app is not None and faulty.app.streams.active == 0)


@pytest.mark.parametrize("faulty", [Fault.ENDLESS], indirect=True)
def test_shutdown_ends_a_stream_still_being_read(faulty: SimServer, client: httpx.Client) -> None:
    with client.stream("GET", endpoints(faulty)["m3u"]) as response:
        next(response.iter_bytes())
        started = time.monotonic()
        faulty.stop()
        assert not faulty.running
        assert time.monotonic() - started < 5


@pytest.mark.parametrize("faulty", [Fault.WRONG_CREDENTIALS], indirect=True)
def test_wrong_credentials_refuse_the_advertised_account(
    faulty: SimServer, client: httpx.Client
) -> None:
    urls = endpoints(faulty)
    assert client.get(urls["xtream"]).json() == {"user_info": {"auth": 0}}
    assert client.get(urls["m3u"]).status_code == 401
    box = Stalker(client, faulty)
    box.handshake()
    assert box.js(type="stb", action="get_profile")["status"] == 1


@pytest.mark.parametrize("faulty", [Fault.BANNED], indirect=True)
def test_banned_accounts_say_so(faulty: SimServer, client: httpx.Client) -> None:
    base = endpoints(faulty)["xtream"].split("&action=")[0]
    user = client.get(base).json()["user_info"]
    assert (user["auth"], user["status"]) == (1, "Banned")
    assert client.get(faulty.urls["m3u_url"]).status_code == 403
    box = Stalker(client, faulty)
    box.handshake()
    profile = box.js(type="stb", action="get_profile")
    assert profile["blocked"] == "1"


def test_fault_names_are_the_documented_ones() -> None:
    assert [fault.value for fault in Fault] == [
        "slow",
        "truncated",
        "error500",
        "flaky",
        "wrong-content-type",
        "enormous",
        "endless",
        "redirect-loop",
        "invalid-json",
        "wrong-credentials",
        "banned",
    ]
