"""The TLS collector against the ecosystem's per-SNI HTTPS listeners."""

from __future__ import annotations

from castwatch.attribute.collectors import CollectSettings, CollectTargets, collect
from castwatch.catalog.attribution import NodeKind
from castwatch.sim.ecosystem import Ecosystem
from tests.attribute.conftest import brands, run, values


def _shop(ecosystem: Ecosystem, domain: str) -> str:
    return f"https://{domain}:{ecosystem.info.https_port}/"


def test_one_certificate_with_many_sans_links_an_operators_brands() -> None:
    # Seed 3 has an operator whose shared certificate covers two or more origin brands.
    with Ecosystem(3) as eco:
        world = eco.world
        shared = []
        for op in world.operators.values():
            hosted = [world.brands[s] for s in op.brands]
            shared = [b for b in hosted if b.front == "origin" and b.kind == "brand"]
            if op.shared_cert and len(shared) >= 2:
                break
        assert len(shared) >= 2
        only_tls = CollectSettings(resolver=eco.info.dns, timeout=2.0, collectors=("tls",))
        rows = collect(CollectTargets(pages=[_shop(eco, b.domain) for b in shared]), only_tls)
    fingerprints = {values(rows, "tls.cert", b.domain).pop() for b in shared}
    assert len(fingerprints) == 1
    fingerprint = fingerprints.pop()
    sans = values(rows, "tls.san", fingerprint)
    assert {b.domain for b in shared} <= sans
    assert op.panel_host in sans
    assert values(rows, "tls.issuer", fingerprint) == {"Castwatch Sim Trust Services"}
    cert_row = next(r for r in rows if r.relation == "tls.cert")
    assert cert_row.value_kind is NodeKind.CERTIFICATE and len(cert_row.value) == 64
    assert cert_row.detail["names_host"] is True and cert_row.detail["expired"] is False


def test_cdn_customers_get_the_cdns_issuer(ecosystem: Ecosystem, settings: CollectSettings) -> None:
    on_cdn = brands(ecosystem, front="cdn")
    assert on_cdn, "seed 1 has brands behind the CDN"
    rows = run(settings, CollectTargets(pages=[_shop(ecosystem, on_cdn[0].domain)]), "tls")
    fingerprint = values(rows, "tls.cert", on_cdn[0].domain).pop()
    assert values(rows, "tls.issuer", fingerprint) == {"EdgeFlare Inc"}


def test_bad_certificate_is_recorded_not_refused(
    ecosystem: Ecosystem, settings: CollectSettings
) -> None:
    url = ecosystem.info.hostile["badcert"]
    rows = run(settings, CollectTargets(pages=[url]), "tls")
    cert = next(r for r in rows if r.relation == "tls.cert")
    assert cert.subject == "badcert.hostile.test"
    assert cert.detail["expired"] is True
    assert cert.detail["names_host"] is False
    assert values(rows, "tls.san", cert.value) == {"wrong-name.test"}
    assert cert.source.startswith("tls@127.0.50.3:")


def test_refused_connection_is_an_error_row(settings: CollectSettings) -> None:
    rows = run(settings, CollectTargets(pages=["https://127.0.0.1:9/"]), "tls")
    assert [r.relation for r in rows] == ["tls.error"]
    assert "TLS connection failed" in rows[0].value
