"""The Stalker / Ministra portal API on the wire: handshake, token, ``load.php`` calls, paging.

This module knows the portal's URLs, its cookie and bearer-token session, the ``{"js": ...}``
envelope and how listings are paged; it returns plain dicts and lists and leaves building the
catalog model to :mod:`castwatch.sources.stalker`. Shapes: ``docs/protocols.md``.

Paging guards: page 1 of a listing announces ``total_items`` and the page size
(``max_page_items``); pages 2 to ``ceil(total / size)`` are then fetched in parallel, and
never more than one page past them, so a portal that pages forever costs one extra request.
A listing that announces more than :data:`MAX_PAGES` pages, or serves fewer items than it
announced, is a :class:`~castwatch.errors.ProtocolError`. Season and episode lists of
Ministra's VOD series often come unpaged, as a bare ``{"js": [...]}``: that is the whole list.

Playable URLs: a listed ``cmd`` (``ffmpeg http://localhost/ch/100_``, ``/media/101.mpg``,
base64 JSON) is only a ticket; :func:`resolve_stalker_link` logs in as the box does and asks
``create_link`` for the URL of one entry, at the moment it is played.
"""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import Callable, Mapping
from typing import Any, TypedDict, Unpack
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

from castwatch.catalog.credentials import (
    redact_url,
)
from castwatch.errors import (
    AccountBanned,
    AuthenticationError,
    HttpStatusError,
    ProtocolError,
    SourceError,
)
from castwatch.net.client import HttpClient, Response, run_sync
from castwatch.net.policy import FetchOptions
from castwatch.net.tasks import gather_all

JsonObject = dict[str, Any]
#: No listing of one category is believed to need more pages than this, whatever it says.
MAX_PAGES = 10_000
_MAC = re.compile(r"^[0-9A-F]{2}(?::[0-9A-F]{2}){5}$")
_AUTH_FAILED = b"Authorization failed"
#: ``on_items(items read, items announced)``; the announced total is None until known.
ItemsProgress = Callable[[int, int | None], None]
#: Player prefixes a ``cmd`` may start with; the URL follows the space.
PLAYER_PREFIXES = ("ffrt ", "ffrt2 ", "ffrt3 ", "ffrt4 ", "ffmpeg ", "auto ")
#: What ``create_link`` errors mean, in the words a user can act on.
_LINK_ERRORS = {
    "nothing_to_play": "the portal has no stream behind this entry (nothing_to_play)",
    "limit": "the account is already playing as many streams as it may (limit)",
    "link_fault": "the portal could not make a link for this entry (link_fault)",
    "not_found": "the portal no longer knows this entry (not_found)",
}


def split_player(cmd: str) -> tuple[str, str]:
    """``("ffmpeg ", "http://...")``: a ``cmd``'s player prefix (or "") and the rest."""
    text = cmd.strip()
    lowered = text.lower()
    for player in PLAYER_PREFIXES:
        if lowered.startswith(player):
            return text[: len(player)], text[len(player) :].strip()
    return "", text


def portal_root(api_url: str) -> str:
    """The portal's folder (``http://h/stalker_portal/``), which relative paths hang from."""
    head, found, _ = api_url.partition("/server/")
    if found:
        return head + "/"
    return api_url.rsplit("/", 1)[0] + "/"


def absolute_url(value: str, api_url: str) -> str:
    """A logo or stream path as an absolute URL: ``/x`` against the portal's origin, a bare
    name against its folder, ``//h/x`` with its scheme; absolute URLs unchanged."""
    if value.startswith(("http://", "https://")) or "://" in value[:12]:
        return value
    if value.startswith("/"):
        return urljoin(api_url, value)
    return urljoin(portal_root(api_url), value)


def normalize_mac(mac: str) -> str:
    """``00:1a:79:..`` or ``00-1A-79-..`` as ``00:1A:79:..``; SourceError when not a MAC."""
    candidate = mac.strip().upper().replace("-", ":")
    if not _MAC.match(candidate):
        raise SourceError(
            "a Stalker MAC address looks like 00:1A:79:12:34:56; the one given does not"
        )
    return candidate


def shown_mac(mac: str) -> str:
    """The MAC as error messages may show it: the vendor prefix only."""
    return mac[:8] + ":**:**:**"


def session_cookies(mac: str) -> dict[str, str]:
    """The cookie every portal call sends: the set-top box's MAC, language and zone."""
    return {"mac": mac, "stb_lang": "en", "timezone": "Europe/Paris"}


