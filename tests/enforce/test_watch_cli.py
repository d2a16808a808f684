"""The watch, seize and dossier commands through the real entry point, and `watch serve` as a
real process stopped with SIGTERM."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from castwatch.config import Settings
from castwatch.storage.db import Store
from tests.conftest import Result
from tests.enforce.tracking_fixtures import Site, noticed_case
from tests.enforce.tracking_fixtures import site as site


def _legal(site: Site) -> str:
    return f'\n[watch]\nlegal_offer_url = "{site.base}/legal-offer/"\ntimeout = 3\n'


def test_watch_seize_history_takedown_and_dossier_commands(
    cli: Callable[..., Result], site: Site, tmp_path: Path
) -> None:
    home = Path(os.environ["CASTWATCH_HOME"])
    with Store.open(Settings.resolve()) as store:
        noticed_case(store, home, site, _legal(site))

    seized = cli("case", "seize", "op-falcon", f"127.0.0.1:{site.port}", "--json")
    assert seized.code == 0, seized.stderr
    assert seized.json()["created"] is True  # type: ignore[index]
    bad = cli("case", "seize", "op-falcon", "not a domain")
    assert bad.code == 1 and "cannot watch" in bad.stderr

    site.mode = "redirect-legal"
    first = cli("watch", "run", "--case", "op-falcon", "--json")
    assert first.code == 0, first.stderr
    report = first.json()
    assert report["checked"] == 8 and len(report["changes"]) == 8  # type: ignore[index]
    again = cli("watch", "run")
    assert again.code == 0 and "0 changed" in again.stdout

    listed = cli("watch", "list", "op-falcon", "--json").json()
    states = {t["kind"]: t["state"] for t in listed}  # type: ignore[union-attr]
    assert states == {"url": "seized", "host": "seized", "seized": "seized"}
    by_url = cli("watch", "history", f"{site.base}/", "--json").json()
    assert sorted(t["kind"] for t in by_url) == ["host", "seized"]  # type: ignore[union-attr]
    history = cli("watch", "history", str(seized.json()["id"]), "--json")  # type: ignore[index]
    assert history.code == 0, history.stderr
    (watched,) = history.json()  # type: ignore[misc]
    assert watched["kind"] == "seized" and len(watched["checks"]) == 2
    assert watched["checks"][0]["redirects"][0]["status"] == 302
    assert cli("watch", "history", "nowhere.example").code == 1

    takedown = cli("watch", "takedown", "op-falcon", "--json").json()
    assert takedown["targets"] == 7 and takedown["down"] == 7  # type: ignore[index]
    shown = cli("watch", "takedown")
    assert shown.code == 0 and "per intermediary type" in shown.stdout and "abuse@" in shown.stdout

    out = tmp_path / "dossier.html"
    written = cli("dossier", "op-falcon", "--format", "html", "--output", str(out), "--json")
    assert written.code == 0, written.stderr
    assert written.json()["path"] == str(out.resolve()) and out.stat().st_size > 0  # type: ignore[index]
    printed = cli("dossier", "op-falcon", "--format", "pdf", "--output", str(tmp_path / "d.pdf"))
    assert printed.code == 0 and printed.stdout.strip() == str((tmp_path / "d.pdf").resolve())
    assert cli("dossier", "op-falcon", "--format", "docx").code == 2
    assert cli("dossier", "no-such-case", "--format", "html").code == 1


def test_watch_serve_runs_passes_until_terminated(site: Site, tmp_path: Path) -> None:
    home = Path(os.environ["CASTWATCH_HOME"])
    with Store.open(Settings.resolve()) as store:
        noticed_case(store, home, site, _legal(site))
    command = [sys.executable, "-m", "castwatch", "watch", "serve", "--interval", "0.002",
               "--json"]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines: list[dict[str, object]] = []
        assert process.stdout is not None
        deadline = time.monotonic() + 30
        while len(lines) < 3 and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(orjson.loads(line))
        assert len(lines) >= 3, process.stderr.read() if process.stderr else ""
        process.terminate()
        _, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert lines[0]["added"] == 7 and len(lines[0]["changes"]) == 7  # type: ignore[arg-type]
    assert all(line["changes"] == [] for line in lines[1:])  # nothing changed since


@pytest.mark.parametrize("interval", ["0", "-1"])
def test_watch_serve_refuses_a_useless_interval(cli: Callable[..., Result], interval: str) -> None:
    refused = cli("watch", "serve", "--interval", interval)
    assert refused.code == 1 and "positive number of minutes" in refused.stderr
