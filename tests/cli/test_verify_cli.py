"""``castwatch ref``, ``verify`` and ``fp compare`` end to end: real video, real servers."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import orjson
import pytest

from castwatch.config import Settings
from castwatch.fingerprint.store import load_verifications
from castwatch.sim import SimServer
from castwatch.sim.programme import programme_for
from castwatch.sim.restream import CLEAN, Restream, encode_clip
from castwatch.storage.db import Store
from tests.conftest import CliRunner

RESTREAM = Restream(letterbox=0.2, logo=0.1, crop=0.05, colour=0.3)


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("clips")
    made = {
        "ref_a": (programme_for("a"), CLEAN, 0.0, 20.0, "mpegts"),
        "ref_b": (programme_for("b"), CLEAN, 0.0, 20.0, "mpegts"),
        "probe_a": (programme_for("a"), RESTREAM, 6.0, 8.0, "mpegts"),
        "probe_c": (programme_for("c"), CLEAN, 0.0, 8.0, "mp4"),
    }
    paths = {}
    for name, (programme, restream, start, seconds, container) in made.items():
        path = folder / f"{name}.{'mp4' if container == 'mp4' else 'ts'}"
        encode_clip(
            programme, restream, start_s=start, seconds=seconds, output=path, container=container
        )
        paths[name] = path
    return paths


def _lines(stdout: str) -> list[Any]:
    return [orjson.loads(line) for line in stdout.splitlines() if line.strip()]


def test_reference_then_verify_files(cli: CliRunner, clips: dict[str, Path]) -> None:
    assert cli("verify", str(clips["probe_a"])).code == 2  # no references yet
    added: Any = cli("ref", "add", str(clips["ref_a"]), "--channel", "A.fr", "--json").json()
    assert added["reference"] == "channel:A.fr"
    assert set(added["fingerprints"]) == {"video", "audio"}
    assert cli("ref", "add", str(clips["ref_b"]), "--work", "f-b-2020").code == 0
    listed: Any = cli("ref", "list", "--json").json()
    assert [item["reference"] for item in listed] == ["channel:A.fr", "work:f-b-2020"]

    found: Any = cli("verify", str(clips["probe_a"]), "--claim", "channel:A.fr", "--json").json()
    assert found["match"] == "channel:A.fr"
    assert found["confirmed"] is True
    # The probe starts 6 s into the programme, and its timestamps say so: offset ~0.
    assert abs(found["offset_s"]) < 0.5
    assert len(found["evidence"]["sha256"]) == 64
    assert Path(found["evidence"]["capture"]).is_file()
    assert all(Path(p).is_file() for p in found["evidence"]["thumbnails"])

    wrong: Any = cli("verify", str(clips["probe_a"]), "--claim", "work:f-b-2020", "--json")
    assert wrong.json()["match"] == "channel:A.fr"
    assert wrong.json()["confirmed"] is False

    unrelated: Any = cli("verify", str(clips["probe_c"]), "--json").json()
    assert unrelated["match"] is None
    assert unrelated["confirmed"] is False


def test_verify_reports_corrupt_media_and_stores_the_failure(
    cli: CliRunner, clips: dict[str, Path], tmp_path: Path
) -> None:
    cli("ref", "add", str(clips["ref_a"]), "--channel", "A.fr")
    garbage = tmp_path / "garbage.ts"
    garbage.write_bytes(bytes(range(256)) * 400)
    result = cli("verify", str(garbage), "--json")
    assert result.code == 1
    assert "not a readable" in result.json()["error"]  # type: ignore[index]
    with Store.open(Settings.resolve()) as store:
        [stored] = load_verifications(store)
    assert stored.error is not None
    assert stored.confirmed is False


def test_subject_options_are_checked(cli: CliRunner, clips: dict[str, Path]) -> None:
    assert cli("ref", "add", str(clips["ref_a"])).code == 2
    assert cli("ref", "add", str(clips["ref_a"]), "--channel", "A", "--work", "B").code == 2
    assert cli("ref", "add", "/nowhere/at-all.ts", "--channel", "A").code == 1
    assert cli("verify", str(clips["probe_a"]), "--claim", "song:1").code == 2


def test_fp_compare_prints_every_pair(cli: CliRunner, clips: dict[str, Path]) -> None:
    result = cli(
        "fp", "compare", str(clips["probe_a"]), str(clips["ref_a"]), str(clips["ref_b"]), "--json"
    )
    assert result.code == 0
    pairs = _lines(result.stdout)
    assert len(pairs) == 3
    by_pair = {(Path(p["a"]).stem, Path(p["b"]).stem): p for p in pairs}
    assert set(pairs[0]) == {"a", "b", "match", "score", "offset_s", "matched_fraction"}
    assert by_pair["probe_a", "ref_a"]["match"] is True
    assert by_pair["probe_a", "ref_b"]["match"] is False
    assert by_pair["ref_a", "ref_b"]["match"] is False
    assert cli("fp", "compare", str(clips["ref_a"])).code == 2


def test_verify_a_sample_of_a_simulated_service(cli: CliRunner) -> None:
    # Live time stands still: the reference and every probe cover the same minutes however
    # slowly this machine encodes (the real clock is exercised by the demo test).
    with SimServer(seed=3, live=4, films=2, series=1, episodes=2, frozen_clock=time.time()) as sim:
        urls = sim.urls
        ingest = cli(
            "ingest", urls["xtream_url"], "-u", urls["username"], "-p", urls["password"],
            "--name", "svc", "--json",
        )  # fmt: skip
        assert ingest.code == 0
        feed = sim.live_feed(1)
        captured: Any = cli(
            "ref", "capture", feed.channel_key, feed.reference_url, "--minutes", "0.2", "--json"
        ).json()
        assert captured["live"] is True
        carrying = {n for n in range(1, 5) if sim.live_feed(n).channel_key == feed.channel_key}
        result = cli("verify", "svc", "--sample", "4", "--seconds", "6", "--kind", "live", "--json")
    assert result.code == 0, result.stderr
    outcome: Any = result.json()
    assert outcome["checked"] == 4
    matched = {
        int(r["source"].rsplit("/", 1)[1].split(".")[0])
        for r in outcome["results"]
        if r["match"] == f"channel:{feed.channel_key}"
    }
    assert matched == carrying
    assert all(r["error"] is None for r in outcome["results"])
    with Store.open(Settings.resolve()) as store:
        assert len(load_verifications(store)) == 4
