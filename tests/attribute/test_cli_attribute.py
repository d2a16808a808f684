"""The attribution commands, run through castwatch's real entry point on a seeded store."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
import stix2

from castwatch.attribute.collect import rebuild, record
from castwatch.config import Settings
from castwatch.storage.db import Store
from tests.attribute.operator_fixtures import ELECTRO, NOVA, relaunch, world
from tests.conftest import CliRunner

Run = CliRunner


@pytest.fixture()
def seeded() -> None:
    with Store.open(Settings.resolve()) as store:
        record(store, world())
        rebuild(store)
        record(store, relaunch())
        rebuild(store)


@pytest.mark.usefixtures("seeded")
def test_operators_list_services_and_pivots(cli: Run) -> None:
    code, out, _ = cli("operators", "--json")
    assert code == 0
    operators = orjson.loads(out)
    services = [o["services"] for o in operators]
    assert sorted([*ELECTRO, "electro-tv-2"]) in [sorted(s) for s in services]
    assert NOVA in services
    electro = next(o for o in operators if "sat-max" in o["services"])
    keys = {p["key"] for link in electro["links"] for p in link["pivots"]}
    assert {"G-ELECTRO1", "btc:1ElectroWallet9"} <= keys
    code, out, _ = cli("operators")
    assert code == 0 and "electro-tv" in out and "G-ELECTRO1" in out


@pytest.mark.usefixtures("seeded")
def test_alerts_name_the_new_brand(cli: Run) -> None:
    code, out, _ = cli("alerts", "--json")
    assert code == 0
    joined = {a["node"]["key"]: a for a in orjson.loads(out)}
    assert set(joined) == {"electro-tv-2", "nova-new.example"}
    assert joined["electro-tv-2"]["pivots"][0]["key"] in {"G-ELECTRO1", "btc:1ElectroWallet9"}
    code, out, _ = cli("alerts")
    assert code == 0 and "electro-tv-2" in out


@pytest.mark.usefixtures("seeded")
def test_graph_show_pivots_from_a_domain(cli: Run) -> None:
    code, out, _ = cli("graph", "show", "ElectroTV.example", "--json")
    assert code == 0
    (view,) = orjson.loads(out)
    assert view["operator"] is not None
    assert {(e["relation"], e["key"]) for e in view["edges"]} >= {
        ("http.analytics", "G-ELECTRO1"),
        ("service.domain", "electro-tv"),
    }
    code, out, _ = cli("graph", "show", "analytics:G-ELECTRO1", "--json")
    assert "electrotv2.example" in {e["key"] for e in orjson.loads(out)[0]["edges"]}
    code, out, _ = cli("graph", "show", "analytics:G-ELECTRO1")
    assert code == 0 and "analytics G-ELECTRO1" in out
    code, out, _ = cli("graph", "show", "--json")
    assert orjson.loads(out)["nodes"]["service"] == 10
    code, _, err = cli("graph", "show", "nowhere.example")
    assert code == 1 and "no node 'nowhere.example'" in err


@pytest.mark.usefixtures("seeded")
def test_graph_export_writes_the_operator(cli: Run, tmp_path: Path) -> None:
    code, out, _ = cli("operators", "--json")
    electro = next(o["id"] for o in orjson.loads(out) if "sat-max" in o["services"])
    target = tmp_path / "electro.stix.json"
    code, out, _ = cli(
        "graph", "export", "--format", "stix", "--operator", str(electro), "--output", str(target)
    )
    assert code == 0 and str(target) in out
    bundle = stix2.parse(target.read_text())
    assert any(o.type == "infrastructure" and o.name == "electro-tv-2" for o in bundle.objects)
    code, _, err = cli("graph", "export", "--format", "svg", "--output", str(tmp_path / "x"))
    assert code == 1 and "unknown export format 'svg'" in err


def test_attribute_collects_a_shop_from_the_ecosystem(cli: Run) -> None:
    from castwatch.sim.ecosystem import Ecosystem

    with Ecosystem(seed=1) as eco:
        info = eco.info
        entry = next(iter(info.brands.values()))
        code, out, err = cli(
            "attribute", entry.shop, "--resolver", info.dns, "--ip2asn", info.ip2asn,
            "--extra-url", entry.panel, "--json",
        )  # fmt: skip
    assert code == 0, err
    summary = orjson.loads(out)
    assert summary["observations"] > 5
    assert summary["operator"] is not None
    assert summary["service"] in summary["operator"]["services"]
    code, out, _ = cli("graph", "show", "--json")
    counts = orjson.loads(out)
    assert counts["nodes"]["domain"] >= 1 and counts["nodes"]["ip"] >= 1
    assert counts["nodes"]["asn"] >= 1, "the --ip2asn table was not used"
