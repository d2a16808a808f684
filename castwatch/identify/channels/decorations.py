"""What panels put around a channel name, and how each piece is taken off and kept.

The pieces, in the order
:func:`castwatch.identify.channels.names.normalize_channel_name` takes them:
a section header (``##### FRANCE #####`` is no channel), a time shift (``+1``), bracketed
codes and tags (``(FR)``, ``[BACKUP]``), codes and tags in front (``FR|``, ``|AR|``, ``4K|``,
``UNITED KINGDOM »``), quality and codec tags anywhere (``FHD``, ``H.265``, ``50FPS``), tags
that only count at the end (``RAW``, ``B``, ``S2``) and bare codes or country names at
either end (``TF1 FR``, ``TUDN MEXICO``). A bare code may also be part of the name (``AR
RAHMA``), so the name with it is kept as a variant for the matcher to try.

Text reaching this module is already folded (lower case, no accents). To recognise a new
tag, add it to :data:`TAGS` (anywhere), :data:`TRAILING_TAGS` (at the end only) or
:data:`BRACKET_TAGS` (only inside brackets).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from castwatch.identify.channels.hints import LOOSE_CODES, NO_HINT, Hint, code_hint, is_country_name


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


#: Tags removed wherever they stand: quality, codec, frame rate, copy kind.
TAGS: dict[str, str] = {
    **{t: t.upper() for t in _words("sd hd fhd uhd qhd hq lq 4k 8k 2k hdr hdr10 sdr hevc h265 "
                                    "h264 x265 x264 avc fps backup vip multi multisub "
                                    "multiaudio vostfr vost")},
    "fullhd": "FHD", "ultrahd": "UHD", "bkp": "BACKUP",
}  # fmt: skip
TAG_PAIRS: dict[tuple[str, str], str] = {
    ("full", "hd"): "FHD", ("ultra", "hd"): "UHD", ("h", "265"): "H265", ("h", "264"): "H264",
    ("x", "265"): "H265", ("multi", "audio"): "MULTIAUDIO", ("multi", "sub"): "MULTISUB",
}  # fmt: skip
#: Tags that are only tags at the end of a name (``WWE RAW`` is not, ``TF1 RAW`` is).
TRAILING_TAGS: dict[str, str] = {
    "raw": "RAW", "b": "BACKUP", "bk": "BACKUP", "alt": "ALT", "dual": "DUAL", "vo": "VO",
    "orig": "ORIG",
}  # fmt: skip
#: Words that only bracketed are tags: ``[LIVE]``, ``(NEW)``, ``[TEST]``.
BRACKET_TAGS: dict[str, str] = {"live": "LIVE", "new": "NEW", "test": "TEST", "direct": "LIVE"}
#: Words that name a backup link when a number follows (``SERVER 2``, ``LINK 3``).
LINK_WORDS = frozenset(_words("backup alt link server srv opt option mirror source src feed"))
#: Words of section headers (``===== UK SPORTS =====``) besides codes and country names.
GENRE_WORDS = frozenset(
    _words(
        "sport sports news kids movies movie cinema films film series music documentary docs "
        "entertainment general channels channel chaines tv live vip events event ppv vod radio "
        "religious adult uhd fhd hd 4k"
    )
)
_RESOLUTION = re.compile(r"\d{3,4}[pi]|\d{2,3}fps")
_RESOLUTION_NUMBERS = frozenset({"480", "576", "720", "1080", "2160"})
_SERVER = re.compile(r"s\d{1,2}")
_BRACKET = re.compile(r"[(\[{]([^()\[\]{}]{0,24})[)\]}]")
_LEADING_JUNK = re.compile(r"^[^\w+]+")
# A code in front of the name: the word, the space after it, then what separates it.
_PREFIX = re.compile(r"([^\W_]{1,11})(\s*)((?:[^\w\s+'.!]|_)*)\s*")
_PREFIX_TWO_WORDS = re.compile(r"([^\W_]{2,11})[ -]([^\W_]{2,11})(\s*)((?:[^\w\s+'.!]|_)+)\s*")
_SPLIT = re.compile(r"[\W_]+")
_HEADER_EDGES = re.compile(r"^\W*?([^\w\s])\1+.*?([^\w\s])\2+\W*$")
_LONG_RUN = re.compile(r"([^\w\s])\1\1")


class Collected:
    """What normalisation takes off a name on its way to the tokens."""

    __slots__ = ("glued", "hint", "kept", "notes", "tags", "timeshift")

    def __init__(self) -> None:
        self.hint = NO_HINT
        self.tags: list[str] = []
        self.notes: list[str] = []
        self.timeshift: int | None = None
        #: Readings with a stripped bare code put back (``AR RAHMA``).
        self.kept: list[tuple[str, ...]] = []
        #: Codes that were glued to the name by a hyphen (``FR-TF1``), tried as part of it.
        self.glued: list[str] = []

    def code(self, word: str, hint: Hint, how: str) -> None:
        self.hint = self.hint | hint
        self.notes.append(f"{how}:{word.upper()}")

    def tag(self, tag: str) -> None:
        if tag not in self.tags:
            self.tags.append(tag)


def is_header(text: str, find_words: Callable[[str], list[str]]) -> bool:
    """``##### FRANCE #####``: symbols on both sides and only codes and genre words inside."""
    if _HEADER_EDGES.match(text) is None:
        return False
    if _LONG_RUN.search(text[:6]) and _LONG_RUN.search(text[-6:]):
        return True  # three of a kind on both sides: a header whatever it says
    words = [w for w in find_words(text) if w != "+"]
    return all(w in GENRE_WORDS or code_hint(w) is not None for w in words)


