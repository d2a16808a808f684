"""Collapse thousands of stream URLs into the few endpoints that serve them."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from urllib.parse import urlsplit

from castwatch.catalog.model import Endpoint, Entry

# Numbers and long hex/base64-ish tokens are per-stream ids; everything else is structure.
_ID_SEGMENT = re.compile(r"(?<=/)(?:\d+|[0-9a-fA-F]{16,}|[A-Za-z0-9_-]{32,})(?=[./]|$)")
_ID_LEAF = re.compile(r"^(?:\d+|[0-9a-fA-F]{16,}|[A-Za-z0-9_-]{32,})(?=\.|$)")


def path_pattern(path: str) -> str:
    """``/live/{username}/{password}/1234.ts`` -> ``/live/{username}/{password}/{id}.ts``."""
    return _ID_SEGMENT.sub("{id}", path) or "/"


def endpoint_key(url: str) -> tuple[str, str, int | None, str] | None:
    """(scheme, host, port, path pattern) of a URL, or ``None`` when it has no host."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname
    if not parts.scheme or not host:
        return None
    return parts.scheme.lower(), host.lower(), port, path_pattern(parts.path)


def summarize_endpoints(entries: Iterable[Entry]) -> list[Endpoint]:
    """Every endpoint the entries use, most used first."""
    # 200,000 URLs share a few dozen directories: count (directory, leaf shape) with string
    # operations and parse each distinct directory once, instead of urlsplit per URL.
    shapes: Counter[tuple[str, str]] = Counter()
    for entry in entries:
        url = entry.url
        if url:
            head, _, leaf = url.partition("?")[0].rpartition("/")
            shapes[head, _ID_LEAF.sub("{id}", leaf)] += 1
    counter: Counter[tuple[str, str, int | None, str]] = Counter()
    for (head, leaf), count in shapes.items():
        key = endpoint_key(f"{head}/{leaf}")
        if key is not None:
            counter[key] += count
    return [
        Endpoint(scheme, host, port, pattern, count)
        for (scheme, host, port, pattern), count in counter.most_common()
    ]
