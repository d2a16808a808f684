"""An outside plugin of every kind, installed through the ``castwatch.plugins`` entry points.

The fake package (``installed/castwatch_fake``) is what a newcomer writes: per extension one
class in one file, registered with the same decorator the built-ins use, plus one entry
point. Each class then meets its kind's shared contract battery, exactly as the built-ins do.
"""

from __future__ import annotations

import inspect
import io
import sys
from datetime import UTC, datetime
from importlib import import_module
from importlib.metadata import distribution
from pathlib import Path

import pytest

from castwatch import plugins
from castwatch.attribute.collectors import CollectSettings, CollectTargets, collect
from castwatch.catalog.verification import ReferenceInfo
from castwatch.errors import DuplicatePlugin, PluginLoadError, UnknownPlugin
from castwatch.fingerprint import ReferenceLibrary, fingerprint_media, get_fingerprinter
from castwatch.fingerprint.index_audio import AudioIndex
from castwatch.sim.restream import CLEAN
from castwatch.sources.base import Source, get_source, register_source
from castwatch.storage.db import Store
from tests.attribute.collector_contract import CollectorContract
from tests.attribute.exporter_contract import ExporterContract
from tests.enforce.notice_contract import NoticeTemplateContract
from tests.fingerprint.conftest import REFERENCE_S, SEEDS, clip
from tests.fingerprint.contract import FingerprinterContract
from tests.plugins.conftest import FAKE_NAMES, forget_fake_plugins
from tests.sources.conftest import SMALL
from tests.sources.contract import SourceContract


def _fresh_process(patch: pytest.MonkeyPatch) -> None:
    """Registries as a new process has them: the fake not imported, entry points unread."""
    forget_fake_plugins()
    patch.setattr(plugins, "_discovered", False)
    patch.setattr(plugins, "_loaded_entry_points", set())


def test_entry_points_are_read_only_when_a_registry_needs_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _fresh_process(monkeypatch)
    assert get_source("m3u").name == "m3u"  # a built-in by name: no package is scanned
    assert "castwatch_fake.source" not in sys.modules
    assert get_source("fake-m3u").__module__ == "castwatch_fake.source"
    # One scan loads the whole package: every kind's registry now holds its fake.
    for registry, name in FAKE_NAMES.values():
        assert name in registry.registered(), name


def test_each_plugin_is_one_class_in_one_file_plus_an_entry_point() -> None:
    entries = [
        entry
        for entry in distribution("castwatch-fake").entry_points
        if entry.group == plugins.ENTRY_POINT_GROUP
    ]
    assert len(entries) == len(FAKE_NAMES)
    for entry in entries:
        module = import_module(entry.value)
        defined = [
            member
            for _, member in inspect.getmembers(module, inspect.isclass)
            if member.__module__ == module.__name__
        ]
        assert len(defined) == 1, (entry.value, defined)
        registered = {name: registry.get(name) for registry, name in FAKE_NAMES.values()}
        assert defined[0] in registered.values(), entry.value


def test_unknown_names_list_the_plugins_beside_the_built_ins() -> None:
    with pytest.raises(UnknownPlugin, match="one of: fake-m3u, m3u, stalker, xtream") as refused:
        get_source("hls")
    assert refused.value.known == ["fake-m3u", "m3u", "stalker", "xtream"]


def test_a_second_class_under_a_plugin_name_is_refused_naming_both() -> None:
    class Impostor(Source):
        name = "fake-m3u"

    with pytest.raises(DuplicatePlugin, match=r"castwatch_fake\.source\.MirroredPlaylist"):
        register_source(Impostor)  # type: ignore[type-abstract]
    assert get_source("fake-m3u").__name__ == "MirroredPlaylist"


