"""Shorter readings of a pirate name, for when its parsed title names no work.

:func:`~castwatch.identify.works.titles.parse_title` removes the tags it knows. Panels invent more
every month (``Dolby Vision``, ``Legendado``, ``(2 Liens)``, ``[Uptobox]``, ``iTunes``), and a
title with one of them left on finds nothing. :func:`trimmed_readings` proposes the spans of
the name's words that leave out only what looks like junk, longest first, and the matcher
(:mod:`castwatch.identify.works.matcher`) keeps the first span the catalogue knows. What may be
left out, by the word's shape or place, never by a list of the new words:

* known tags of any strength (``FRENCH``, ``CAM``), country codes, years, separators;
* brackets of words (``(2 Liens)``, ``[Uptobox]``): a title's own bracket stays in the span;
* words with a case no title word has (``iTALiAN``, ``iTunes``, ``NoTag``, ``MULTi``), glued
  release groups (``-EXTREME``), age ratings (``+18``);
* at most two other words, only when they are written in capitals in a name whose title is
  in mixed case (``FULL HD``, ``DOLBY VISION`` before ``MULTI-Tlam``), and only when they
  touch a tag or a bracket; before the title, only when the tag follows them (``ULTRA HD
  Train to Busan``): every name starts with a prefix, so ``[EN] Dead Man`` is not ``Man``.
  A word in the title's own case is never left out: it may be the word that makes the title
  another title (``Wind Chill`` is not ``Wind``, ``Paper Heart`` is not ``The Paper``,
  ``Alien from L.A.`` is not ``Alien``). A word next to nothing but the year stays
  (``Kari Tomo (2003)`` does not become ``Kari``), and so do numbers and articles: ``Toy
  Story 4`` is not ``Toy Story``, ``[MULTI] The Thief's Mountain`` is not ``Mountain``.

Each reading says how many such plain words it left out; the matcher lowers its confidence
for each.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from castwatch.identify.works.keys import STOPWORDS as _STOPWORDS

# The parser's own tests of a token: a shorter reading must judge a word as the parser does.
from castwatch.identify.works.titles import (
    _BRACKETS,
    _EDITION_PHRASES,
    _NUMBERED,
    _PREFIX_CODES,
    _STRIP_CHARS,
    _YEAR,
    _classify,
    _grouped,
    _has_content,
    _in_range,
    _is_separator,
    _join,
    _prepare,
    _split_episode,
    _weak,
)

#: At most this many plain (not tag-like) words are left out of a reading.
MAX_DROPPED_WORDS = 2
#: At most this many readings are proposed: a long name has many spans.
MAX_READINGS = 12
_ODD_CASE = re.compile(r"[a-z][A-Z]|^[A-Z]{2,}[a-z]$")
_NAME_CASE = re.compile(r"^(?:Mc|Mac|O'|D')[A-Z]")
_AGE_RATING = re.compile(r"^(?:[+-]\d{1,2}|\d{1,2}\+)$")
_GLUED_GROUP = re.compile(r"^-[^\W_]{2,12}$")
_PLACEHOLDER = "\x02"
#: Joiners inside a title: a span never starts, ends or is cut there (``Hunter & Wolf``).
_JOINERS = frozenset("&+")
# Token classes: separator, bracket, year, tag-like, plain word, a word never left out, and
# a bar (``|``, a decoration): a separator that ends a prefix.
_SEPARATOR, _BRACKET, _YEAR_TOKEN, _TAG, _PLAIN, _KEPT, _BAR = range(7)
_ANCHORS = frozenset({_TAG, _BRACKET})
#: Before the title a bar ends the prefix too: ``GERMAN Light | Prison Break``.
_PREFIX_ANCHORS = _ANCHORS | {_BAR}


class Trimmed(NamedTuple):
    """A shorter reading of a name: its title, its year, and how many plain words it left."""

    title: str
    year: int | None
    dropped_words: int


def trimmed_readings(head: str, year: int | None) -> list[Trimmed]:
    """Spans of ``head`` (a name's text before any episode marker) that leave out only junk.

    Longest first among those that drop fewest plain words; the full span is not proposed
    (it is what the parser already read, tags and all).
    """
    tokens, brackets = _tokens(head)
    size = len(tokens)
    if size < 2:
        return []
    shapes = [_shape(token) for token in tokens]
    # A plain word may be left out only when its shape says decoration: capitals in a name
    # whose title is in mixed case (``Dolby VISION``). A word in the title's own case may be
    # the word that makes it another title: Wind Chill is not Wind, Paper Heart not The Paper.
    mixed = any(character.islower() for character in head)
    shapes = [
        (_KEPT, shape[1], shape[2])
        if shape[0] == _PLAIN and not (mixed and _shouted(token))
        else shape
        for token, shape in zip(tokens, shapes, strict=True)
    ]
    classes = [shape[0] for shape in shapes]
    if _TAG not in classes and _BRACKET not in classes:
        return []  # nothing to trim that the parser did not already
    edges = [shape[1] for shape in shapes]
    inner = [shape[2] for shape in shapes]
    spans: list[tuple[int, int, int, int]] = []
    # Before the title, only a word followed by a tag goes (Ultra HD Train to Busan): the
    # name's prefix is always tag-like, so a tag before a word says nothing ([EN] Dead Man).
    left = [_dropped(classes, 0, start, (1,), _PREFIX_ANCHORS) for start in range(size + 1)]
    right = [_dropped(classes, end, size, (-1, 1), _ANCHORS) for end in range(size + 1)]
    for start in range(size):
        if left[start] is None or not edges[start]:
            continue
        for end in range(start + 1, size + 1):
            if not inner[end - 1]:
                break
            if (start, end) == (0, size) or not edges[end - 1] or right[end] is None:
                continue
            dropped = left[start] + right[end]  # type: ignore[operator]
            if dropped <= MAX_DROPPED_WORDS:
                spans.append((dropped, start - end, start, end))
    readings: dict[str, Trimmed] = {}
    for dropped, _, start, end in sorted(spans):
        words = [_restore(token, brackets) for token in tokens[start:end]]
        if not _has_content(words):
            continue
        title = _join(words)
        span_year = year
        if year is not None and str(year) in (token.strip(_STRIP_CHARS) for token in words):
            span_year = None  # Space 1999: the year is part of this reading's title
        readings.setdefault(title, Trimmed(title, span_year, dropped))
        if len(readings) >= MAX_READINGS:
            break
    return list(readings.values())


def _shouted(token: str) -> bool:
    word = token.strip(_STRIP_CHARS)
    return len(word) > 1 and word.isupper()


def name_head(raw: str) -> str:
    """The prepared text of a name before its episode marker (all of it for a film)."""
    text = _prepare(raw)
    _, _, head, tail = _split_episode(text)
    if tail is not None and not _has_content(head.split()):
        return tail
    return head


def _tokens(head: str) -> tuple[list[str], list[str]]:
    """The words of ``head``, each bracket and edition phrase as one placeholder token."""
    brackets: list[str] = []

    def hold(found: re.Match[str]) -> str:
        content = (found.group(1) or found.group(2) or "").strip() if found.re is _BRACKETS else ""
        if _YEAR.match(content) and _in_range(content):
            return f" {content} "  # (2003) is the year, not a bracket of junk
        brackets.append(found.group())
        return f" {_PLACEHOLDER}{len(brackets) - 1} "

    text = _BRACKETS.sub(hold, head)
    text = _EDITION_PHRASES.sub(hold, text)
    return text.split(), brackets


def _restore(token: str, brackets: list[str]) -> str:
    if token.startswith(_PLACEHOLDER) and token[1:].isdigit():
        return brackets[int(token[1:])]
    return token


def _token_class(token: str) -> int:
    if token.startswith(_PLACEHOLDER):
        return _BRACKET
    if token in _JOINERS:
        return _KEPT
    if token in ("|", "/"):
        return _BAR
    if _is_separator(token):
        return _SEPARATOR
    word = token.strip(_STRIP_CHARS)
    if _YEAR.match(word) and _in_range(word):
        return _YEAR_TOKEN
    if _classify(word) is not None or _grouped(word) is not None:
        return _TAG
    if word.upper() in _PREFIX_CODES and word.isupper():
        return _TAG
    odd_case = _ODD_CASE.search(word) is not None and _NAME_CASE.match(word) is None
    if odd_case or _AGE_RATING.match(word) or _GLUED_GROUP.match(word):
        return _TAG
    if _NUMBERED.match(word) or word.lower() in _STOPWORDS:
        return _KEPT  # Toy Story 4 is not Toy Story; "The Thief's Mountain" is not "Mountain"
    return _PLAIN


@lru_cache(maxsize=1 << 16)
def _shape(token: str) -> tuple[int, bool, bool]:
    """A token's class, whether a title may start or end with it, and whether hold it."""
    kind = _token_class(token)
    return kind, _can_edge(token, kind), _can_be_inside(token, kind)


def _can_edge(token: str, kind: int) -> bool:
    """Whether a title may start or end with this token: a word, a number or a weak tag."""
    if kind in (_PLAIN, _KEPT):
        return token not in _JOINERS
    return kind == _TAG and _weak(token.strip(_STRIP_CHARS))  # Prime Suspect, Top Gun


def _can_be_inside(token: str, kind: int) -> bool:
    """Whether a title may hold this token: not a bar or a tag that is only a tag."""
    if kind in (_SEPARATOR, _BAR):
        return kind == _SEPARATOR
    return kind != _TAG or _weak(token.strip(_STRIP_CHARS))


def _dropped(
    classes: list[int], start: int, end: int, steps: tuple[int, ...], anchors: frozenset[int]
) -> int | None:
    """How many plain words leaving out ``classes[start:end]`` drops, ``None`` if one of them
    touches no anchor (a tag, a bracket; a bar too before the title), itself or through one
    other plain word, in a direction of ``steps`` (1: after it, -1: before it)."""
    count = 0
    for index in range(start, end):
        if classes[index] == _KEPT:
            return None
        if classes[index] != _PLAIN:
            continue
        count += 1
        if count > MAX_DROPPED_WORDS or not _anchored(classes, index, (start, end), steps, anchors):
            return None
    return count


def _anchored(
    classes: list[int],
    index: int,
    region: tuple[int, int],
    steps: tuple[int, ...],
    anchors: frozenset[int],
) -> bool:
    start, end = region
    for step in steps:
        near = index + step
        if start <= near < end and classes[near] in anchors:
            return True
        further = near + step
        if start <= further < end and classes[near] == _PLAIN and classes[further] in anchors:
            return True
    return False
