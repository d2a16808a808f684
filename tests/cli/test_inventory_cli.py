"""The inventory commands end to end: real simulated service, real database, real CLI."""

from __future__ import annotations

import csv
import io
from typing import Any

import orjson
import pytest

from castwatch.sim import SimServer
from tests.conftest import CliRunner


def _xtream_args(sim: SimServer) -> list[str]:
    urls = sim.urls
    return [urls["xtream_url"], "--username", urls["username"], "--password", urls["password"]]


def test_ingest_then_reingest_over_xtream(cli: CliRunner, small_sim: SimServer) -> None:
    first = cli("ingest", *_xtream_args(small_sim), "--name", "panel", "--json")
    assert first.code == 0, first.stderr
    data: Any = first.json()
    assert data["counts"] == {"live": 40, "film": 120, "series": 10, "episode": 60}
    assert data["added"] == 230 and data["service"] == "panel"
    again: Any = cli("ingest", *_xtream_args(small_sim), "--name", "panel", "--json").json()
    assert (again["added"], again["removed"], again["changed"]) == (0, 0, 0)
    assert again["snapshot"] > data["snapshot"]


def test_no_episodes_skips_episode_lists(cli: CliRunner, small_sim: SimServer) -> None:
    result = cli("ingest", *_xtream_args(small_sim), "--no-episodes", "--json")
    assert result.code == 0, result.stderr
    data: Any = result.json()
    assert data["counts"]["episode"] == 0 and data["counts"]["series"] == 10
    assert data["service"] == f"127.0.0.1:{small_sim.port}-xtream"


def test_inspect_stores_nothing(cli: CliRunner, small_sim: SimServer) -> None:
    result = cli("inspect", small_sim.urls["m3u_url"], "--json")
    assert result.code == 0, result.stderr
    data: Any = result.json()
    assert data["entries"] == 40 + 120 + 60
    assert data["counts"] == {"live": 40, "film": 120, "series": 0, "episode": 60}
    assert data["groups"] and data["hosts"][0]["host"] == "127.0.0.1"
    assert small_sim.urls["password"] not in result.stdout
    listed: Any = cli("services", "--json").json()
    assert listed == []


def test_show_and_export_redact_unless_asked(cli: CliRunner, small_sim: SimServer) -> None:
    password = small_sim.urls["password"]
    assert cli("ingest", small_sim.urls["m3u_url"], "--name", "pl").code == 0
    shown = cli("show", "pl", "--json")
    data: Any = shown.json()
    assert data["counts"] == {"live": 40, "film": 120, "episode": 60}
    assert password not in shown.stdout
    assert any(
        e["path_pattern"] == "/live/{username}/{password}/{id}.ts" for e in data["endpoints"]
    )
    revealed: Any = cli("show", "pl", "--json", "--show-credentials").json()
    assert revealed["accounts"][0]["password"] == password

    jsonl = cli("export", "pl", "--format", "jsonl")
    records = [orjson.loads(line) for line in jsonl.stdout.splitlines()]
    assert len(records) == 220 and password not in jsonl.stdout
    for field in ("kind", "name", "group", "url", "tvg_id", "tvg_name", "tvg_logo", "stream_id"):
        assert field in records[0]
    films = [r for r in records if r["kind"] == "film"]
    assert films[0]["url"].startswith(f"http://127.0.0.1:{small_sim.port}/movie/{{username}}/")

    table = cli("export", "pl", "--format", "csv", "--show-credentials")
    rows = list(csv.DictReader(io.StringIO(table.stdout)))
    assert len(rows) == 220 and all(password in row["url"] for row in rows)


def test_diff_between_two_catalog_sizes(cli: CliRunner) -> None:
    with SimServer(seed=3, live=20, films=30, series=2, episodes=4) as sim:
        assert cli("ingest", sim.urls["m3u_url"], "--name", "grow").code == 0
    with SimServer(seed=3, live=25, films=30, series=2, episodes=4) as sim:
        assert cli("ingest", sim.urls["m3u_url"], "--name", "grow").code == 0
    result = cli("diff", "grow", "--json")
    assert result.code == 0, result.stderr
    data: Any = result.json()
    assert data["counts"]["added"] >= 5
    assert all(item["key"].startswith(("live:", "film:", "episode:")) for item in data["added"])
    text = cli("diff", "grow")
    assert "added" in text.stdout


def test_errors_are_one_clear_line_without_secrets(cli: CliRunner) -> None:
    with SimServer(live=5, films=5, series=1, episodes=1, fault="wrong-credentials") as sim:
        result = cli("ingest", *_xtream_args(sim), "--kind", "xtream")
    assert result.code == 1
    assert result.stderr.startswith("error:")
    assert sim.urls["password"] not in result.stderr
    missing = cli("show", "nothing-here")
    assert missing.code == 1 and "no service 'nothing-here'" in missing.stderr


def test_usage_errors_exit_2(cli: CliRunner) -> None:
    result = cli("ingest", "http://127.0.0.1:9/", "--username", "only-user")
    assert result.code == 2
    assert "--password" in result.stderr


@pytest.mark.parametrize("fmt", ["xml"])
def test_export_rejects_unknown_format(cli: CliRunner, fmt: str) -> None:
    assert cli("export", "x", "--format", fmt).code == 2
