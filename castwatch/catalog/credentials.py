"""Credentials embedded in stream URLs: split them out, put them back, keep them out of sight.

Pirate services hand every subscriber URLs such as ``http://h:8080/live/USER/PASS/123.ts`` or
``get.php?username=USER&password=PASS``. castwatch stores the URL with placeholders
(``{username}``, ``{password}``, ``{mac}``, ``{token}``...) and the credentials once,
encrypted, so that exports, logs and error messages never show them unless the analyst asks.

An account is read only from the shapes panels use, because a false account is worse than
none (it merges unrelated channels and fills cases with accounts nobody holds):

* ``user:pass@host`` in the authority;
* Xtream paths ``/live|movie|series/U/P/ID.ext`` and the short live form ``/U/P/ID[.ext]``
  (http and https only), both with a numeric ``ID``, and ``/timeshift/U/P/MIN/START/ID.ext``
  (catch-up, also as a ``{duration}/{start}`` template), and HLS segments
  ``/hls/U/P/ID/SEQ.ts``, and Stalker's ``/load/USER/TOKEN/...`` (a portal's link, also
  met in playlists converted from a portal);
  a ``U`` or ``P`` that is a word CDNs use as a directory (``live``, ``hls``, ``ramdisk``,
  ``_definst_``...) is no account, so Akamai ``/hls/live/<id>/``, Globecast
  ``/live/ramdisk/...``, Wowza ``/live/_definst_/`` and ``/live/hls/1.m3u8`` stay as they are;
* query parameters ``username``/``user``/``login``, ``password``/``pass``/``pwd``, ``mac``;
* any other query parameter named like a secret (``token``, ``key``, ``auth``, ``sig``,
  ``signature``, ``sid``, ``hash``, ``hdnts``, ``X-Amz-Signature``...): its raw value goes to
  :attr:`Credentials.secrets` and the URL keeps ``{name}`` in its place.

Stalker's ``play_token`` is a named secret like the others; :attr:`Credentials.secrets`
holds any named secret.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote_plus, unquote_plus, urlsplit, urlunsplit

USERNAME = "{username}"
PASSWORD = "{password}"
MAC = "{mac}"

#: Path segments that CDNs and streaming servers use as directories: never an account.
STRUCTURAL_WORDS = frozenset(
    {
        "live", "hls", "dash", "vod", "movie", "movies", "series", "timeshift", "play",
        "stream", "streams", "channel", "channels", "media", "video", "videos", "tv", "iptv",
        "ramdisk", "_definst_", "cdn", "out", "playlist", "index", "abr", "manifest",
        "master", "content", "static", "mpegts", "ts", "m3u8", "api", "origin", "edge",
        "hls-live", "live2", "smil", "mp4", "audio", "radio", "tracks", "chunklist",
    }
)  # fmt: skip

_ID_LEAF = r"[0-9]+(?:\.[A-Za-z0-9]{1,5})?"
#: The account-shaped paths, ``/WORD/USER/PASS/LEAF``: the directory words and the leaf a
#: split needs, in the order tried. Printing (:func:`redact_url`) hides any leaf after them.
_ACCOUNT_PATHS: tuple[tuple[str, str], ...] = (
    # Xtream streams: `/live/U/P/ID.ts`, a numeric stream id.
    ("live|movie|series", _ID_LEAF),
    # Catch-up: `/timeshift/U/P/MINUTES/START/ID.ts`, also as a template (`{duration}/{start}`).
    ("timeshift", r"[^/]+/[^/]+/[^/]+"),
    # Xtream HLS segments: `/hls/U/P/ID/SEQ.ts`, numeric stream id and sequence number.
    ("hls", r"[0-9]+/[0-9]+\.ts"),
    # Stalker links (portals' and converters' playlists): `/load/USER/TOKEN/ID.mpegts`.
    ("(?i:load)", r".*"),
)  # fmt: skip
_SPLIT_PATHS = tuple(
    re.compile(rf"^/({words})/([^/]+)/([^/]+)/({leaf})$") for words, leaf in _ACCOUNT_PATHS
)
_SHORT_PATH = re.compile(rf"^/([^/]+)/([^/]+)/({_ID_LEAF})$")
_USER_KEYS = frozenset({"username", "user", "login"})
_PASS_KEYS = frozenset({"password", "pass", "pwd", "passwd"})
_MAC_KEYS = frozenset({"mac"})
#: Query parameter names whose values are secrets (compared lower-cased).
SECRET_NAMES = frozenset(
    {
        "token", "key", "auth", "sig", "signature", "sid", "hash", "secret", "apikey",
        "api_key", "access_token", "auth_token", "session", "sessionid", "session_id", "jwt",
        "hmac", "md5", "hdnts", "hdnea", "hdntl", "wmsauthsign", "policy", "credential",
        "play_token", "ticket", "authorization", "stalker_token", "passcode",
        # Stalker device identity, which portals check with the MAC.
        "sn", "serial", "device_id", "device_id2",
    }
)  # fmt: skip
_SECRET_SUFFIXES = (
    "token", "signature", "secret", "_key", "-key", "apikey", "password", "credential",
)  # fmt: skip
#: A secret's name must be fit for a ``{name}`` placeholder.
_PLACEHOLDER_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}\Z")


@dataclass(slots=True, frozen=True)
class Credentials:
    """An account on a pirate service: Xtream username/password, a Stalker MAC, URL secrets.

    ``secrets`` holds ``(placeholder name, raw value)`` pairs of secrets named in the URL
    (``token``, ``sig``...): ``restore_credentials`` puts each back where ``{name}`` stands.
    """

    username: str | None = None
    password: str | None = None
    mac: str | None = None
    secrets: tuple[tuple[str, str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.username or self.password or self.mac or self.secrets)

    def redacted(self) -> str:
        """A display form that shows the account exists without showing it (100 chars at most)."""
        parts = []
        if self.username:
            parts.append(f"user {self.username[:1]}***")
        if self.password:
            parts.append("password ***")
        if self.mac:
            parts.append(f"mac {self.mac[:8]}***")
        names = dict.fromkeys(name.partition("#")[0] for name, _ in self.secrets)
        parts.extend(f"{name} ***" for name in names)
        text = ", ".join(parts) or "none"
        # The label column holds 100 characters: a URL with many secrets must still store.
        return text if len(text) <= 100 else text[:97] + "..."


def is_secret_name(name: str) -> bool:
    """Whether a query parameter called ``name`` carries a secret by its name."""
    low = name.lower()
    return low in SECRET_NAMES or low.endswith(_SECRET_SUFFIXES)


def is_account_segment(segment: str) -> bool:
    """Whether a path segment may be a username or password (not a CDN directory word)."""
    return bool(segment) and segment.lower() not in STRUCTURAL_WORDS


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
        if username or password:
            netloc = f"{USERNAME}:{PASSWORD}@{hostport}" if pw else f"{USERNAME}@{hostport}"
    path, account = _split_path(parts.path, parts.scheme.lower())
    if account is not None:
        username, password = account
    query = parts.query
    secrets: list[tuple[str, str]] = []
    if query and "=" in query:
        # Rewrite the raw pairs in place (no re-encoding) so restore gives back the exact URL.
        rewritten = []
        for pair in query.split("&"):
            key, sep, raw = pair.partition("=")
            low = key.lower()
            if not (sep and raw):
                pass
            elif low in _USER_KEYS:
                username, pair = unquote_plus(raw), f"{key}={USERNAME}"
            elif low in _PASS_KEYS:
                password, pair = unquote_plus(raw), f"{key}={PASSWORD}"
            elif low in _MAC_KEYS:
                mac, pair = unquote_plus(raw), f"{key}={MAC}"
            elif is_secret_name(key) and _PLACEHOLDER_NAME.match(key):
                name = _unique_name(key, secrets)
                secrets.append((name, raw))
                pair = f"{key}={{{name}}}"
            rewritten.append(pair)
        query = "&".join(rewritten)
    credentials = Credentials(username, password, mac, tuple(secrets))
    if not credentials:
        return url, None
    return urlunsplit((parts.scheme, netloc, path, query, parts.fragment)), credentials


def _split_path(path: str, scheme: str) -> tuple[str, tuple[str, str] | None]:
    # The account-shaped forms, each with its leaf and no CDN word as an account.
    for form in _SPLIT_PATHS:
        match = form.match(path)
        if match and is_account_segment(match[2]) and is_account_segment(match[3]):
            return f"/{match[1]}/{USERNAME}/{PASSWORD}/{match[4]}", (match[2], match[3])
    if scheme in ("http", "https"):
        match = _SHORT_PATH.match(path)
        if match and is_account_segment(match[1]) and is_account_segment(match[2]):
            return f"/{USERNAME}/{PASSWORD}/{match[3]}", (match[1], match[2])
    return path, None


def _unique_name(key: str, taken: list[tuple[str, str]]) -> str:
    # A repeated parameter (`sig=a&sig=b`) gets `{sig#2}`: every placeholder restores one value.
    names = {name for name, _ in taken}
    if key not in names:
        return key
    number = 2
    while f"{key}#{number}" in names:
        number += 1
    return f"{key}#{number}"


def restore_credentials(url: str, credentials: Credentials | None) -> str:
    """Put credentials back into a URL made by :func:`split_credentials`."""
    if credentials is None:
        return url
    head, sep, query = url.partition("?")
    for name, raw in credentials.secrets:
        # Secrets were kept raw (as the URL spelled them): put them back byte for byte.
        query = query.replace(f"{{{name}}}", raw, 1)
    for placeholder, value in (
        (USERNAME, credentials.username),
        (PASSWORD, credentials.password),
        (MAC, credentials.mac),
    ):
        if value is None:
            continue
        # In a query string the value was percent-decoded when split; encode it back there.
        head = head.replace(placeholder, value)
        query = query.replace(placeholder, quote_plus(value, safe=":"))
    return head + sep + query


#: Print-only: an account-shaped prefix with any leaf (`/live/U/P/seg7.ts`, `/load/U/TOKEN/`).
#: Splitting stays strict (no false accounts are stored); printing errs on the side of hiding.
_PRINT_PATH = re.compile(
    rf"^(/(?:[^/]+/)*?(?:{'|'.join(words for words, _ in _ACCOUNT_PATHS)}))/([^/]+)/([^/]+)/"
)


def redact_url(url: str) -> str:
    """``url`` safe to print: credentials replaced by placeholders.

    Beyond what :func:`split_credentials` splits, a panel-shaped path prefix whose leaf is
    not a numeric id (an HLS base, a segment name, a Stalker ``/load/USER/TOKEN/`` link) is
    hidden too: a printed URL may over-redact, never leak.
    """
    redacted = split_credentials(url)[0]
    try:
        parts = urlsplit(redacted)
    except ValueError:
        return redacted
    match = _PRINT_PATH.match(parts.path)
    if (
        match
        and is_account_segment(match[2])
        and is_account_segment(match[3])
        and match[2] != USERNAME
    ):
        path = f"{match[1]}/{USERNAME}/{PASSWORD}/" + parts.path[match.end() :]
        return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))
    return redacted


# A URL inside free text: a scheme, then everything up to a space or a quote.
_URL_IN_TEXT = re.compile(r"""[A-Za-z][A-Za-z0-9+.-]*://[^\s'"<>]+""")
# `Authorization: Basic dXNlcjpwYXNz`: an HTTP auth scheme and its credentials.
_AUTH_HEADER = re.compile(
    r"""(?i)(?<![\w.-])(["']?authorization["']?\s*[:=]\s*["']?)"""
    r"""(?:(bearer|basic|digest|token|negotiate)\s+)?([^\s"'<>]+)"""
)
# A bearer token on its own, 8 characters or more ("the bearer of" stays, "bearer instrument"
# is hidden: over-redaction is the side to err on); `Basic` only after `Authorization:`.
_BEARER = re.compile(r"(?i)(?<![\w.-])(bearer)(\s+)([A-Za-z0-9._~+/-]{8,}=*)(?![^\s\"'<>])")
# `password=hunter2`, `token: abc`, `"sig": "abc"`: a name, `=` or `:`, then the value.
_NAMED_VALUE = re.compile(
    r"""(?<![\w.-])(["']?)([A-Za-z][\w.-]{0,63})\1(\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s&"'<>]+)"""
)
# A JSON Web Token on its own (`eyJhbGciOi...`): a header, a payload and a signature.
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
_ACCOUNT_NAMES = _USER_KEYS | _PASS_KEYS | _MAC_KEYS
#: What a value hidden from free text becomes.
HIDDEN = "***"