def session_headers(portal_url: str) -> dict[str, str]:
    """Headers a MAG set-top box sends; some portals refuse requests without them."""
    return {"Referer": portal_url, "X-User-Agent": "Model: MAG250; Link: WiFi"}


def api_candidates(target: str) -> list[str]:
    """The ``load.php`` / ``portal.php`` URLs a portal target may answer on, likeliest first."""
    parts = urlsplit(target.strip())
    path = parts.path or "/"
    if path.endswith(".php"):
        paths = [path]
    elif path.rstrip("/").endswith("/c"):
        paths = [path.rstrip("/")[:-1] + "server/load.php"]
    else:
        folder = path if path.endswith("/") else path + "/"
        if folder.endswith("/stalker_portal/"):
            paths = [folder + "server/load.php", folder + "portal.php"]
        else:
            paths = [
                folder + "stalker_portal/server/load.php",
                folder + "portal.php",
                folder + "server/load.php",
            ]
    netloc = parts.netloc.rpartition("@")[2]
    return [urlunsplit((parts.scheme, netloc, p, "", "")) for p in paths]


class StalkerClient:
    """One authorised session with a portal, for one MAC address.

    Exists so that adapters never handle tokens, envelopes or paging. The session renews its
    token once when the portal answers ``Authorization failed.``; a second refusal is an
    :class:`AuthenticationError`. Every request goes through the shared :class:`HttpClient`.
    """

    def __init__(self, http: HttpClient, api_url: str, mac: str) -> None:
        self.http = http
        self.api_url = api_url
        self.mac = mac
        self._token = ""
        self._renewal = asyncio.Lock()
        #: ``(list name, reason, example)`` of each row dropped because it is not an object.
        self.skipped: list[tuple[str, str, Any]] = []

    @classmethod
    async def connect(cls, http: HttpClient, candidates: list[str], mac: str) -> StalkerClient:
        """Handshake with the first candidate URL that is a portal API; raise for the rest.

        A candidate answering 404 or something other than a ``{"js": ...}`` envelope is
        simply not the API and the next is tried; any other failure is the portal's and ends
        the attempt.
        """
        last: SourceError | None = None
        for url in candidates:
            client = cls(http, url, mac)
            try:
                await client.handshake()
                return client
            except HttpStatusError as exc:
                if exc.status != 404:
                    raise
                last = exc
            except ProtocolError as exc:
                last = exc
        assert last is not None, "api_candidates always yields a URL"
        tried = ", ".join(redact_url(url) for url in candidates[1:])
        message = f"no Stalker portal API answered here nor at {tried}: {last.args[0]}"
        shown = redact_url(candidates[0])
        if isinstance(last, HttpStatusError) and len(candidates) > 1:
            raise HttpStatusError(message, shown, last.status)
        if len(candidates) > 1:
            raise ProtocolError(message, shown)
        raise last

    def _url(self, params: Mapping[str, str | int]) -> str:
        return f"{self.api_url}?{urlencode({**params, 'JsHttpRequest': '1-xml'})}"

    async def handshake(self) -> None:
        """Obtain a fresh bearer token."""
        response = await self.http.get(
            self._url({"type": "stb", "action": "handshake", "token": ""})
        )
        if _refused(response):
            raise AuthenticationError(
                f"the portal refused the handshake for MAC {shown_mac(self.mac)}",
                redact_url(response.url),
            )
        js = _envelope(response)
        token = js.get("token") if isinstance(js, dict) else None
        if not isinstance(token, str) or not token:
            raise ProtocolError("the handshake answer has no token", redact_url(response.url))
        self._token = token

    async def call(self, **params: str | int) -> Any:
        """One API call; the ``js`` payload of its answer."""
        url = self._url(params)
        for attempt in range(2):
            token = self._token
            response = await self.http.get(url, headers={"Authorization": f"Bearer {token}"})
            if not _refused(response):
                return _envelope(response)
            if attempt == 0:
                async with self._renewal:
                    # Parallel calls refused together renew the token once, not once each.
                    if self._token == token:
                        await self.handshake()
        raise AuthenticationError(
            "the portal answered 'Authorization failed.' even after a fresh handshake; "
            f"MAC {shown_mac(self.mac)} is probably not authorised",
            redact_url(url),
        )

    async def profile(self) -> JsonObject:
        """``get_profile``; refuses an unauthorised or blocked MAC."""
        profile = self._object(await self.call(type="stb", action="get_profile"), "get_profile")
        if str(profile.get("blocked", "0")) == "1":
            raise AccountBanned(
                f"the portal knows MAC {shown_mac(self.mac)} but has blocked it",
                redact_url(self.api_url),
            )
        status = profile.get("status", 0)
        if str(status) not in ("0", ""):
            raise AuthenticationError(
                f"MAC not authorised: the portal's get_profile status is {status} for "
                f"{shown_mac(self.mac)}; register the MAC with the portal or use another",
                redact_url(self.api_url),
            )
        return profile

    async def main_info(self) -> JsonObject:
        """``get_main_info``: the account's expiry text and such."""
        js = await self.call(type="account_info", action="get_main_info")
        return self._object(js, "get_main_info")

    async def categories(self, kind: str) -> list[JsonObject]:
        """Genres (``itv``) or categories (``vod``, ``series``): ``[{"id", "title"}]``."""
        action = "get_genres" if kind == "itv" else "get_categories"
        return self._objects(await self.call(type=kind, action=action), f"{kind} {action}")

    async def all_channels(self) -> list[JsonObject]:
        """Every live channel in one answer."""
        js = await self.call(type="itv", action="get_all_channels")
        return self._objects(self._object(js, "get_all_channels").get("data"), "get_all_channels")

    async def listings(
        self, queries: list[dict[str, str | int]], on_items: ItemsProgress | None = None
    ) -> list[list[JsonObject]]:
        """All items of each paged ``get_ordered_list`` query, pages fetched concurrently."""
        tally = _Tally(len(queries), on_items)
        return await gather_all([self.all_pages(query, tally) for query in queries])

    async def all_pages(
        self, query: dict[str, str | int], tally: _Tally | None = None
    ) -> list[JsonObject]:
        """Every item of one paged query, within the paging guards (see the module notes)."""
        tally = tally or _Tally(1, None)
        answer = await self.call(**query, p=1)
        if isinstance(answer, list):
            # An unpaged list (VOD-series seasons and episodes): the whole answer; [] is
            # also how PHP encodes an empty one.
            tally.announce(len(answer))
            items = self._objects(answer, "get_ordered_list")
            tally.add(len(items))
            return items
        first = self._object(answer, "get_ordered_list")
        total = _count(first.get("total_items"))
        items = self._objects(first.get("data"), "get_ordered_list")
        if total is None:
            raise ProtocolError(
                "a get_ordered_list answer has no total_items", redact_url(self._url(query))
            )
        tally.announce(total)
        tally.add(len(items))
        size = _count(first.get("max_page_items")) or len(items)
        if total <= len(items):
            return items
        if not size:
            raise ProtocolError(
                f"the portal announces {total:,} items but its first page is empty",
                redact_url(self._url(query)),
            )
        pages = math.ceil(total / size)
        if pages > MAX_PAGES:
            raise ProtocolError(
                f"the portal announces {total:,} items in pages of {size}: more than the "
                f"{MAX_PAGES:,}-page limit, which no real listing needs",
                redact_url(self._url(query)),
            )
        rest = await gather_all([self._page(query, p, tally) for p in range(2, pages + 1)])
        for page_items in rest:
            items.extend(page_items)
        unique = _unique(items)
        if len(unique) < total:
            # Items shift between pages when the catalogue changes mid-read; one extra page
            # picks up the straggler. More than that and the announced total is false.
            unique = _unique(unique + await self._page(query, pages + 1, tally))
        if len(unique) < total:
            raise ProtocolError(
                f"the portal announced {total:,} items but served {len(unique):,} over "
                f"{pages + 1} pages of {size}",
                redact_url(self._url(query)),
            )
        return unique

    async def _page(
        self, query: dict[str, str | int], page: int, tally: _Tally
    ) -> list[JsonObject]:
        js = self._object(await self.call(**query, p=page), "get_ordered_list")
        items = self._objects(js.get("data"), "get_ordered_list")
        tally.add(len(items))
        return items

    async def create_link(self, kind: str, cmd: str, series: int | None = None) -> str:
        """The playable URL ``create_link`` gives for one entry's ``cmd``.

        ``kind`` is ``itv`` (live) or ``vod`` (films and episodes); ``series`` is the episode
        number when ``cmd`` is a whole season's or a multi-part film's. A portal answering an
        error, HTML, or no URL is a :class:`ProtocolError` that says which.
        """
        params: dict[str, str | int] = {
            "type": kind,
            "action": "create_link",
            "cmd": cmd,
            "disable_ad": "0",
            "download": "0",
        }
        if series is not None:
            params["series"] = series
        js = self._object(await self.call(**params), "create_link")
        error = js.get("error")
        if error:
            meaning = _LINK_ERRORS.get(str(error), f"the portal answered error {str(error)!r}")
            raise ProtocolError(f"create_link failed: {meaning}", redact_url(self.api_url))
        link = js.get("cmd")
        _, url = split_player(link) if isinstance(link, str) else ("", "")
        if not url:
            raise ProtocolError(
                "create_link answered no URL to play (an empty or missing cmd)",
                redact_url(self.api_url),
            )
        return absolute_url(url, self.api_url)

    def _object(self, js: Any, call: str) -> JsonObject:
        if isinstance(js, dict):
            return js
        if js is None or js is False or js == []:
            return {}  # PHP encodes an empty array, object or not, as []
        raise ProtocolError(
            f"{call} answered a JSON {type(js).__name__} where an object belongs",
            redact_url(self.api_url),
        )

    def _objects(self, js: Any, call: str) -> list[JsonObject]:
        # Empty lists arrive as [], null or false depending on the portal's PHP version.
        if js is None or js is False or js == {}:
            return []
        if not isinstance(js, list):
            raise ProtocolError(
                f"{call} did not answer a list of objects", redact_url(self.api_url)
            )
        objects = [item for item in js if isinstance(item, dict)]
        if len(objects) < len(js):
            # One odd row (a number, a string) costs that row: the adapter counts it.
            for item in js:
                if not isinstance(item, dict):
                    self.skipped.append((f"{call} rows", "a row that is not an object", item))
        return objects


