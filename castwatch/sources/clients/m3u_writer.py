"""Write extended M3U that :mod:`castwatch.sources.clients.m3u` reads back as written.

Kept apart from the parser so that each stays one readable module; the quoting rule is the
parser's (a quote closes a value only where another ``name=``, the comma or the line end
follows), so the writer uses the parser's own patterns.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping

from castwatch.sources.clients.m3u import (
    _DQ_CLOSER,
    _SPECIAL,
    _SQ_CLOSER,
    _VALID_NAME,
    PlaylistItem,
)


def quote_value(value: str) -> str:
    """``value`` quoted so that :func:`parse_extinf` reads it back.

    Double quotes, or single quotes around a value holding ``"``; a value holding both kinds
    is wrapped in whichever no inner quote would close early (by the rule in the module
    docstring). One holding ``",`` and ``',`` (say) fits neither and is written
    double-quoted with its ``"`` turned into ``'``: the one lossy case.
    """
    value = _text(value)
    if '"' not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    # A closing quote is sought in value + quote: the first one found must be the added one.
    if _closes_last(_DQ_CLOSER, value, '"'):
        return f'"{value}"'
    if _closes_last(_SQ_CLOSER, value, "'"):
        return f"'{value}'"
    return '"' + value.replace('"', "'") + '"'


def write_m3u(
    items: Iterable[PlaylistItem], header: Mapping[str, str] | None = None
) -> Iterator[str]:
    """Playlist text, one line per string, that :func:`parse_m3u` reads back as ``items``.

    Free text is made writable first: ``\\n`` becomes a space, U+FEFF goes, titles and
    ``#EXTGRP`` are stripped (the parser would strip them), attribute values are quoted by
    :func:`quote_value`. What cannot be written raises :class:`ValueError`: an attribute
    name the grammar cannot read, an empty URL or one starting with ``#``, a directive that
    is not a ``#`` line or would read as another kind, an option key holding ``=``.
    """
    yield "#EXTM3U" + _attribute_text(header or {}) + "\n"
    for item in items:
        if item.duration is not None or item.title or item.attrs:
            duration = ""
            if item.duration is not None and math.isfinite(item.duration):
                number = item.duration
                duration = str(int(number)) if number.is_integer() else repr(number)
            title = _text(item.title).strip()
            yield f"#EXTINF:{duration}{_attribute_text(item.attrs)},{title}\n"
        if item.extgrp is not None:
            yield f"#EXTGRP:{_text(item.extgrp).strip()}\n"
        for prefix, options in (("#EXTVLCOPT:", item.vlcopts), ("#KODIPROP:", item.kodiprops)):
            for key, value in options:
                if "=" in key:
                    raise ValueError(f"option key {key!r} holds '='")
                yield f"{prefix}{_text(key)}={_text(value)}\n"
        for directive in item.directives:
            line = _text(directive).strip()
            if not line.startswith("#") or line.upper().startswith(_SPECIAL):
                raise ValueError(f"{directive!r} would not read back as a directive")
            yield line + "\n"
        url = _text(item.url).strip()
        if not url or url.startswith("#"):
            raise ValueError(f"URL {item.url!r} would not read back as a URL")
        yield url + "\n"


def _closes_last(closer: re.Pattern[str], value: str, quote: str) -> bool:
    match = closer.search(value + quote)
    return match is not None and match.start() == len(value)


def _text(text: str) -> str:
    return text.replace("\n", " ").replace("\ufeff", "")


def _attribute_text(attrs: Mapping[str, str]) -> str:
    parts = []
    for name, value in attrs.items():
        if not _VALID_NAME.match(name) or name.lower() != name or "\ufeff" in name:
            raise ValueError(f"attribute name {name!r} would not read back")
        parts.append(f" {name}={quote_value(value)}")
    return "".join(parts)
