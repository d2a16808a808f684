"""Tell which protocol a target speaks, then read it: what ``castwatch ingest`` calls.

The rule :func:`detect_kind` follows, first match wins:

1. A target that is not an http(s) URL is a local file (``file://`` accepted): its first
   64 KiB go to each registered source's ``probe``, M3U first.
2. URL shapes that settle it without a request:
   ``player_api.php`` is Xtream; ``get.php`` is M3U, because that URL *is* a playlist
   (to read the same panel's richer player API, pass the panel's base URL with a username
   and password, or ``kind="xtream"``); ``stalker_portal``, ``portal.php``, ``load.php`` and
   ``/c/`` are Stalker. (``.m3u8`` is not settled by name: it is often one HLS stream.)
3. A bare ``http://host:port/`` is asked the Xtream login and the Stalker handshake, the
   one the credentials point to first (a username and password: Xtream; a MAC: Stalker).
4. Otherwise the head of the URL's body goes to each source's ``probe``.

When nothing fits, :class:`~castwatch.errors.UnrecognizedSource` says what the server sent:
an HTML page (with its title), a login wall, an empty body, JSON of another kind.
"""

from __future__ import annotations

import asyncio
import html
import re
from pathlib import Path
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

from castwatch.catalog import Inventory, redact_url
from castwatch.errors import FetchError, HttpStatusError, SourceError, UnrecognizedSource
from castwatch.net.client import HttpClient, Response, is_retriable, run_sync
from castwatch.net.policy import FetchOptions
from castwatch.sources.base import Progress, all_sources, get_source, no_progress
from castwatch.sources.clients.stalker import api_candidates, session_cookies

HEAD_BYTES = 64 * 1024
#: Probing order: the cheapest, most common format first.
_PREFERRED = ("m3u", "xtream", "stalker")
# A MAC that no portal has registered: enough to tell a portal from something else.
_PROBE_MAC = "00:1A:79:00:00:00"
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)


def read_service(
    target: str,
    kind: str = "auto",
    options: FetchOptions | None = None,
    progress: Progress = no_progress,
) -> Inventory:
    """Read ``target`` with the source named ``kind``, detecting it when ``kind`` is auto."""
    options = options or FetchOptions()
    if kind == "auto":
        progress("detect", 0, 1)
        kind = detect_kind(target, options)
        progress("detect", 1, 1)
    return get_source(kind)().fetch(target, options, progress)


def detect_kind(target: str, options: FetchOptions | None = None) -> str:
    """``"m3u"``, ``"xtream"`` or ``"stalker"`` (or another registered source) for ``target``.

    Follows the rule in this module's docstring; raises :class:`UnrecognizedSource` saying
    what was found when no source fits.
    """
    options = options or FetchOptions()
    parts = urlsplit(target.strip())
    if parts.scheme.lower() not in ("http", "https"):
        return _detect_file(target)
    by_shape = _kind_from_url(parts.path)
    if by_shape is not None:
        return by_shape
    return run_sync(_detect_url(target.strip(), options))


def _ordered_sources() -> list[str]:
    names = list(all_sources())
    return [n for n in _PREFERRED if n in names] + [n for n in names if n not in _PREFERRED]


def _probe(target: str, head: bytes, content_type: str | None) -> str | None:
    sources = all_sources()
    for name in _ordered_sources():
        if sources[name].probe(target, head, content_type):
            return name
    return None


def _detect_file(target: str) -> str:
    path = Path(unquote(urlsplit(target).path) if target.startswith("file:") else target)
    try:
        with path.open("rb") as file:
            head = file.read(HEAD_BYTES)
    except OSError as exc:
        raise UnrecognizedSource(
            f"not an http(s) URL and not a readable file ({exc.strerror or exc})", target
        ) from None
    kind = _probe(str(path), head, None)
    if kind is None:
        raise UnrecognizedSource(
            f"no M3U playlist, Xtream or Stalker answer in this file: it holds {_describe(head)}",
            target,
        )
    return kind


def _kind_from_url(path: str) -> str | None:
    lowered = path.lower()
    if lowered.endswith("/player_api.php"):
        return "xtream"
    if lowered.endswith("/get.php"):
        return "m3u"
    if (
        "/stalker_portal" in lowered
        or lowered.endswith(("/portal.php", "/load.php"))
        or lowered.rstrip("/").endswith("/c")
    ):
        return "stalker"
    return None