class _Tally:
    """Counts listed items as pages arrive, so that long listings can report progress.

    The total is known only once every listing's first page has announced its own.
    """

    def __init__(self, listings: int, report: ItemsProgress | None) -> None:
        self._unannounced = listings
        self._announced = 0
        self._read = 0
        self._report = report

    def announce(self, total: int) -> None:
        self._unannounced -= 1
        self._announced += total

    def add(self, count: int) -> None:
        self._read += count
        if self._report is not None:
            if self._unannounced > 0:
                self._report(self._read, None)
            else:
                self._report(min(self._read, self._announced), self._announced)


def _refused(response: Response) -> bool:
    # Only the head is looked at: stripping a whole multi-megabyte body would copy it.
    return response.body[:64].lstrip().startswith(_AUTH_FAILED)


def _envelope(response: Response) -> Any:
    answer = response.json()
    if not isinstance(answer, dict) or "js" not in answer:
        raise ProtocolError(
            'the answer is JSON but not a Stalker {"js": ...} envelope', redact_url(response.url)
        )
    return answer["js"]


def _count(value: Any) -> int | None:
    try:
        count = int(value)
    except (TypeError, ValueError):
        return None
    return count if count >= 0 else None


def _unique(items: list[JsonObject]) -> list[JsonObject]:
    seen: set[str] = set()
    unique = []
    for item in items:
        item_id = str(item.get("id"))
        if item_id not in seen:
            seen.add(item_id)
            unique.append(item)
    return unique


