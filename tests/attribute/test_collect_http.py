"""The HTTP and panel collectors against the ecosystem's shops, panels and hostile hosts."""

from __future__ import annotations

import base64

import mmh3

from castwatch.attribute.collectors import CollectSettings, CollectTargets
from castwatch.sim.ecosystem import Ecosystem
from tests.attribute.conftest import brands, run, values


def test_shop_page_fingerprint_matches_what_the_brand_shows(
    ecosystem: Ecosystem, settings: CollectSettings
) -> None:
    brand = next(b for b in brands(ecosystem, kind="brand") if b.moved_to is None)
    signals = brand.signals
    rows = run(settings, CollectTargets(pages=[ecosystem.info.brands[brand.slug].shop]), "http")
    assert all(row.subject == brand.domain for row in rows)
    assert values(rows, "http.title") == {f"{brand.slug.title()} IPTV - Premium 4K subscriptions"}
    analytics = values(rows, "http.analytics")
    if signals.ga:
        assert signals.ga.rsplit("-", 1)[0] in analytics
    for tag in (signals.ga4, signals.gtm):
        if tag:
            assert tag in analytics
    if signals.pixel:
        assert f"fb-pixel:{signals.pixel}" in analytics
    contacts = values(rows, "http.contact")
    if signals.whatsapp:
        assert f"phone:{signals.whatsapp}" in contacts
    if signals.telegram:
        assert f"telegram:{signals.telegram.lower()}" in contacts
    payments = values(rows, "http.payment")
    for prefix, address in (("btc", signals.btc), ("tron", signals.tron), ("eth", signals.eth)):
        if address:
            assert f"{prefix}:{address}" in payments
    if signals.paypal:
        assert f"paypal:{signals.paypal}" in payments
    # Shodan's favicon hash: mmh3 of the base64 text, newline every 76 characters.
    expected = mmh3.hash(base64.encodebytes(signals.favicon))
    assert values(rows, "http.favicon") == {str(expected)}
    assert brand.panel_alias in values(rows, "http.link")
    assert values(rows, "http.server")


def test_taken_down_brand_leads_to_its_relaunch(
    ecosystem: Ecosystem, settings: CollectSettings
) -> None:
    old = next(b for b in ecosystem.world.brands.values() if b.moved_to)
    new = ecosystem.world.brands[old.moved_to or ""]
    rows = run(settings, CollectTargets(pages=[ecosystem.info.brands[old.slug].shop]), "http")
    linked = values(rows, "http.redirect", old.domain) | values(rows, "http.link", old.domain)
    assert new.domain in linked


def test_huge_page_is_cut_at_the_cap(ecosystem: Ecosystem, settings: CollectSettings) -> None:
    rows = run(
        settings,
        CollectTargets(pages=[ecosystem.info.hostile["huge"]]),
        "http",
        max_bytes=256 * 1024,
    )
    title = next(r for r in rows if r.relation == "http.title")
    assert title.value == "Hostile test host"
    assert title.detail["truncated"] is True


def test_slow_server_times_out_and_others_survive(
    ecosystem: Ecosystem, settings: CollectSettings
) -> None:
    brand = brands(ecosystem, kind="decoy")[0]
    pages = [ecosystem.info.hostile["slow"], ecosystem.info.brands[brand.slug].shop]
    # Far below the slow host's 30 s, far above what a normal page needs on a loaded machine.
    rows = run(settings, CollectTargets(pages=pages), "http", timeout=3.0)
    errors = [r for r in rows if r.relation == "http.error"]
    assert [e.subject for e in errors] == ["slow.hostile.test"]
    assert values(rows, "http.title", brand.domain)


def test_unresolvable_page_is_an_error_row(ecosystem: Ecosystem, settings: CollectSettings) -> None:
    url = f"https://{ecosystem.info.hostile['nxdomain']}/"
    rows = run(settings, CollectTargets(pages=[url]), "http")
    assert [r.relation for r in rows] == ["http.error"]
    assert "NXDOMAIN" in rows[0].value


def test_panels_of_one_operator_share_one_fingerprint(
    ecosystem: Ecosystem, settings: CollectSettings
) -> None:
    world = ecosystem.world
    op = next(op for op in world.operators.values() if len(op.brands) >= 2 and not op.decoy)
    other = next(o for o in world.operators.values() if o.id != op.id)
    panels = {}
    for slug in [*op.brands[:2], other.brands[0]]:
        rows = run(
            settings,
            CollectTargets(service=slug, panels=[ecosystem.info.brands[slug].panel]),
            "panel",
        )
        panels[slug] = values(rows, "panel.server_info", slug)
        assert values(rows, "panel.url") == {
            world.operators[world.brands[slug].operator].panel_host
        }
        # Credentials never reach an observation.
        assert all(world.brands[slug].password not in r.source for r in rows)
    first, second, unrelated = panels.values()
    assert first == second and len(first) == 1
    assert first != unrelated


def test_stored_server_info_needs_no_network(settings: CollectSettings) -> None:
    info = {"url": "Panel.Example.Test", "port": "8080", "timezone": "UTC", "timestamp_now": 1}
    rows = run(settings, CollectTargets(service="svc", server_info=[info]), "panel")
    assert values(rows, "panel.server_info", "svc") == {"xtream:panel.example.test:8080:::UTC"}


def test_panel_without_json_is_an_error_row(
    ecosystem: Ecosystem, settings: CollectSettings
) -> None:
    brand = brands(ecosystem, kind="brand")[0]
    rows = run(settings, CollectTargets(panels=[ecosystem.info.brands[brand.slug].shop]), "panel")
    assert [r.relation for r in rows] == ["panel.error"]
