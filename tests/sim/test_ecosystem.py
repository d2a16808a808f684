"""The simulated ecosystem: a seeded world with a recoverable truth, served for real."""

from __future__ import annotations

import json
import signal
import ssl
import subprocess
import sys
from pathlib import Path

import dns.message
import dns.query
import dns.rcode
import httpx
import pytest

from castwatch.sim.ecosystem import Ecosystem, generate_world
from castwatch.sim.ecosystem.world import SHARED, Signals
from castwatch.sim.process import _read_line


def _shared(brand: Signals, pool: Signals) -> set[str]:
    """Signals ``brand`` shows of its operator's (an Analytics *account* counts as shared)."""

    def key(signals: Signals, name: str) -> object:
        value = getattr(signals, name)
        return value.rsplit("-", 1)[0] if name == "ga" and value else value

    return {name for name in SHARED if key(brand, name) and key(brand, name) == key(pool, name)}


@pytest.mark.parametrize("seed", [0, 1, 2, 7])
def test_world_shape_and_truth(seed: int) -> None:
    world = generate_world(seed)
    truth = world.truth()
    operators = [op for op in world.operators.values() if not op.decoy]
    assert 3 <= len(operators) <= 5
    pirate = [b for b in world.brands.values() if b.kind != "decoy"]
    assert 13 <= len(pirate) <= 20
    assert 3 <= len(truth["decoys"]) <= 5
    assert 1 <= len(truth["relaunches"]) <= 2
    for decoy in truth["decoys"]:
        owner = world.brands[decoy].operator
        assert truth["operators"][owner]["brands"] == [decoy]  # a decoy stands alone
    for brand in world.brands.values():
        assert truth["brands"][brand.slug]["operator"] == brand.operator
        assert brand.slug in world.operators[brand.operator].brands


def test_relaunch_keeps_tags_payments_and_panel() -> None:
    world = generate_world(1)
    for relaunch in world.truth()["relaunches"]:
        new, old = world.brands[relaunch["brand"]], world.brands[relaunch["relaunch_of"]]
        assert new.operator == old.operator and old.moved_to == new.slug
        assert (new.signals.ga, new.signals.paypal, new.signals.btc) == (
            old.signals.ga,
            old.signals.paypal,
            old.signals.btc,
        )
        assert new.domain != old.domain


def test_brands_show_enough_of_their_operator() -> None:
    world = generate_world(4)
    for brand in world.brands.values():
        if brand.kind == "brand" and not brand.relaunch_of:
            assert len(_shared(brand.signals, world.operator_of(brand).pool)) >= 2


def test_seed_changes_the_world_and_repeats_it() -> None:
    assert generate_world(5).truth() == generate_world(5).truth()
    assert generate_world(5).truth()["brands"] != generate_world(6).truth()["brands"]


def test_servers_answer(tmp_path: Path) -> None:
    with Ecosystem(2, workdir=tmp_path) as eco:
        info = eco.info
        host, port = info.dns.split(":")
        brand = next(iter(eco.world.brands.values()))
        query = dns.message.make_query(brand.domain, "A")
        udp = dns.query.udp(query, host, port=int(port), timeout=2)
        tcp = dns.query.tcp(query, host, port=int(port), timeout=2)
        for reply in (udp, tcp):
            assert reply.rcode() == dns.rcode.NOERROR
            assert [r.to_text() for r in reply.answer[0]] == [brand.address]
        outside = dns.query.udp(dns.message.make_query("example.com", "A"), host, port=int(port))
        assert outside.rcode() == dns.rcode.REFUSED
        # HTTPS verified against the ecosystem's CA bundle, pinned to the brand's address.
        trusted = ssl.create_default_context(cafile=str(tmp_path / "ca.pem"))
        with httpx.Client(verify=trusted, timeout=5) as client:
            response = client.get(
                f"https://{brand.address}:{info.https_port}/",
                headers={"Host": brand.domain},
                extensions={"sni_hostname": brand.domain},
            )
        assert response.status_code in (200, 301)
        tsv = Path(info.ip2asn).read_text()
        assert "64520\tUS\tEDGEFLARE-NET" in tsv
        announced = info.announcement()
        assert "truth" not in announced and set(announced["brands"]) == set(eco.world.brands)
        assert json.loads(json.dumps(announced)) == announced


def test_cli_prints_one_json_line_writes_truth_and_stops_on_sigint(tmp_path: Path) -> None:
    truth = tmp_path / "truth.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "castwatch.sim",
            "--ecosystem",
            "--seed",
            "3",
            "--json",
            "--truth",
            str(truth),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = _read_line(process.stdout, 60)
        announced = json.loads(line)
        assert announced["seed"] == 3 and announced["dns"].startswith("127.0.0.1:")
        assert Path(announced["ip2asn"]).exists() and Path(announced["ca_cert"]).exists()
        written = json.loads(truth.read_text())
        assert set(written["brands"]) == set(announced["brands"])
        assert written == generate_world(3).truth()
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(30)
        if process.stdout is not None:
            process.stdout.close()
    assert code == 0
