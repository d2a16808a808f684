"""``castwatch demo`` end to end on a small simulated service: every stage, in one run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pypdfium2

from castwatch.accounts import actions
from castwatch.config import Settings
from castwatch.storage.db import Store
from tests.conftest import CliRunner


def test_demo_runs_every_stage_and_writes_a_dossier(cli: CliRunner) -> None:
    result = cli(
        "demo", "--live", "300", "--films", "300", "--series", "10", "--episodes", "60",
        "--verify", "2", "--json",
    )  # fmt: skip
    assert result.code == 0, result.stderr
    demo: Any = result.json()
    assert [step["protocol"] for step in demo["inventory"]] == ["xtream", "m3u", "stalker"]
    assert demo["impact"], "no rights holder ranked"

    verification = demo["verification"]
    assert verification["checked"] == 2
    # Each probe is a transformed restream of the channel its name claims: both confirmed.
    assert verification["confirmed"] == 2
    assert all(r["evidence"]["sha256"] for r in verification["results"])

    case = demo["case"]
    assert case["evidence_verified"] is True
    assert case["evidence_filed"] >= 2
    assert any(isinstance(n, int) and n > 0 for n in case["notices"].values())
    document = pypdfium2.PdfDocument(Path(case["dossier"]).read_bytes())
    try:
        page = document[0].render(scale=1).to_pil().convert("L")
    finally:
        document.close()
    pixels = page.tobytes()
    dark = sum(1 for value in pixels if value < 200) / len(pixels)
    assert 0.01 < dark < 0.9  # a page with text on it, not blank and not solid

    attribution = demo["attribution"]
    assert attribution["operators"], "no multi-brand operator found"
    assert attribution["decoys_merged"] == 0

    # The demo's data belongs to organisation "demo", whose one-time login it printed.
    login = demo["login"]
    assert login["organisation"] == "demo" and login["url"] == "http://127.0.0.1:8000/"
    with Store.open(Settings.resolve()) as store:
        principal = actions.authenticate_token(store, login["token"])
        assert actions.log_in(store, login["email"], login["password"]).email == login["email"]
        owned = actions.owned_keys(store, principal, "service")
        assert owned == {step["service"] for step in demo["inventory"]}
        assert set(actions.case_access(store, principal)) == {case["case"]}
