"""Running the simulator: loopback only, clean start and stop, the CLI's JSON line, a child."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import httpx
import pytest

from castwatch.sim import SimConfig, SimProcess, SimServer, loopback_host
from castwatch.sim.process import command_line

from .conftest import SMALL

SMALL_ARGS = ["--live", "50", "--films", "200", "--series", "20", "--episodes", "150"]
URL_KEYS = {"m3u_url", "xtream_url", "stalker_url", "username", "password", "mac", "references_url"}


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "example.org", ""])
def test_only_loopback_is_served(host: str) -> None:
    with pytest.raises(ValueError, match=r"127\.0\.0\.1 only"):
        SimServer(host=host)
    with pytest.raises(ValueError, match=r"127\.0\.0\.1 only"):
        SimProcess(host=host)


def test_localhost_means_127_0_0_1() -> None:
    assert loopback_host("localhost") == "127.0.0.1"
    with SimServer(host="localhost", **SMALL) as sim:
        assert sim.urls["xtream_url"] == f"http://127.0.0.1:{sim.port}/"


def test_urls_and_a_clean_stop() -> None:
    server = SimServer(SimConfig(seed=3), **SMALL)
    with server as sim:
        assert set(sim.urls) == URL_KEYS
        assert sim.urls["stalker_url"] == f"http://127.0.0.1:{sim.port}/stalker_portal/c/"
        assert sim.urls["m3u_url"].startswith(f"http://127.0.0.1:{sim.port}/get.php?username=")
        assert sim.config.seed == 3 and sim.config.live == 50
        assert httpx.get(sim.urls["m3u_url"]).status_code == 200
        with pytest.raises(RuntimeError, match="already been started"):
            sim.start()
    assert not server.running
    with pytest.raises(httpx.ConnectError):
        httpx.get(server.urls["xtream_url"])
    server.stop()  # a second stop is harmless


def test_the_account_can_be_chosen() -> None:
    options = {"username": "alice", "password": "s3cret", "mac": "00:1A:79:00:00:02"}
    with SimServer(**SMALL, **options) as sim:
        assert {key: sim.urls[key] for key in options} == options
        login = httpx.get(
            f"{sim.urls['xtream_url']}player_api.php",
            params={"username": "alice", "password": "s3cret"},
        )
        assert login.json()["user_info"]["auth"] == 1


def test_cli_prints_one_json_line_then_serves_until_interrupted() -> None:
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        child = subprocess.Popen(
            [sys.executable, "-m", "castwatch.sim", "--json", *SMALL_ARGS],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert child.stdout is not None
            urls = json.loads(child.stdout.readline())
            assert set(urls) == URL_KEYS
            login = httpx.get(
                f"{urls['xtream_url']}player_api.php",
                params={"username": urls["username"], "password": urls["password"]},
            )
            assert login.json()["user_info"]["auth"] == 1
            child.send_signal(stop_signal)
            out, err = child.communicate(timeout=15)
        finally:
            if child.poll() is None:
                child.kill()
                child.communicate()
        assert child.returncode == 0, err
        assert out == ""


def test_cli_refuses_other_hosts() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "castwatch.sim", "--json", "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert "127.0.0.1 only" in result.stderr


def test_the_sim_command_is_registered_on_the_castwatch_app() -> None:
    from castwatch.cli import sim as _sim  # noqa: F401  (importing registers the command)
    from castwatch.cli.app import app

    assert "sim" in {command.name for command in app.registered_commands}


def test_a_child_process_serves_the_same_panel() -> None:
    config = SimConfig(seed=4, **SMALL)
    assert "--seed" in command_line(config)
    child = SimProcess(config).start()
    try:
        assert set(child.urls) == URL_KEYS
        streams = httpx.get(
            f"{child.urls['xtream_url']}player_api.php",
            params={"username": "demo", "password": "demo-pass-1234", "action": "get_vod_streams"},
        )
        assert len(streams.json()) == 200
    finally:
        assert child.stop() == 0
    assert child.stop() is None  # stopping twice is harmless
