"""Credentials embedded in stream URLs: split them out, put them back, keep them out of sight.

Pirate services hand every subscriber URLs such as ``http://h:8080/live/USER/PASS/123.ts`` or
``get.php?username=USER&password=PASS``. castwatch stores the URL with placeholders
(``{username}``, ``{password}``) and the credentials once, encrypted, so that exports, logs
and error messages never show them unless the analyst asks for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote_plus, unquote_plus, urlsplit, urlunsplit

USERNAME = "{username}"
PASSWORD = "{password}"
MAC = "{mac}"

# Xtream path forms: /live/U/P/ID.ext, /movie/U/P/ID.ext, /series/U/P/ID.ext,
# /timeshift/U/P/..., and the short live form /U/P/ID[.ext].
_PREFIXED_PATH = re.compile(r"^(/(?:live|movie|series|timeshift|hls|play)/)([^/]+)/([^/]+)(/.+)$")
_SHORT_PATH = re.compile(r"^/([^/]+)/([^/]+)/(\d+(?:\.\w{1,5})?)$")
_USER_KEYS = frozenset({"username", "user", "login"})
_PASS_KEYS = frozenset({"password", "pass", "pwd"})
_MAC_KEYS = frozenset({"mac"})


@dataclass(slots=True, frozen=True)
class Credentials:
    """An account on a pirate service: Xtream username/password or a Stalker MAC address."""

    username: str | None = None
    password: str | None = None
    mac: str | None = None

    def __bool__(self) -> bool:
        return bool(self.username or self.password or self.mac)

    def redacted(self) -> str:
        """A display form that shows the account exists without showing it."""
        parts = []
        if self.username:
            parts.append(f"user {self.username[:1]}***")
        if self.password:
            parts.append("password ***")
        if self.mac:
            parts.append(f"mac {self.mac[:8]}***")
        return ", ".join(parts) or "none"


def split_credentials(url: str) -> tuple[str, Credentials | None]:
    """Return ``url`` with credentials replaced by placeholders, and the credentials found.

    URLs that do not parse (broken schemes, stray spaces) come back unchanged with ``None``.
    """
    if "/" not in url and "=" not in url:
        return url, None
    try:
        parts = urlsplit(url)
    except ValueError:
        return url, None
    username = password = mac = None
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        user, _, pw = userinfo.partition(":")
        username, password = user or None, pw or None
        netloc = f"{USERNAME}:{PASSWORD}@{hostport}" if pw else f"{USERNAME}@{hostport}"
    path = parts.path
    m = _PREFIXED_PATH.match(path)
    if m:
        username, password = m.group(2), m.group(3)
        path = f"{m.group(1)}{USERNAME}/{PASSWORD}{m.group(4)}"
    elif parts.scheme in ("http", "https") and (m := _SHORT_PATH.match(path)):
        username, password = m.group(1), m.group(2)
        path = f"/{USERNAME}/{PASSWORD}/{m.group(3)}"
    query = parts.query
    if query and "=" in query:
        # Rewrite the raw pairs in place (no re-encoding) so restore gives back the exact URL.
        rewritten = []
        for pair in query.split("&"):
            key, sep, raw = pair.partition("=")
            low, value = key.lower(), unquote_plus(raw)
            if sep and raw and low in _USER_KEYS:
                username, pair = value, f"{key}={USERNAME}"
            elif sep and raw and low in _PASS_KEYS:
                password, pair = value, f"{key}={PASSWORD}"
            elif sep and raw and low in _MAC_KEYS:
                mac, pair = value, f"{key}={MAC}"
            rewritten.append(pair)
        query = "&".join(rewritten)
    credentials = Credentials(username, password, mac)
    if not credentials:
        return url, None
    return urlunsplit((parts.scheme, netloc, path, query, parts.fragment)), credentials


def restore_credentials(url: str, credentials: Credentials | None) -> str:
    """Put credentials back into a URL made by :func:`split_credentials`."""
    if credentials is None:
        return url
    for placeholder, value in (
        (USERNAME, credentials.username),
        (PASSWORD, credentials.password),
        (MAC, credentials.mac),
    ):
        if value is None:
            continue
        # In a query string the value was percent-decoded when split; encode it back there.
        head, sep, query = url.partition("?")
        head = head.replace(placeholder, value)
        query = query.replace(placeholder, quote_plus(value, safe=":"))
        url = head + sep + query
    return url


def redact_url(url: str) -> str:
    """``url`` safe to print: credentials replaced by placeholders."""
    return split_credentials(url)[0]
