"""The case dossier: every section in the HTML, images embedded, a PDF whose first page is not
blank, and nothing fetched from outside the document."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pypdfium2
import pytest
from PIL import Image, ImageDraw

from castwatch.catalog.notices import NoticeStatus
from castwatch.catalog.store_queries import find_service
from castwatch.catalog.verification import ReferenceInfo, VerificationResult
from castwatch.enforce.cases import open_case
from castwatch.enforce.custody import file_evidence, stored_item
from castwatch.enforce.settings import WatchSettings
from castwatch.enforce.store_notices import mark_notice
from castwatch.enforce.watch import run_pass, seize_domain
from castwatch.fingerprint.base import Fingerprint
from castwatch.fingerprint.store import save_reference, save_verification
from castwatch.identify.impact import rights_impact
from castwatch.report.dossier import render_pdf, write_dossier
from castwatch.storage.db import Store
from tests.enforce.tracking_fixtures import SENT_AT, Site, noticed_case
from tests.enforce.tracking_fixtures import site as site

SECTIONS = ("summary", "rights-holders", "proof", "infrastructure", "notices", "evidence")


def _png(colour: tuple[int, int, int], label: str) -> bytes:
    image = Image.new("RGB", (160, 90), colour)
    ImageDraw.Draw(image).text((10, 35), label, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _verified(store: Store) -> None:
    """A confirmed verification with two capture frames, and a reference with its frame."""
    evidence = store.settings.evidence_dir
    evidence.mkdir(parents=True, exist_ok=True)
    capture, reference = "c0" * 32, "ef" * 32
    frames = []
    for index, colour in enumerate([(200, 30, 30), (30, 120, 200)]):
        path = evidence / f"{capture}-{index}.png"
        path.write_bytes(_png(colour, f"capture {index}"))
        frames.append(str(path))
    (evidence / f"{reference}-0.png").write_bytes(_png((40, 160, 60), "reference"))
    # Every file under evidence/ is a ledger item: file them as the capture would.
    names = [Path(frame).name for frame in frames] + [f"{reference}-0.png"]
    file_evidence(store, [
        stored_item(store.settings, name, "thumbnail", "image/png", "a frame", "sim",
                    datetime.now(UTC))
        for name in names
    ])  # fmt: skip
    save_reference(
        store,
        ReferenceInfo("work", "tt0000000", False, "film0.mp4", 5400.0, datetime.now(UTC),
                      sha256=reference),
        {"video": Fingerprint("video-dct", 1, np.zeros(1, np.float32), np.zeros(1, np.uint64),
                              1.0)},
    )  # fmt: skip
    with store.session() as session:
        service_id = find_service(session, "pirate-site").id
    for confirmed, score in ((True, 0.93), (False, 0.12)):
        save_verification(
            store,
            VerificationResult(
                source="http://127.0.0.1/movie/{username}/{password}/0.ts", confirmed=confirmed,
                verified_at=datetime.now(UTC), claimed_kind="work", claimed_id="tt0000000",
                matched_kind="work" if confirmed else None,
                matched_id="tt0000000" if confirmed else None, score=score, offset_s=12.5,
                matched_fraction=0.87, capture_sha256=capture,
                thumbnails=[*frames, "/etc/passwd"], service_id=service_id,
            ),
        )  # fmt: skip


@pytest.fixture()
def full_case(store: Store, site: Site) -> Store:
    """A case with identified works, evidence, a sent notice, checks, a seizure, a proof."""
    notice_id = noticed_case(store, store.settings.home, site)
    settings = WatchSettings(legal_offer_url=f"{site.base}/legal-offer/", timeout=3.0)
    run_pass(store, settings, "op-falcon", at=SENT_AT + timedelta(hours=1))
    site.mode = "404"
    run_pass(store, settings, "op-falcon", at=SENT_AT + timedelta(hours=6))
    mark_notice(store, notice_id, NoticeStatus.ACTIONED)
    seize_domain(store, "op-falcon", "seized-site.invalid")
    _verified(store)
    return store


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_html_dossier_has_every_section_and_embeds_everything(
    full_case: Store, tmp_path: Path
) -> None:
    path = write_dossier(full_case, "op-falcon", tmp_path / "out" / "case.html", "html")
    html = path.read_text(encoding="utf-8")
    for section in SECTIONS:
        assert f'<section id="{section}">' in html
    assert "8 films and episodes" in html  # the snapshot counts
    assert "Groupe CANAL+" in html  # the harmed rights holder
    assert "abuse@host.example" in html and "target-down" in html
    assert "seized-site.invalid" in html
    assert "CONFIRMED" in html and "0.93" in html and "12.50" in html
    assert "reference recording" in html
    assert "all verified" in html
    # Self-contained: every image is inline, nothing is linked.
    sources = re.findall(r'src="([^"]+)"', html)
    assert len(sources) >= 5 and all(s.startswith("data:image/png;base64,") for s in sources)
    assert "http://" not in "".join(re.findall(r'(?:href|src)="[^"]*"', html))
    # A stored thumbnail path outside the evidence directory is never read.
    assert "root:" not in html
    # A rights-impact report the caller already has is used as is.
    report = rights_impact(full_case, "pirate-site")
    report.holders = report.holders[:1]
    again = write_dossier(full_case, "op-falcon", tmp_path / "again.html", "html",
                          impacts={"pirate-site": report})  # fmt: skip
    assert "Someone Else" in html and "Someone Else" not in again.read_text(encoding="utf-8")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_pdf_dossier_first_page_is_not_blank(full_case: Store, tmp_path: Path) -> None:
    path = write_dossier(full_case, "op-falcon", tmp_path / "case.pdf", "pdf")
    data = path.read_bytes()
    assert data.startswith(b"%PDF-")
    document = pypdfium2.PdfDocument(data)
    try:
        assert len(document) >= 2
        page = document[0].render(scale=1).to_pil().convert("L")
    finally:
        document.close()
    pixels = page.tobytes()
    dark = sum(1 for value in pixels if value < 200) / len(pixels)
    assert 0.01 < dark < 0.9  # text and a header rule, not an empty or solid page


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_an_empty_case_still_renders(store: Store, tmp_path: Path) -> None:
    open_case(store, "op-empty", [])
    path = write_dossier(store, "op-empty", tmp_path / "empty.html", "html")
    html = path.read_text(encoding="utf-8")
    assert "This case has no service yet." in html and "no events yet" not in html


def test_the_pdf_renderer_fetches_nothing_but_data_uris(tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(_png((0, 0, 0), "secret"))
    html = f'<p>x</p><img src="file://{secret}"><img src="http://127.0.0.1:9/x.png">'
    pdf = render_pdf(html)
    assert pdf.startswith(b"%PDF-")
    assert b"secret" not in pdf and pdf.count(b"/Subtype /Image") == 0
