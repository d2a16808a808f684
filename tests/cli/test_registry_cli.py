"""``castwatch registry``: imports, update from a real local server, status and errors."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from castwatch.identify.registries.iptv_org import TABLES
from tests.conftest import CliRunner
from tests.identify.registries.test_iptv_org import serve_directory, write_tables


def _json(result: Any) -> dict[str, Any]:
    assert result.code == 0, result.stderr
    document = result.json()
    assert isinstance(document, dict)
    return document


def test_import_iptv_org_then_status(cli: CliRunner, tmp_path: Path) -> None:
    directory = write_tables(tmp_path / "iptv-org")
    imported = _json(cli("registry", "import-iptv-org", str(directory), "--json"))
    assert imported["counts"]["channels"] == 3
    assert imported["counts"]["feeds"] == 3
    assert imported["warnings"] == []
    status = _json(cli("registry", "status", "--json"))
    assert (status["channels"], status["feeds"], status["blocked"]) == (3, 3, 1)
    assert status["imports"]["iptv-org"]["source"] == str(directory.resolve())
    assert status["imports"]["holders"] is None
    shown = cli("registry", "status")
    assert shown.code == 0
    assert "3 channels" in shown.stdout and "never" in shown.stdout


def test_update_downloads_into_the_cache_and_imports(cli: CliRunner, tmp_path: Path) -> None:
    served = write_tables(tmp_path / "served")
    with serve_directory(served) as base_url:
        imported = _json(cli("registry", "update", "--url", base_url, "--json"))
    assert imported["source"] == base_url
    assert imported["counts"]["channels"] == 3
    cache = Path(os.environ["CASTWATCH_HOME"]) / "cache" / "iptv-org"
    assert sorted(path.name for path in cache.iterdir()) == sorted(TABLES)


def test_update_from_a_bad_url_fails_in_one_line(cli: CliRunner, tmp_path: Path) -> None:
    with serve_directory(tmp_path) as base_url:
        result = cli("registry", "update", "--url", base_url)
    assert result.code == 1
    assert result.stderr.startswith("error:") and "404" in result.stderr
    assert _json(cli("registry", "status", "--json"))["channels"] == 0


def test_import_holders_checks_claims_against_the_registry(cli: CliRunner, tmp_path: Path) -> None:
    alone = _json(cli("registry", "import-holders", "--json"))
    assert alone["counts"]["holders"] >= 30
    assert alone["warnings"] == ["no channel registry yet: claims not checked"]
    assert all(row["channels"] is None for row in alone["holders"])
    cli("registry", "import-iptv-org", str(write_tables(tmp_path / "iptv-org")), "--json")
    holders = tmp_path / "holders.yaml"
    holders.write_text(
        "holders:\n"
        "  - name: Groupe CANAL+\n    memberships: [ACE]\n    owners: [Vivendi]\n"
        "    channels: [Missing.fr]\n"
        "  - name: beIN\n    networks: [beIN]\n",
        encoding="utf-8",
    )
    checked = _json(cli("registry", "import-holders", str(holders), "--json"))
    assert {row["name"]: row["channels"] for row in checked["holders"]} == {
        "Groupe CANAL+": 1,
        "beIN": 1,
    }
    assert checked["warnings"] == ["Groupe CANAL+: channel 'Missing.fr' matches no channel"]
    shown = cli("registry", "import-holders", str(holders))
    assert shown.code == 0 and "Missing.fr" in shown.stdout
    status = _json(cli("registry", "status", "--json"))
    assert (status["holders"], status["claims"]) == (2, 3)


def test_a_bad_holders_file_fails_in_one_line(cli: CliRunner, tmp_path: Path) -> None:
    holders = tmp_path / "holders.yaml"
    holders.write_text("holders:\n  - name: A\n    territories: [France]\n", encoding="utf-8")
    result = cli("registry", "import-holders", str(holders))
    assert result.code == 1
    assert result.stderr.startswith(f"error: {holders}: holder 'A': field 'territories'")
    assert len(result.stderr.splitlines()) == 1


def test_import_works_reports_new_updated_and_skipped(cli: CliRunner, tmp_path: Path) -> None:
    works = tmp_path / "works.csv"
    works.write_text(
        "id,title,year,kind,holder\nw1,One,2001,film,Netflix\nw2,Two,20x2,film,\n"
        "w3,Three,2003,series,\n",
        encoding="utf-8",
    )
    first = _json(cli("registry", "import-works", str(works), "--json"))
    assert first["counts"] == {"read": 2, "new": 2, "updated": 0, "total": 2}
    assert first["layout"] == "castwatch"
    assert first["skipped"] == 1
    assert first["problems"] == [{"line": 3, "reason": "year '20x2' is not a four-digit year"}]
    second = cli("registry", "import-works", str(works))
    assert second.code == 0
    assert "0 new, 2 updated" in second.stdout and "line 3" in second.stdout
    assert _json(cli("registry", "status", "--json"))["works"] == 2


def test_import_works_refuses_an_unknown_layout(cli: CliRunner, tmp_path: Path) -> None:
    works = tmp_path / "works.csv"
    works.write_text("name,year\nA,1999\n", encoding="utf-8")
    result = cli("registry", "import-works", str(works))
    assert result.code == 1
    # One line whatever the temporary path's length (tests/cli/test_messages.py tries 150+).
    assert result.stderr.startswith(f"error: {works}: no recognisable header")
    missing = cli("registry", "import-iptv-org", str(tmp_path / "nowhere"))
    assert missing.code == 1 and "not a directory" in missing.stderr
