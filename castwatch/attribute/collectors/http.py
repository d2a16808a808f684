"""The HTTP collector: fingerprints of shop, reseller, panel and player pages.

Brands change names; their operators keep their tools. The same Analytics account, tag
manager container, Facebook pixel, WhatsApp number, Telegram handle, PayPal address or
wallet, the same favicon and the same links across pages tie brands together. Every page is
fetched with a size cap and a deadline; a page past the cap is read up to it and marked
``truncated``.
"""

from __future__ import annotations

from itertools import pairwise
from urllib.parse import urljoin, urlsplit

from castwatch.attribute.collectors.base import (
    CollectContext,
    Collector,
    CollectTargets,
    observation,
    register_collector,
    url_host,
)
from castwatch.attribute.collectors.clients.web import Page, PageFetcher
from castwatch.attribute.collectors.extract import extract_page, favicon_hash
from castwatch.catalog.attribution import NodeKind, Observation
from castwatch.catalog.credentials import redact_url
from castwatch.errors import CastwatchError

#: Outbound link hosts recorded per page; a link farm must not flood the graph.
MAX_LINKED_HOSTS = 50


def fetcher_for(context: CollectContext, targets: CollectTargets) -> PageFetcher:
    """The run's page fetcher: the targets' pages and panels are the origins the user gave."""
    settings = context.settings
    return PageFetcher(
        context.resolver,
        timeout=settings.timeout,
        max_bytes=settings.max_bytes,
        max_redirects=settings.max_redirects,
        user_agent=settings.user_agent,
        allow_private=settings.allow_private_networks,
        trusted_urls=(*targets.pages, *targets.panels),
        concurrency=settings.concurrency,
    )


@register_collector
class HttpCollector(Collector):
    """Headers, title, favicon hash, identifiers and outbound links of every page target."""

    name = "http"

    async def collect(self, targets: CollectTargets, context: CollectContext) -> list[Observation]:
        async with fetcher_for(context, targets) as fetcher:

            async def one(url: str) -> list[Observation]:
                page = await context.bounded(fetcher.fetch(url))
                return await page_rows(page, fetcher, context)

            return await context.each(
                self.name, targets.pages, one, lambda url: (NodeKind.DOMAIN, url_host(url))
            )


async def page_rows(page: Page, fetcher: PageFetcher, context: CollectContext) -> list[Observation]:
    """Observations about one fetched page (and the redirects that led to it)."""
    rows: list[Observation] = []
    chain = [*page.redirects, page.url]
    for before, after in pairwise(chain):
        if url_host(before) != url_host(after):
            rows.append(
                observation(
                    NodeKind.DOMAIN,
                    url_host(before),
                    "http.redirect",
                    NodeKind.DOMAIN,
                    url_host(after),
                    f"http@{redact_url(before)}",
                    to=redact_url(after),
                )
            )
    host = url_host(page.url)
    shown = redact_url(page.url)
    source = f"http@{shown}"
    evidence = {"page": shown, "status": page.status, "truncated": page.truncated or None}

    def add(relation: str, kind: NodeKind | None, value: str, **detail: object) -> None:
        rows.append(
            observation(NodeKind.DOMAIN, host, relation, kind, value, source, **evidence, **detail)
        )

    for header, relation in (("server", "http.server"), ("x-powered-by", "http.powered_by")):
        if page.headers.get(header):
            add(relation, None, page.headers[header][:200])
    if "html" not in (page.headers.get("content-type") or "html").lower():
        return rows
    facts = extract_page(page.text, page.url)
    if facts.title:
        add("http.title", None, facts.title)
    if facts.generator:
        add("http.generator", None, facts.generator)
    for identifier in facts.identifiers:
        add(identifier.relation, identifier.kind, identifier.value, **identifier.detail)
    for linked in facts.linked_hosts(host)[:MAX_LINKED_HOSTS]:
        add("http.link", NodeKind.DOMAIN, linked)
    icon_url = facts.icons[0] if facts.icons else urljoin(page.url, "/favicon.ico")
    if urlsplit(icon_url).scheme in ("http", "https"):
        try:
            icon = await context.bounded(fetcher.fetch(icon_url, allow_truncated=False))
        except CastwatchError as exc:
            rows.append(context.error("http", NodeKind.DOMAIN, host, f"favicon: {exc}"))
        else:
            if icon.status == 200 and icon.body and icon.body.lstrip()[:1] != b"<":
                add(
                    "http.favicon",
                    NodeKind.FAVICON,
                    str(favicon_hash(icon.body)),
                    icon=redact_url(icon.url),
                    icon_bytes=len(icon.body),
                )
    return rows
