"""The Xtream Codes player API on the wire: ``player_api.php`` calls and their answers.

This module knows the URLs, the JSON shapes and how panels signal refusal; it returns plain
dicts and lists as the server sent them (after shape checks) and leaves building the catalog
model to :mod:`castwatch.sources.xtream`. Shapes and variations: ``docs/protocols.md``.
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlencode

from castwatch.catalog.credentials import redact_url
from castwatch.errors import (
    AccountBanned,
    AuthenticationError,
    HttpStatusError,
    ProtocolError,
    SourceError,
)
from castwatch.net.client import HttpClient, Response
from castwatch.sources.clients.xtream_shapes import (
    SeriesEpisodes,
    find_duplicate_keys,
    flatten_series_info,
    has_duplicate_keys,
)

#: The three catalogues a panel serves; ``vod`` is films.
StreamKind = Literal["live", "vod", "series"]

_LIST_ACTIONS: dict[StreamKind, str] = {
    "live": "get_live_streams",
    "vod": "get_vod_streams",
    "series": "get_series",
}
_BANNED_STATUSES = frozenset({"banned", "disabled", "expired"})
JsonObject = dict[str, Any]
_DUPLICATES = "duplicate JSON keys (the last value was kept)"
#: Marks "parse the body yourself" for :func:`object_list`, since ``None`` is a JSON value.
_UNPARSED: Any = object()


class XtreamApiUnavailable(ProtocolError):
    """``player_api.php`` is missing (HTTP 404) or not JSON: the panel may serve only get.php.

    Kept apart from other protocol errors so that the adapter can fall back to the M3U
    playlist for exactly this case and no other.
    """

    @property
    def reason(self) -> str:
        """The message without the URL that ``str()`` appends."""
        return _reason(self)


class XtreamClient:
    """Calls one panel's player API as one account.

    Exists so that adapters never build ``player_api.php`` URLs or interpret panel refusals
    themselves. Every call goes through the shared :class:`HttpClient`, which bounds
    concurrency, rate, size and time.
    """

    def __init__(self, http: HttpClient, base_url: str, username: str, password: str) -> None:
        self.http = http
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.api_url = self.base_url + "player_api.php"
        self._account = {"username": username, "password": password}
        #: ``(reason, example)`` oddities met on the wire that lost nothing, for the warnings.
        self.notes: list[tuple[str, Any]] = []

    def call_url(self, **params: str | int) -> str:
        """The full URL of one API call, credentials included (redact before showing)."""
        return f"{self.api_url}?{urlencode({**self._account, **params})}"

    async def login(self) -> tuple[JsonObject, JsonObject]:
        """``(user_info, server_info)``; refuses banned accounts and wrong credentials."""
        url = self.call_url()
        try:
            response = await self.http.get(url)
        except HttpStatusError as exc:
            if exc.status in (401, 403):
                raise AuthenticationError(
                    f"the server refused username/password (HTTP {exc.status}); "
                    "check the credentials",
                    exc.url,
                ) from None
            if exc.status == 404:
                raise XtreamApiUnavailable(
                    "player_api.php is unusable: it answered HTTP 404", exc.url
                ) from None
            raise
        try:
            answer = response.json()
        except ProtocolError as exc:
            raise XtreamApiUnavailable(
                f"player_api.php is unusable: {_reason(exc)}", exc.url
            ) from None
        shown = redact_url(response.url)
        self._check_login_keys(response.body, shown)
        user_info = answer.get("user_info") if isinstance(answer, dict) else None
        if not isinstance(user_info, dict):
            raise ProtocolError(
                "the login answer has no user_info object: is this an Xtream Codes panel?", shown
            )
        if str(user_info.get("auth", "1")) == "0":
            raise AuthenticationError(
                "the server refused username/password (user_info.auth = 0); check the credentials",
                shown,
            )
        status = str(user_info.get("status") or "Active")
        if status.lower() in _BANNED_STATUSES:
            raise AccountBanned(
                f"the account exists but its status is {status!r}; "
                "use another account to read this service",
                shown,
            )
        server_info = answer.get("server_info")
        return user_info, server_info if isinstance(server_info, dict) else {}

    def _check_login_keys(self, body: bytes, shown: str) -> None:
        """Refuse a login answer that contradicts itself; note harmless repeats.

        orjson keeps the last of repeated keys, so ``"status":"Banned", ..., "status":
        "Active"`` would read as an active account: a panel (or a proxy in front of it)
        that says both is not believed either way.
        """
        for duplicate in find_duplicate_keys(body):
            where = f"{duplicate.path}.{duplicate.key}" if duplicate.path else duplicate.key
            if duplicate.conflicting and duplicate.path == "user_info":
                given = ", ".join(repr(value) for value in duplicate.values)
                raise ProtocolError(
                    f"the login answer gives {where} more than once with different values "
                    f"({given}); castwatch will not guess which one the panel means. Look at the "
                    "login answer by hand or read the service with another account",
                    shown,
                )
            self.notes.append(("duplicate JSON keys in the login answer", where))

    async def categories(self, kind: StreamKind) -> list[Any]:
        """``[{"category_id", "category_name", "parent_id"}]`` for live, vod or series."""
        response = await self.http.get(self.call_url(action=f"get_{kind}_categories"))
        return object_list(response)

    async def streams(self, kind: StreamKind) -> list[Any]:
        """Every live stream, film or series the account can see (rows as sent)."""
        response = await self.http.get(self.call_url(action=_LIST_ACTIONS[kind]))
        answer = response.json()
        # Checked against the answer as parsed, before a keyed object becomes a list.
        if has_duplicate_keys(response.body, answer):
            self.notes.append((_DUPLICATES, _LIST_ACTIONS[kind]))
        return object_list(response, answer)

    async def series_info(self, series_id: str) -> SeriesEpisodes:
        """The episodes of one series, flattened across seasons; see :func:`flatten_series_info`.

        An answer that is no series at all (a string, a number, invalid JSON) is a
        :class:`ProtocolError`; episodes that cannot be read are listed in ``bad``.
        """
        response = await self.http.get(self.call_url(action="get_series_info", series_id=series_id))
        answer = response.json()
        try:
            episodes = flatten_series_info(answer)
        except ValueError as exc:
            raise ProtocolError(str(exc), redact_url(response.url)) from None
        if has_duplicate_keys(response.body, answer):
            episodes.notes.append((_DUPLICATES, series_id))
        return episodes


def _reason(error: SourceError) -> str:
    text = str(error.args[0]) if error.args else ""
    suffix = f" ({error.url})"
    return text[: -len(suffix)] if error.url and text.endswith(suffix) else text


def object_list(response: Response, answer: Any = _UNPARSED) -> list[Any]:
    """A JSON list, tolerating the empty forms panels send (``{}``, ``null``).

    Some panels serve a list as an object keyed by id; its values are taken in order. Items
    are returned as sent: one that is not an object is the adapter's to skip and count, so
    that one bad row never costs the whole list.
    """
    if answer is _UNPARSED:
        answer = response.json()
    if answer is None:
        return []
    if isinstance(answer, dict):
        answer = list(answer.values())
    if not isinstance(answer, list):
        raise ProtocolError(
            f"expected a JSON list but got a {type(answer).__name__}", redact_url(response.url)
        )
    return answer
