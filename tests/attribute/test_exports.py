"""Exports: STIX 2.1 that stix2 parses back, MISP that pymisp loads, Gephi files, a PNG."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import stix2
from matplotlib.image import imread
from pymisp import MISPEvent

from castwatch.attribute import store as db
from castwatch.attribute.collect import rebuild, record
from castwatch.attribute.exports import export, exporters
from castwatch.attribute.render import render_operator_png
from castwatch.config import Settings
from castwatch.errors import NotFound, UnknownPlugin
from castwatch.storage.db import Store
from tests.attribute.exporter_contract import ExporterContract
from tests.attribute.operator_fixtures import ELECTRO, world


@pytest.fixture()
def attributed(tmp_path: Path) -> Iterator[tuple[Store, int]]:
    # SQLite only: the exports read through the same queries the storage tests run on both.
    settings = Settings.resolve(home=tmp_path / "home", db_url=f"sqlite:///{tmp_path}/c.db")
    store = Store.open(settings)
    record(store, world())
    rebuild(store)
    electro = next(o for o in db.list_operators(store) if o.services == ELECTRO)
    yield store, electro.id
    store.close()


def test_every_format_is_registered() -> None:
    assert {"stix", "misp", "gexf", "graphml", "png"} <= set(exporters())


class TestBuiltinExporters(ExporterContract):
    """The shared contract over every built-in export format."""

    @pytest.fixture(params=sorted(exporters()))
    def format_name(self, request: pytest.FixtureRequest) -> str:
        name: str = request.param
        return name


def test_stix_bundle_parses_back_with_the_operator(
    attributed: tuple[Store, int], tmp_path: Path
) -> None:
    store, operator = attributed
    path = export(store, "stix", tmp_path / "electro.json", operator)
    bundle = stix2.parse(path.read_text(), allow_custom=False)
    by_type: dict[str, list[object]] = {}
    for item in bundle.objects:
        by_type.setdefault(item.type, []).append(item)
    assert {"infrastructure", "domain-name", "ipv4-addr", "identity", "relationship", "note"} <= (
        set(by_type)
    )
    names = {i.name for i in by_type["infrastructure"]}  # type: ignore[attr-defined]
    assert set(ELECTRO) <= names
    assert any(n.startswith(f"operator {operator}:") for n in names)
    kinds = {r.relationship_type for r in by_type["relationship"]}  # type: ignore[attr-defined]
    assert {"consists-of", "resolves-to", "belongs-to"} <= kinds
    # Only the operator's part: no decoy in an operator export.
    assert not any("decoy" in str(d.value) for d in by_type["domain-name"])  # type: ignore[attr-defined]
    note = by_type["note"][0]
    assert "G-ELECTRO1" in note.content  # type: ignore[attr-defined]


def test_misp_event_loads_in_pymisp(attributed: tuple[Store, int], tmp_path: Path) -> None:
    store, operator = attributed
    path = export(store, "misp", tmp_path / "electro.misp.json", operator)
    event = MISPEvent()
    event.load(json.loads(path.read_text()))
    values = {(a.type, a.value) for a in event.attributes}
    assert ("domain", "electrotv.example") in values
    assert ("btc", "1ElectroWallet9") in values
    assert ("AS", "AS13335") in values or ("AS", "13335") in values
    assert event.distribution == 0
    assert any(t.name == f"castwatch:operator={operator}" for t in event.tags)


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_gephi_files_read_back(attributed: tuple[Store, int], tmp_path: Path, fmt: str) -> None:
    store, _operator = attributed
    path = export(store, fmt, tmp_path / f"all.{fmt}")
    graph = nx.read_gexf(path) if fmt == "gexf" else nx.read_graphml(path)
    assert graph.nodes["service:electro-tv"]["kind"] == "service"
    assert graph.has_edge("domain:electrotv.example", "analytics:G-ELECTRO1")
    assert (
        graph.nodes["domain:decoy-1.example"]["operator"]
        != graph.nodes["domain:electrotv.example"]["operator"]
    )


def test_operator_png_is_a_picture(attributed: tuple[Store, int], tmp_path: Path) -> None:
    store, operator = attributed
    path = render_operator_png(store, operator, tmp_path / "dossier" / "electro.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = imread(path)
    # Not blank: the drawing puts real colour (red services) on the white page.
    assert np.unique(pixels.reshape(-1, pixels.shape[-1]), axis=0).shape[0] > 10


def test_unknown_format_and_operator_say_what_exists(
    attributed: tuple[Store, int], tmp_path: Path
) -> None:
    store, _operator = attributed
    with pytest.raises(
        UnknownPlugin, match="unknown export format 'pdf'; one of: gexf, graphml, misp, png, stix"
    ):
        export(store, "pdf", tmp_path / "x")
    with pytest.raises(NotFound, match="no operator 999"):
        export(store, "stix", tmp_path / "x.json", 999)
