"""What a shop, panel or player page says about who runs it: title, icon, ids, links.

The HTML goes through the standard library's tolerant parser (it never rejects a page), and
the identifier expressions run over the source *and* the attribute values the parser
decoded, so an id hidden behind HTML entities is still found.
"""

from __future__ import annotations

import base64
import html as html_text
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import mmh3

from castwatch.attribute.collectors.identifiers import Identifier, find_identifiers

#: Attributes that point at another resource, by tag.
_LINK_ATTRIBUTES = {
    "a": "href",
    "link": "href",
    "script": "src",
    "img": "src",
    "iframe": "src",
    "form": "action",
    "source": "src",
}
_MAX_TITLE = 300


@dataclass(slots=True)
class PageFacts:
    """What :func:`extract_page` found; links are absolute URLs, hosts lower case."""

    title: str | None = None
    icons: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    generator: str | None = None
    identifiers: list[Identifier] = field(default_factory=list)

    def linked_hosts(self, own_host: str) -> list[str]:
        """Hosts of links that leave ``own_host`` (a shop pointing at its panel, its twin)."""
        hosts: dict[str, None] = {}
        for link in self.links:
            parts = urlsplit(link)
            host = (parts.hostname or "").lower().rstrip(".")
            if parts.scheme in ("http", "https") and host and host != own_host:
                hosts.setdefault(host)
        return list(hosts)


class _PageParser(HTMLParser):
    def __init__(self, base_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base_url = base_url
        self.facts = PageFacts()
        self.attribute_text: list[str] = []
        self._in_title = False
        self._title_parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value or "" for name, value in attrs}
        self.attribute_text.extend(value for value in values.values() if value)
        if tag == "base" and values.get("href"):
            self.base_url = urljoin(self.base_url, values["href"])
        if tag == "title" and self.facts.title is None:
            self._in_title = True
        if tag == "meta" and values.get("name", "").lower() == "generator":
            self.facts.generator = values.get("content", "")[:_MAX_TITLE] or None
        target = values.get(_LINK_ATTRIBUTES.get(tag, ""), "").strip()
        if not target or target.startswith(("#", "javascript:", "data:")):
            return
        absolute = urljoin(self.base_url, target)
        if tag == "link" and "icon" in values.get("rel", "").lower().split():
            self.facts.icons.append(absolute)
        else:
            self.facts.links.append(absolute)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._in_title:
            self._in_title = False
            title = " ".join("".join(self._title_parts).split())
            self.facts.title = title[:_MAX_TITLE] or None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title_parts.append(data)


def extract_page(html: str, base_url: str) -> PageFacts:
    """Title, icons, outbound links and identifiers of one page; never raises on bad HTML."""
    parser = _PageParser(base_url)
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):
        pass  # html.parser gives up on a few malformed constructs: keep what it read
    if parser._in_title and parser.facts.title is None:
        parser.handle_endtag("title")  # an unclosed <title> still names the page
    facts = parser.facts
    facts.links = list(dict.fromkeys(facts.links))
    facts.icons = list(dict.fromkeys(facts.icons))
    # Unescaped, so "&#115;ales@" reads as "sales@" and not as a shorter, wrong address.
    facts.identifiers = find_identifiers(
        html_text.unescape(html) + "\n" + "\n".join(parser.attribute_text)
    )
    return facts


def favicon_hash(data: bytes) -> int:
    """The favicon hash Shodan indexes (``http.favicon.hash``): signed MurmurHash3 (x86, 32
    bit, seed 0) of the base64 text with a newline every 76 characters and one at the end."""
    return int(mmh3.hash(base64.encodebytes(data)))
