"""identify and impact through the real CLI, against the bundled iptv-org registry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from castwatch.sim import SimServer
from tests.conftest import CliRunner


@pytest.fixture()
def registry(cli: CliRunner) -> None:
    assert cli("registry", "import-iptv-org", "--json").code == 0
    assert cli("registry", "import-holders", "--json").code == 0


def test_identify_names_keeps_order_and_says_unknown(
    cli: CliRunner, registry: None, tmp_path: Path
) -> None:
    names = tmp_path / "names.txt"
    names.write_text(
        "FR| CANAL+ SPORT FHD ᴿᴬᵂ\n"
        '{"name": "TF1 HD", "country": "FR", "group": "FR | GENERAL"}\n'
        "\n"
        "ZZ| QWERTY ZENITH 77 HD\n",
        encoding="utf-8",
    )
    result = cli("identify", "names", str(names), "--kind", "channel")
    assert result.code == 0, result.stderr
    records: list[Any] = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert [r["input"] for r in records] == [
        "FR| CANAL+ SPORT FHD ᴿᴬᵂ",
        '{"name": "TF1 HD", "country": "FR", "group": "FR | GENERAL"}',
        "ZZ| QWERTY ZENITH 77 HD",
    ]
    assert records[0]["channel_id"] == "CanalPlusSport.fr"
    assert records[1]["channel_id"] == "TF1.fr"
    assert records[2]["channel_id"] is None
    assert all(0.0 <= r["confidence"] <= 1.0 and isinstance(r["why"], dict) for r in records)


def test_identify_names_rejects_bad_json_lines(
    cli: CliRunner, registry: None, tmp_path: Path
) -> None:
    names = tmp_path / "names.txt"
    names.write_text('{"name": broken\n', encoding="utf-8")
    result = cli("identify", "names", str(names))
    assert result.code == 1 and "line 1: invalid JSON" in result.stderr


def test_identify_without_registry_says_what_to_do(cli: CliRunner, tmp_path: Path) -> None:
    names = tmp_path / "names.txt"
    names.write_text("TF1\n", encoding="utf-8")
    result = cli("identify", "names", str(names))
    assert result.code == 1 and "castwatch registry import-iptv-org" in result.stderr


def test_identify_service_then_impact(cli: CliRunner, registry: None) -> None:
    with SimServer(seed=1, live=300, films=20, series=2, episodes=4) as sim:
        assert cli("ingest", sim.urls["m3u_url"], "--name", "panel").code == 0
    identified = cli("identify", "panel", "--json")
    assert identified.code == 0, identified.stderr
    summary: Any = identified.json()
    assert summary["identified"]["live"] > 0 and summary["works_registry"] is False
    impact = cli("impact", "panel", "--json")
    data: Any = impact.json()
    assert data["holders"], "the simulated service carries brand channels"
    top = data["holders"][0]
    assert top["channels"] >= 1 and top["evidence"]
    assert all(e["target_kind"] == "channel" for e in top["evidence"])
    assert cli("impact", "panel").code == 0
