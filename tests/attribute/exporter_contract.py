"""The battery every graph exporter inherits (like ``tests/sources/contract.py``).

Subclass :class:`ExporterContract` and give it a ``format_name`` fixture naming the
registered exporter (parametrize it to cover several)::

    class TestMyExport(ExporterContract):
        @pytest.fixture
        def format_name(self) -> str:
            return "mine"

The graph exported is the operator fixture's world (tests/attribute/operator_fixtures.py),
stored in SQLite and clustered, so an export meets services, domains, pivots and operators.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from castwatch.attribute import store as db
from castwatch.attribute.collect import rebuild, record
from castwatch.attribute.exports import export, exporters
from castwatch.config import Settings
from castwatch.storage.db import Store
from tests.attribute.operator_fixtures import world


class ExporterContract:
    """Checks that hold for every exporter; needs a ``format_name`` fixture."""

    @pytest.fixture(scope="class")
    @classmethod
    def clustered(cls, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
        """A store holding the operator world, its graph and its operators."""
        home = tmp_path_factory.mktemp("exports")
        settings = Settings.resolve(home=home / "home", db_url=f"sqlite:///{home}/c.db")
        store = Store.open(settings)
        record(store, world())
        rebuild(store)
        yield store
        store.close()

    def test_is_registered_under_its_name(self, format_name: str) -> None:
        exporter = exporters()[format_name]
        assert exporter.name == format_name
        assert exporter.suffix.startswith(".") and len(exporter.suffix) > 1

    def test_the_whole_graph_is_written_where_asked(
        self, format_name: str, clustered: Store, tmp_path: Path
    ) -> None:
        target = tmp_path / "not" / "yet" / f"graph{exporters()[format_name].suffix}"
        assert export(clustered, format_name, target) == target
        assert target.stat().st_size > 0

    def test_an_operator_export_is_written_too(
        self, format_name: str, clustered: Store, tmp_path: Path
    ) -> None:
        operator = db.list_operators(clustered)[0]
        target = tmp_path / f"operator{exporters()[format_name].suffix}"
        export(clustered, format_name, target, operator.id)
        assert target.stat().st_size > 0

    def test_an_existing_file_is_replaced_not_appended(
        self, format_name: str, clustered: Store, tmp_path: Path
    ) -> None:
        target = tmp_path / f"again{exporters()[format_name].suffix}"
        target.write_bytes(b"stale bytes from an older export\n" * 100)
        export(clustered, format_name, target)
        assert not target.read_bytes().startswith(b"stale bytes")
