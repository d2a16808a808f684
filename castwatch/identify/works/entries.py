"""How works are keyed: title keys, hashes, kinds, the entry layout, and the typo tests.

The works matcher (:mod:`castwatch.identify.works.matcher`) indexes up to millions of works;
this module holds the pieces that define its keys and entries (built and stored by
:mod:`castwatch.identify.works.index`) and the word-level tests of its fuzzy rule, so the
decision rules there stay readable.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from array import array
from difflib import SequenceMatcher
from functools import lru_cache

from rapidfuzz.distance import OSA

from castwatch.catalog.registry import WorkKind
from castwatch.identify.works.keys import title_tokens

FILM, SERIES = 0, 1
KINDS = {WorkKind.FILM: FILM, WorkKind.SERIES: SERIES}
KIND_NAMES = ("film", "series")
QUERY_KINDS = {"film": FILM, "movie": FILM, "vod": FILM, "series": SERIES,
                "episode": SERIES, "tv": SERIES, "show": SERIES}  # fmt: skip
#: A composite index entry is (key hash << 29) | (which title << 27) | work number: one
#: sorted array of 8-byte ints instead of a dict of strings, a tenth of the memory.
INDEX_BITS = 27
INDEX_MASK = (1 << INDEX_BITS) - 1
#: Two bits between hash and work number say which title the key came from.
SHIFT = INDEX_BITS + 2
VIA = ("title", "original-title", "main-title")
MAX_WORKS = 1 << INDEX_BITS
for _code, _size in (("Q", 8), ("I", 4), ("H", 2), ("B", 1)):
    if array(_code).itemsize != _size:  # pragma: no cover - exotic platforms only
        raise ImportError(f"array typecode {_code!r} is not {_size} bytes on this platform")


@lru_cache(maxsize=1 << 16)
def tokens_of(text: str) -> tuple[str, ...]:
    return tuple(title_tokens(text))


def fold_key(text: str) -> str:
    return "".join(tokens_of(text))


def crc32_of(text: str) -> int:
    """A 32-bit hash for title keys and words: fast, and a collision only costs a check."""
    return zlib.crc32(text.encode())


def hash64(text: str) -> int:
    """A 35-bit hash for external ids, which are trusted without a second look."""
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> SHIFT


def add_work_keys(keys: dict[str, int], text: str, key: str, original: bool) -> None:
    """Add the keys a title is found by: its own, and its main title's (``dune`` for
    ``Dune: Part One``), each with the number of the rule it stands for in :data:`VIA`."""
    if key:
        keys.setdefault(key, int(original))
    if (main := main_title(text)) and (main_key := fold_key(main)):
        keys.setdefault(main_key, 2)


_VOWELS = str.maketrans("", "", "aeiouy")
_RUNS = re.compile(r"(.)\1+")


@lru_cache(maxsize=1 << 16)
def consonant_skeleton(key: str) -> str:
    """A key's first letter and its consonants, runs collapsed: ``Farggo`` meets ``Fargo``."""
    if len(key) < 4:
        return ""
    return _RUNS.sub(r"\1", key[0] + key[1:].translate(_VOWELS))


def main_title(title: str) -> str | None:
    """``Dune`` of ``Dune: Part One``: the part before a subtitle, if the rest says more."""
    if ":" not in title and " - " not in title and "–" not in title and "—" not in title:
        return None
    for separator in (": ", " - ", " – ", " — "):
        head, found, tail = title.partition(separator)
        if found and fold_key(head) and fold_key(tail):
            return head
    return None


def external_id_key(scheme: str, value: str, kind: int | None) -> str | None:
    """``imdb:tt0133093`` or ``tmdb:0:603`` (tmdb numbers films and series apart)."""
    value = value.strip().lower()
    # isascii too: "²".isdigit() is true, and int() refuses it.
    if scheme == "imdb" and value.startswith("tt") and value[2:].isascii() and value[2:].isdigit():
        return f"imdb:tt{int(value[2:]):07d}"
    numeric = value.isascii() and value.isdigit()
    if scheme == "tmdb" and numeric and int(value) > 0 and kind is not None:
        return f"tmdb:{kind}:{int(value)}"
    return None


def words_agree(mine: list[str], theirs: list[str]) -> bool:
    """Every word of each title has a near twin in the other: typos pass, other words do not.

    ``Memory of the Mountain`` reads 79% like ``Winter of the Mountain`` letter by letter;
    word by word, ``memory`` has no twin.
    """
    if abs(len(mine) - len(theirs)) > 1 or not mine or not theirs:
        return "".join(mine) == "".join(theirs)
    for words, other in ((mine, theirs), (theirs, mine)):
        present = set(other)
        for word in words:
            # The same word, else one as long or nearly (a ratio needs 0.35 of both
            # lengths in common, so one shorter than that is no twin) that reads alike.
            if word not in present and not any(_near_twins(word, twin) for twin in other):
                return False
    return True


@lru_cache(maxsize=1 << 16)
def _near_twins(one: str, other: str) -> bool:
    # Cached: the same pairs of words meet again and again (three times in four at scale).
    shorter, total = min(len(one), len(other)), len(one) + len(other)
    if 20 * shorter < 7 * total:
        return False
    return SequenceMatcher(None, one, other).ratio() >= 0.7


def within_edits(one: str, other: str, limit: int) -> bool:
    """Whether at most ``limit`` insertions, deletions, substitutions or swaps of neighbours
    turn ``one`` into ``other`` (optimal string alignment distance, stopped early)."""
    # rapidfuzz's OSA is this very distance, in C; score_cutoff stops it past ``limit``.
    return OSA.distance(one, other, score_cutoff=limit) <= limit


def digits_of(key: str) -> str:
    return "".join(char for char in key if char.isdigit())