def redact_text(text: str) -> str:
    """``text`` safe to store and print: every URL redacted, and secrets of known shapes hidden.

    The rules, in order (docs/enforce.md, "Secrets in free text"): a URL goes through
    :func:`redact_url`; outside URLs, ``Authorization: SCHEME CREDENTIALS``,
    ``Bearer``/``Basic`` tokens, ``NAME=VALUE`` or ``NAME: VALUE`` where ``NAME`` is an
    account field or named like a secret (:func:`is_secret_name`), and JSON Web Tokens have
    their values replaced by ``***``. Over-redaction is accepted; a leak is not.
    """
    marks = ("://", "=", ":", "eyJ")
    if not any(mark in text for mark in marks) and "bearer" not in text.lower():
        return text
    if "://" not in text and " " not in text and "=" in text:
        # A bare query string or path (`get.php?username=U&password=P`): placeholders.
        text = redact_url(text)
    pieces: list[str] = []
    position = 0
    for match in _URL_IN_TEXT.finditer(text):
        found = match.group(0)
        # Sentence punctuation after a URL ("...1.ts: refused") is not part of it.
        url = found.rstrip(".,;:!?)]")
        pieces.append(_redact_shapes(text[position : match.start()]))
        pieces.append(redact_url(url))
        position = match.start() + len(url)
    pieces.append(_redact_shapes(text[position:]))
    return "".join(pieces)


def _redact_shapes(text: str) -> str:
    if not text:
        return text
    text = _AUTH_HEADER.sub(lambda m: m[1] + (f"{m[2]} " if m[2] else "") + _hidden(m[3]), text)
    text = _BEARER.sub(lambda m: m[1] + m[2] + _hidden(m[3]), text)
    text = _NAMED_VALUE.sub(_hide_named_value, text)
    return _JWT.sub(HIDDEN, text)


def _hide_named_value(match: re.Match[str]) -> str:
    name, value = match[2], match[4]
    low = name.lower()
    # `Authorization` was handled with its scheme word by `_AUTH_HEADER`.
    if low == "authorization" or not (low in _ACCOUNT_NAMES or is_secret_name(name)):
        return match[0]
    return match[0][: match.start(4) - match.start(0)] + _hidden(value)


def _hidden(value: str) -> str:
    # Placeholders (`{token}`) and values hidden already stay; quotes are kept around ***.
    bare = value.strip("\"'")
    if bare == HIDDEN or (bare.startswith("{") and bare.endswith("}")):
        return value
    quote = value[0] if value[:1] in ("'", '"') and value[-1:] == value[:1] else ""
    return f"{quote}{HIDDEN}{quote}"