def test_a_plugin_that_fails_to_import_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "castwatch_broken.py").write_text("raise RuntimeError('half-installed')\n")
    info = tmp_path / "castwatch_broken-2.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: castwatch-broken\nVersion: 2.0\n")
    (info / "entry_points.txt").write_text("[castwatch.plugins]\nbroken = castwatch_broken\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(plugins, "_discovered", False)
    with pytest.raises(PluginLoadError, match=r"'broken'.*castwatch-broken.*half-installed"):
        get_source("no-such-kind")


def test_the_facade_fingerprints_with_the_plugin_and_indexes_its_prints(tmp_path: Path) -> None:
    reference = fingerprint_media(io.BytesIO(clip(SEEDS[0], CLEAN, 0.0, REFERENCE_S)), None, 12.0)
    assert set(reference) == {"video", "audio", "soundtrack"}
    assert reference["soundtrack"].fingerprinter == "fake-soundtrack"
    library = ReferenceLibrary()
    library.add("channel:fake", reference)
    library.save(tmp_path / "library.bin")
    loaded = ReferenceLibrary.load(tmp_path / "library.bin")
    # The saved index names its fingerprinter; the registry gives back the plugin's index.
    assert isinstance(loaded.indexes["soundtrack"], AudioIndex)
    assert loaded.indexes["soundtrack"].fingerprinter == "fake-soundtrack"
    query = fingerprint_media(io.BytesIO(clip(SEEDS[0], CLEAN, 2.0, 8.0)))
    (best,) = loaded.query(query, k=1)
    assert best.key == "channel:fake" and best.match
    assert best.kind_scores["soundtrack"] > 6


def test_the_plugin_s_prints_are_stored_under_its_name_and_used(store: Store) -> None:
    """The fake plugin (tests/plugins/installed) takes part from media to the stored print
    to the library that is loaded back from the database and queried."""
    from castwatch.fingerprint.store import save_reference
    from castwatch.fingerprint.tables import ReferencePrintRow
    from castwatch.fingerprint.verification import load_library

    reference = fingerprint_media(io.BytesIO(clip(SEEDS[0], seconds=REFERENCE_S)), None, 12.0)
    assert reference["soundtrack"].fingerprinter == "fake-soundtrack"
    save_reference(
        store,
        ReferenceInfo("channel", "fake.tv", False, "ref.ts", REFERENCE_S, datetime.now(UTC)),
        reference,
    )
    with store.session() as session:
        names = {row.kind: row.fingerprinter for row in session.query(ReferencePrintRow)}
    assert names == {
        "video": "video-dct",
        "audio": "audio-landmark",
        "soundtrack": "fake-soundtrack",
    }
    query = fingerprint_media(io.BytesIO(clip(SEEDS[0], start_s=2.0, seconds=8.0)))
    (best,) = load_library(store).query(query, k=1)
    assert best.key == "channel:fake.tv" and best.match
    assert best.kind_scores["soundtrack"] > 6


class TestFakeSource(SourceContract):
    source_name = "fake-m3u"
    url_key = "m3u_url"
    service_kind = "m3u"

    @pytest.fixture(scope="class")
    @classmethod
    def expected_counts(cls) -> dict[str, int]:
        # A playlist lists episodes, never the series holding them.
        return {"live": SMALL.live, "film": SMALL.films, "series": 0, "episode": SMALL.episodes}


class TestFakeFingerprinter(FingerprinterContract):
    @pytest.fixture(autouse=True)
    def _the_installed_class(self) -> None:
        # The class exists once the entry point is loaded, after collection.
        type(self).fingerprinter = get_fingerprinter("fake-soundtrack")


class TestFakeNotice(NoticeTemplateContract):
    @pytest.fixture
    def kind(self) -> str:
        return "fake-letter"


class TestFakeCollector(CollectorContract):
    @pytest.fixture
    def collector_name(self) -> str:
        return "fake-roll"

    def test_collect_runs_it_after_the_built_ins(self) -> None:
        targets = CollectTargets(service="brand", pages=["http://shop.example/"], ips=["10.0.0.1"])
        rows = collect(targets, CollectSettings(collectors=("fake-roll",)))
        assert [(row.subject, row.relation) for row in rows] == [
            ("shop.example", "fake-roll.named")
        ]


class TestFakeExporter(ExporterContract):
    @pytest.fixture
    def format_name(self) -> str:
        return "edge-list"

    def test_writes_one_line_per_edge(self, clustered: object, tmp_path: Path) -> None:
        from castwatch.attribute.exports import export

        path = export(clustered, "edge-list", tmp_path / "edges.tsv")  # type: ignore[arg-type]
        header, *lines = path.read_text().splitlines()
        assert header == "source\trelation\ttarget"
        assert lines == sorted(lines) and all(line.count("\t") == 2 for line in lines)