async def resolve_stalker_link_async(
    api_url: str,
    mac: str,
    kind: str,
    cmd: str,
    *,
    series: int | None = None,
    options: FetchOptions | None = None,
) -> str:
    """:func:`resolve_stalker_link` for callers already running an event loop."""
    options = options or FetchOptions(timeout=15.0, retries=1)
    mac = normalize_mac(mac)
    headers = session_headers(portal_root(api_url) + "c/")
    async with HttpClient(options, headers=headers, cookies=session_cookies(mac)) as http:
        client = StalkerClient(http, api_url, mac)
        try:
            await client.handshake()
            await client.profile()
            return await client.create_link(kind, cmd, series)
        except SourceError as error:
            error.args = (f"could not get a link to play: {error.args[0]}", *error.args[1:])
            raise


class LinkOptions(TypedDict, total=False):
    """The keywords of :func:`resolve_stalker_link`: the series number, the fetch policy."""

    series: int | None
    options: FetchOptions | None


def resolve_stalker_link(
    api_url: str, mac: str, kind: str, cmd: str, **keywords: Unpack[LinkOptions]
) -> str:
    """Log in to the portal at ``api_url`` as ``mac`` and return the URL ``create_link`` gives.

    A fresh session each time (handshake, ``get_profile``, ``create_link``), as a box does
    when it starts a stream: links are short-lived, so each is made when it is played, and
    every request goes through one :class:`HttpClient` under ``options``' rate ceiling.
    Raises :class:`~castwatch.errors.SourceError` subclasses naming what failed.
    """
    return run_sync(resolve_stalker_link_async(api_url, mac, kind, cmd, **keywords))
