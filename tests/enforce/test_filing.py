"""Filing a case in one call: the case is opened once, its evidence cited, every notice kind
either drafted or refused with its reason, and the ledger checked."""

from __future__ import annotations

from pathlib import Path

from castwatch.catalog.evidence import EvidenceKind
from castwatch.enforce.filing import EvidenceFile, file_case
from castwatch.enforce.settings import load_enforce_settings
from castwatch.sources.ingest import ingest
from castwatch.storage.db import Store


def test_filing_twice_reuses_the_case_and_reports_refused_notices(
    store: Store, tmp_path: Path
) -> None:
    playlist = tmp_path / "list.m3u"
    playlist.write_text("#EXTM3U\n#EXTINF:-1,One\nhttp://panel.test/live/a/b/1.ts\n")
    ingest(store, str(playlist), "m3u", name="panel")
    capture = tmp_path / "probe.ts"
    capture.write_bytes(b"\x47" * 188)
    evidence = [
        EvidenceFile(capture, EvidenceKind.CAPTURE, "probe of entry 1", "http://panel.test/1"),
        EvidenceFile(tmp_path / "gone.png", EvidenceKind.THUMBNAIL, "frame", "gone"),
    ]
    settings = load_enforce_settings(store.settings.home)

    first = file_case(
        store, "panel case", ["panel"], evidence=evidence, notice_kinds=["no-such-kind"],
        settings=settings,
    )  # fmt: skip
    assert first.evidence_filed == 1  # the missing frame is skipped, not an error
    assert str(first.notices["no-such-kind"]).startswith("refused: ")
    assert first.evidence_verified and first.ledger_entries >= 1

    again = file_case(
        store, "panel case", ["panel"], evidence=evidence[:1], notice_kinds=[], settings=settings
    )
    assert again.case.id == first.case.id
    assert again.to_dict()["case"] == first.case.id
    assert again.ledger_entries > first.ledger_entries
