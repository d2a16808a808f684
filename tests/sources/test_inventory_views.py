"""The inventory read services: what ``services``, ``show``, ``export`` and ``diff`` render."""

from __future__ import annotations

from pathlib import Path

import pytest

from castwatch.errors import NotFound
from castwatch.sources.ingest import ingest
from castwatch.sources.inventory_views import (
    EXPORT_FIELDS,
    diff_service,
    entry_records,
    list_services,
    show_service,
)
from castwatch.storage.db import Store

PLAYLIST = """#EXTM3U
#EXTINF:-1 tvg-id="one.fr" group-title="News",One
http://panel.test:8080/live/alice/s3cret/101.ts
#EXTINF:-1 group-title="Films",A Film (1999)
http://panel.test:8080/movie/alice/s3cret/202.mp4
"""


def _ingest(store: Store, tmp_path: Path, text: str) -> None:
    playlist = tmp_path / "list.m3u"
    playlist.write_text(text, encoding="utf-8")
    ingest(store, str(playlist), "m3u", name="panel")


def test_services_show_and_export_read_what_was_ingested(store: Store, tmp_path: Path) -> None:
    assert list_services(store) == []
    _ingest(store, tmp_path, PLAYLIST)
    [listing] = list_services(store)
    assert (listing.name, listing.snapshots, listing.entries) == ("panel", 1, 2)

    hidden = show_service(store, "pan")
    assert hidden.name == "panel" and hidden.counts == {"live": 1, "film": 1}
    assert hidden.accounts and all("password" not in a for a in hidden.accounts)
    revealed = show_service(store, "panel", reveal_credentials=True)
    assert [a["password"] for a in revealed.accounts] == ["s3cret"]
    assert revealed.to_dict()["snapshots"][0]["entries"] == 2

    with entry_records(store, "panel") as records:
        redacted = list(records)
    assert [r["name"] for r in redacted] == ["One", "A Film (1999)"]  # listing order
    assert all(set(r) == set(EXPORT_FIELDS) for r in redacted)
    assert not any("s3cret" in (r["url"] or "") for r in redacted)
    with entry_records(store, "panel", order="key", reveal_credentials=True) as records:
        clear = list(records)
    assert {r["url"] for r in clear} == {
        "http://panel.test:8080/live/alice/s3cret/101.ts",
        "http://panel.test:8080/movie/alice/s3cret/202.mp4",
    }


def test_an_unknown_service_fails_on_entering_before_anything_is_read(store: Store) -> None:
    with pytest.raises(NotFound, match="no service 'nothing'"), entry_records(store, "nothing"):
        pytest.fail("the block must not run")


def test_diff_of_a_service_by_name(store: Store, tmp_path: Path) -> None:
    _ingest(store, tmp_path, PLAYLIST)
    _ingest(store, tmp_path, PLAYLIST.replace(",One\n", ",One HD\n"))
    result = diff_service(store, "panel", None, None)
    assert [(item.name, item.old_name) for item in result.renamed] == [("One HD", "One")]
    assert not result.added and not result.removed