async def _detect_url(target: str, options: FetchOptions) -> str:
    credentials = options.credentials
    mac = credentials.mac if credentials and credentials.mac else _PROBE_MAC
    # What the API checks met (invalid JSON, an error status): the real cause, if none fits.
    seen: list[str] = []
    async with HttpClient(options, cookies=session_cookies(mac)) as http:
        parts = urlsplit(target)
        if parts.path in ("", "/"):
            base = urlunsplit((parts.scheme, parts.netloc, "/", "", ""))
            checks = [("xtream", _is_xtream), ("stalker", _is_stalker)]
            if credentials and credentials.mac and not credentials.username:
                checks.reverse()
            for kind, check in checks:
                if await check(http, base, options, seen):
                    return kind
        head = await http.peek(target, HEAD_BYTES)
    probed = _probe(target, head.body, head.content_type) if head.status == 200 else None
    if probed is not None:
        return probed
    tried = f" ({'; '.join(dict.fromkeys(seen))})" if seen else ""
    raise UnrecognizedSource(
        f"no M3U playlist, Xtream API or Stalker portal here: the server sent {_seen(head)}"
        f"{tried}; if you know what it is, name the kind explicitly",
        redact_url(target),
    )


async def _is_xtream(http: HttpClient, base: str, options: FetchOptions, seen: list[str]) -> bool:
    account = options.credentials
    query = urlencode(
        {
            "username": (account.username if account else None) or "",
            "password": (account.password if account else None) or "",
        }
    )
    answer = await _json_or_none(http, f"{base}player_api.php?{query}", options, seen)
    if answer is None:
        return False
    if isinstance(answer, dict) and isinstance(answer.get("user_info"), dict):
        return True
    seen.append("player_api.php answered JSON without user_info")
    return False


async def _is_stalker(http: HttpClient, base: str, options: FetchOptions, seen: list[str]) -> bool:
    query = "type=stb&action=handshake&token=&JsHttpRequest=1-xml"
    for api_url in api_candidates(base)[:2]:
        answer = await _json_or_none(http, f"{api_url}?{query}", options, seen)
        if isinstance(answer, dict) and "js" in answer:
            return True
    return False


async def _json_or_none(
    http: HttpClient, url: str, options: FetchOptions, seen: list[str]
) -> object:
    """The JSON at ``url``, or ``None`` (with why in ``seen``) for an error status or no JSON.

    A 5xx/429 answer, a timeout or a dropped connection is retried with backoff as the
    protocol readers retry; past the retries a transport failure propagates: it says the
    server is unusable, which no other guess will cure.
    """
    name = urlsplit(url).path.rsplit("/", 1)[-1] or "the API"
    attempt = 0
    while True:
        try:
            response = await http.peek(url, HEAD_BYTES)
        except HttpStatusError:
            seen.append(f"{name} answered an error status")
            return None
        except FetchError as exc:
            if not is_retriable(exc) or attempt >= options.retries:
                raise
        else:
            flaky = response.status >= 500 or response.status == 429
            if not flaky or attempt >= options.retries:
                break
        await asyncio.sleep(options.backoff * (2**attempt))
        attempt += 1
    if response.status != 200:
        seen.append(f"{name} answered HTTP {response.status}")
        return None
    try:
        return response.json()
    except SourceError:
        kind = response.content_type or "no content type"
        seen.append(f"{name} answered invalid JSON ({kind})")
        return None


def _seen(response: Response) -> str:
    if response.status in (401, 403):
        return f"a login wall (HTTP {response.status})"
    if response.status != 200:
        return f"an error page (HTTP {response.status})"
    return _describe(response.body, response.content_type)


def _describe(head: bytes, content_type: str | None = None) -> str:
    """What a body is, in a few words an analyst can act on."""
    text = head.strip()
    if not text:
        return "an empty body"
    lowered = text[:512].lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<head" in lowered:
        match = _TITLE.search(head)
        if match:
            title = " ".join(html.unescape(match.group(1).decode("utf-8", "replace")).split())
            return f"an HTML page titled {title[:80]!r}"
        return "an HTML page without a title"
    if text.startswith(b"#EXTM3U") and b"#EXT-X-" in text:
        return "an HLS playlist (the segments of one stream, not a list of channels)"
    if text[:1] in (b"{", b"["):
        return "JSON that is neither Xtream nor Stalker"
    kind = f"{content_type} " if content_type else ""
    return f"{len(head):,} bytes of {kind}data starting {text[:40]!r}"