def _word_kind(word: str, brackets: bool = False) -> tuple[str, str | Hint] | None:
    tag = TAGS.get(word)
    if tag is None and brackets:
        tag = TRAILING_TAGS.get(word) or BRACKET_TAGS.get(word)
        if tag is None and _SERVER.fullmatch(word):
            tag = "SERVER"
    if tag is not None:
        return "tag", tag
    hint = code_hint(word)
    if hint is not None:
        return "code", hint
    return None


def strip_brackets(text: str, found: Collected) -> str:
    """Bracketed codes and tags out (``(FR)``, ``[BACKUP]``); other brackets opened."""

    def replace(match: re.Match[str]) -> str:
        words = [w for w in _SPLIT.split(match.group(1)) if w]
        joined = code_hint("".join(words)) if len(words) > 1 else None
        if joined is not None:  # "(UNITED KINGDOM)"
            found.code("".join(words), joined, "bracket")
            return " "
        kinds = [_word_kind(w, brackets=True) for w in words]
        if not words or any(k is None for k in kinds):
            return f" {match.group(1)} "
        for word, kind in zip(words, kinds, strict=True):
            assert kind is not None
            if isinstance(kind[1], Hint):
                found.code(word, kind[1], "bracket")
            else:
                found.tag(kind[1])
        return " "

    return _BRACKET.sub(replace, text)


def strip_prefixes(text: str, found: Collected) -> str:
    """Codes and tags in front of the name, each followed by a separator (``FR|``, ``4K|``)."""
    for _ in range(5):
        text = _LEADING_JUNK.sub("", text)
        two = _PREFIX_TWO_WORDS.match(text)
        if two is not None and (hint := code_hint(two.group(1) + two.group(2))) is not None:
            found.code(two.group(1) + two.group(2), hint, "prefix")  # "UNITED KINGDOM »"
            text = text[two.end() :]
            continue
        match = _PREFIX.match(text)
        if match is None or not match.group(3):
            break  # a bare word in front is judged later, on tokens
        word, separator = match.group(1), match.group(3)
        kind = _word_kind(word)
        if kind is None:
            break
        if isinstance(kind[1], Hint):
            if separator == "-" and not match.group(2) and word not in LOOSE_CODES:
                break  # "AL-JAZEERA": a hyphen with no space joins words
            found.code(word, kind[1], "prefix")
            if separator in ("-", "_") and not match.group(2):
                found.glued.append(word)  # "FR-TF1" or "AR-RAHMA": try both
        else:
            found.tag(kind[1])
        text = text[match.end() :]
    return text


def take_tags(words: list[str], found: Collected) -> list[str]:
    """The words without the tags that count wherever they stand."""
    core: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        pair = TAG_PAIRS.get((word, words[i + 1])) if i + 1 < len(words) else None
        if pair is not None:
            found.tag(pair)
            i += 2
            continue
        tag = TAGS.get(word)
        if tag is None and word[:1].isdigit() and _RESOLUTION.fullmatch(word):
            tag = word.upper()
        if tag is not None:
            found.tag(tag)
            if word in LINK_WORDS and i + 1 < len(words) and words[i + 1].isdigit():
                i += 1  # "BACKUP 2": the number belongs to the backup
        else:
            core.append(word)
        i += 1
    return core


def _is_bare_code(word: str) -> bool:
    return word in LOOSE_CODES or is_country_name(word)


def take_ends(core: list[str], found: Collected, bare_codes: bool = True) -> list[str]:
    """Trailing tags, then bare codes and country names at either end (kept as variants)."""
    while len(core) > 1:
        last = core[-1]
        if last.isdigit() and len(core) > 2 and core[-2] in LINK_WORDS:
            found.tag("BACKUP")
            del core[-2:]
        elif last in TRAILING_TAGS or (last[:1] == "s" and _SERVER.fullmatch(last)):
            found.tag(TRAILING_TAGS.get(last, "SERVER"))
            core.pop()
        elif last in _RESOLUTION_NUMBERS:
            found.tag(f"{last}P")
            core.pop()
        elif bare_codes and len(core) > 2 and is_country_name(core[-2] + last):
            # "HBO LATIN AMERICA": a two-word area, read whole (not "america" alone).
            found.kept.append(tuple(core))
            found.code(core[-2] + last, code_hint(core[-2] + last) or NO_HINT, "suffix")
            del core[-2:]
        elif bare_codes and _is_bare_code(last) and (len(core) > 2 or not core[-2].isdigit()):
            # "TF1 FR", "TUDN MEXICO"; not "2 FR", which may be a name of its own.
            found.kept.append(tuple(core))
            found.code(last, code_hint(last) or NO_HINT, "suffix")
            core.pop()
        else:
            break
    if bare_codes and len(core) > 1 and _is_bare_code(core[0]) and not core[1].isdigit():
        found.kept.append(tuple(core))
        found.code(core[0], code_hint(core[0]) or NO_HINT, "prefix")
        core = core[1:]
    return core
