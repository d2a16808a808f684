"""Which work a pirate film or episode name is: an index of up to millions of works, and rules.

:meth:`WorkMatcher.build` indexes works by folded title (:func:`~castwatch.identify.titles.
title_key`: ``The Batman``, ``Batman, The`` and ``BATMAN`` meet), by original title, by the
main title before a subtitle, by external id (``imdb``, ``tmdb`` per kind), and by word for the
fuzzy fallback. :meth:`WorkMatcher.match` parses a name (:func:`~castwatch.identify.titles.
parse_title`), then decides in this order, and says which rule decided in ``why["rule"]``:

1. ``tmdb`` / ``imdb``: the entry carries an id that a work has (Xtream sends ``tmdb``);
2. ``title``, ``original-title``, ``main-title``: works whose key equals the parsed title's,
   then those of each alternative reading the parser kept;
3. ``fuzzy``: works whose title differs by a typo: all words but one the same and that one
   nearly (``Harry Poter``), or for one-word titles the same consonants (``Farggo``).

Among works with the same key the year decides (within ``year_tolerance``; a work further
away is rejected, so remakes separate), then the kind (film, or series for series and
episodes), then the title as written (``The Batman`` over ``Batman``). Several works left in
equal standing, as when a title without a year names a film and its remake, lower the
confidence below the threshold: the matcher abstains rather than guesses.

Confidence is a raw score mapped through :data:`CALIBRATION`, fitted on the calibration half
of ``eval/titles.jsonl`` by ``bench/eval_titles.py --fit``; below ``threshold`` the answer's
``target_id`` is ``None`` and ``why["candidate"]`` names the best guess.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import sys
import zlib
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Iterator
from difflib import SequenceMatcher
from functools import lru_cache
from itertools import accumulate, islice
from typing import Any, NamedTuple

from castwatch.catalog.registry import Identification, WorkKind, WorkRecord
from castwatch.errors import RegistryError
from castwatch.identify.titles import (
    ParsedTitle,
    content_words,
    parse_title,
    strict_key,
    title_tokens,
)

#: Logistic map from raw score to the probability of being right: (slope, intercept), fitted
#: on the calibration half of eval/titles.jsonl by ``bench/eval_titles.py --fit``.
CALIBRATION: tuple[float, float] = (11.02, -2.891)
#: Below this calibrated confidence the matcher abstains (``target_id`` is ``None``).
DEFAULT_THRESHOLD = 0.63
DEFAULT_YEAR_TOLERANCE = 1
#: Words in more works than this are too common to find fuzzy candidates by.
FUZZY_MAX_POSTINGS = 2_000
#: How many works sharing words a fuzzy lookup compares letter by letter, at most.
_FUZZY_CANDIDATES = 24
_FILM, _SERIES = 0, 1
_KINDS = {WorkKind.FILM: _FILM, WorkKind.SERIES: _SERIES}
_KIND_NAMES = ("film", "series")
_QUERY_KINDS = {"film": _FILM, "movie": _FILM, "vod": _FILM, "series": _SERIES,
                "episode": _SERIES, "tv": _SERIES, "show": _SERIES}  # fmt: skip
#: A composite index entry is (key hash << 29) | (which title << 27) | work number: one
#: sorted array of 8-byte ints instead of a dict of strings, a tenth of the memory.
_INDEX_BITS = 27
_INDEX_MASK = (1 << _INDEX_BITS) - 1
#: Two bits between hash and work number say which title the key came from.
_SHIFT = _INDEX_BITS + 2
_VIA = ("title", "original-title", "main-title")
MAX_WORKS = 1 << _INDEX_BITS
_MAGIC = b"CWWORKS1"
for _code, _size in (("Q", 8), ("I", 4), ("H", 2), ("B", 1)):
    if array(_code).itemsize != _size:  # pragma: no cover - exotic platforms only
        raise ImportError(f"array typecode {_code!r} is not {_size} bytes on this platform")


class TitleQuery(NamedTuple):
    """One name to match, with what the source said besides (Xtream gives year and tmdb)."""

    title: str
    kind: str | None = None
    year: int | None = None
    tmdb_id: str | None = None


class _Strings:
    """Many strings as one UTF-8 blob and an offset array: 12 bytes a title, not 60."""

    def __init__(self, blob: bytes, offsets: array[int]) -> None:
        self.blob = blob
        self.offsets = offsets

    @classmethod
    def of(cls, texts: Iterable[str]) -> _Strings:
        encoded = [text.encode() for text in texts]
        return cls(b"".join(encoded), array("Q", accumulate(map(len, encoded), initial=0)))

    def __getitem__(self, index: int) -> str:
        return self.blob[self.offsets[index] : self.offsets[index + 1]].decode()

    def __len__(self) -> int:
        return len(self.offsets) - 1


@lru_cache(maxsize=1 << 16)
def _tokens(text: str) -> tuple[str, ...]:
    return tuple(title_tokens(text))


def _key(text: str) -> str:
    return "".join(_tokens(text))


def _crc(text: str) -> int:
    """A 32-bit hash for title keys and words: fast, and a collision only costs a check."""
    return zlib.crc32(text.encode())


def _digest(text: str) -> int:
    """A 35-bit hash for external ids, which are trusted without a second look."""
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> _SHIFT


def _work_keys(keys: dict[str, int], text: str, key: str, original: bool) -> None:
    """Add the keys a title is found by: its own, and its main title's (``dune`` for
    ``Dune: Part One``), each with the number of the rule it stands for in :data:`_VIA`."""
    if key:
        keys.setdefault(key, int(original))
    if (main := _main_title(text)) and (main_key := _key(main)):
        keys.setdefault(main_key, 2)


_VOWELS = str.maketrans("", "", "aeiouy")
_RUNS = re.compile(r"(.)\1+")


def _skeleton(key: str) -> str:
    """A key's first letter and its consonants, runs collapsed: ``Farggo`` meets ``Fargo``."""
    if len(key) < 4:
        return ""
    return _RUNS.sub(r"\1", key[0] + key[1:].translate(_VOWELS))


def _main_title(title: str) -> str | None:
    """``Dune`` of ``Dune: Part One``: the part before a subtitle, if the rest says more."""
    if ":" not in title and " - " not in title and "–" not in title and "—" not in title:
        return None
    for separator in (": ", " - ", " – ", " — "):
        head, found, tail = title.partition(separator)
        if found and _key(head) and _key(tail):
            return head
    return None


def _external_key(scheme: str, value: str, kind: int | None) -> str | None:
    """``imdb:tt0133093`` or ``tmdb:0:603`` (tmdb numbers films and series apart)."""
    value = value.strip().lower()
    # isascii too: "²".isdigit() is true, and int() refuses it.
    if scheme == "imdb" and value.startswith("tt") and value[2:].isascii() and value[2:].isdigit():
        return f"imdb:tt{int(value[2:]):07d}"
    numeric = value.isascii() and value.isdigit()
    if scheme == "tmdb" and numeric and int(value) > 0 and kind is not None:
        return f"tmdb:{kind}:{int(value)}"
    return None


def calibrate(raw: float) -> float:
    """The probability that a decision of raw score ``raw`` is right (:data:`CALIBRATION`)."""
    if raw <= 0.0:
        return 0.0  # no candidate at all
    slope, intercept = CALIBRATION
    return 1.0 / (1.0 + math.exp(-(slope * raw + intercept)))


class _Candidate(NamedTuple):
    """A work that shares a key (or, for fuzzy, words) with the name, and how well it fits."""

    work: int
    via: str  # title, original-title, main-title, fuzzy
    year_delta: int | None
    kind_ok: bool
    strict: bool  # the title as written matches too, not only its folded key
    similarity: float
    standing: float


#: A candidate turned down: (work, the year asked), or (work, None) for the other kind.
_Rejection = tuple[int, int | None]
#: How many candidates and rejections ``why`` lists.
_SHOWN = 5


class _Decision(NamedTuple):
    rule: str
    raw: float
    reading: str
    candidates: tuple[_Candidate, ...] = ()
    rejected: tuple[_Rejection, ...] = ()
    note: str | None = None


class _Verdict(NamedTuple):
    target: str | None
    confidence: float
    why: dict[str, Any]


class _Query(NamedTuple):
    kind: int | None
    kind_given: bool  # by the source, not guessed from the name
    year: int | None
    year_given: bool
    tmdb_id: str | None


_NOTHING = _Decision("none", 0.0, "")


class WorkMatcher:
    """An index of works and the rules that pick one for a pirate name, or abstain.

    It exists because the works catalogue (IMDb's films and series: over a million) is read
    once and matched against hundreds of thousands of entries per panel: every column is a
    packed array, so a million works take about 100 MB and load from :meth:`serialize`'s
    bytes in well under a second. To add a matching rule, add a step to :meth:`_decide` that
    returns a :class:`_Decision` with its own ``rule`` name; the calibration treats every
    rule through the same raw score, so refit it (``bench/eval_titles.py --fit``) after.
    """

    def __init__(
        self,
        columns: dict[str, Any],
        threshold: float = DEFAULT_THRESHOLD,
        year_tolerance: int = DEFAULT_YEAR_TOLERANCE,
    ) -> None:
        self._ids: _Strings = columns["ids"]
        self._titles: _Strings = columns["titles"]
        self._originals: _Strings = columns["originals"]
        self._years: array[int] = columns["years"]
        self._kinds: array[int] = columns["kinds"]
        self._keys: array[int] = columns["keys"]
        self._external: array[int] = columns["external"]
        self._skeletons: array[int] = columns["skeletons"]
        self._lengths: array[int] = columns["lengths"]
        self._word_hashes: array[int] = columns["word_hashes"]
        self._word_starts: array[int] = columns["word_starts"]
        self._postings: array[int] = columns["postings"]
        self.threshold = threshold
        self.year_tolerance = year_tolerance

    def __len__(self) -> int:
        return len(self._years)

    @classmethod
    def build(
        cls,
        works: Iterable[WorkRecord],
        threshold: float = DEFAULT_THRESHOLD,
        year_tolerance: int = DEFAULT_YEAR_TOLERANCE,
    ) -> WorkMatcher:
        """Index works (any iterable: a million stream through without a list of records)."""
        ids: list[str] = []
        titles: list[str] = []
        originals: list[str] = []
        years, kinds, lengths = array("H"), array("B"), array("B")
        keys: list[int] = []
        skeletons: list[int] = []
        external: list[int] = []
        vocabulary: dict[str, int] = {}
        word_of, work_of = array("I"), array("I")
        for index, work in enumerate(works):
            if index >= MAX_WORKS:
                raise ValueError(f"a WorkMatcher holds at most {MAX_WORKS:,} works")
            kind = _KINDS.get(work.kind, _FILM)
            title = work.title
            original = work.original_title if work.original_title != title else None
            ids.append(work.id)
            titles.append(title)
            originals.append(original or "")
            years.append(work.year if work.year and 0 < work.year < 1 << 16 else 0)
            kinds.append(kind)
            tokens = title_tokens(title)
            whole = "".join(tokens)
            lengths.append(min(len(whole), 255))
            words = set(content_words(tokens) or tokens)
            work_keys: dict[str, int] = {}
            _work_keys(work_keys, title, whole, original=False)
            if original:
                tokens = title_tokens(original)
                words.update(content_words(tokens) or tokens)
                _work_keys(work_keys, original, "".join(tokens), original=True)
            for key, via in work_keys.items():
                keys.append(_crc(key) << _SHIFT | via << _INDEX_BITS | index)
            if len(words) == 1 and (skeleton := _skeleton(whole)):
                # One-word titles have no other word to be found by when mistyped.
                skeletons.append(_crc(skeleton) << _SHIFT | index)
            for word in words:
                word_of.append(vocabulary.setdefault(word, len(vocabulary)))
                work_of.append(index)
            for scheme, value in work.external_ids.items():
                if external_key := _external_key(scheme, value, kind):
                    external.append(_digest(external_key) << _SHIFT | index)
        keys.sort()
        skeletons.sort()
        external.sort()
        columns: dict[str, Any] = {
            "ids": _Strings.of(ids),
            "titles": _Strings.of(titles),
            "originals": _Strings.of(originals),
            "years": years,
            "kinds": kinds,
            "keys": array("Q", keys),
            "skeletons": array("Q", skeletons),
            "lengths": lengths,
            "external": array("Q", external),
        }
        columns.update(_word_index(vocabulary, word_of, work_of))
        return cls(columns, threshold, year_tolerance)

    def match(
        self,
        title: str,
        kind: str | None = None,
        year: int | None = None,
        tmdb_id: str | None = None,
    ) -> Identification:
        """The work ``title`` names: ``kind`` is film, series or episode (episodes give their
        series), ``year`` and ``tmdb_id`` are what the source said besides the name."""
        parsed = parse_title(title)
        query = self._query(parsed, kind, year, tmdb_id)
        return self._identification(parsed, query, self._verdict(self._decide(parsed, query)))

    def match_many(self, items: Iterable[TitleQuery | str]) -> list[Identification]:
        """:meth:`match` for many names, in order; episodes of one series are decided once.

        Names decided alike share the decision's part of ``why`` (its candidate tuples).
        """
        return self._match_all([TitleQuery(i) if isinstance(i, str) else i for i in items])

    def _match_all(self, queries: list[TitleQuery]) -> list[Identification]:
        decided: dict[tuple[Any, ...], _Verdict] = {}
        results: list[Identification] = []
        for item in queries:
            parsed = parse_title(item.title)
            query = self._query(parsed, item.kind, item.year, item.tmdb_id)
            memo = (parsed.title, parsed.alternatives, query)
            verdict = decided.get(memo)
            if verdict is None:
                verdict = decided[memo] = self._verdict(self._decide(parsed, query))
            results.append(self._identification(parsed, query, verdict))
        return results

    def work_id(self, index: int) -> str:
        """The id of the work at ``index`` (as numbered in the order :meth:`build` read)."""
        return self._ids[index]

    def _query(
        self, parsed: ParsedTitle, kind: str | None, year: int | None, tmdb_id: str | None
    ) -> _Query:
        given = _QUERY_KINDS.get((kind or "").strip().lower())
        kind_code = given if given is not None else _QUERY_KINDS.get(parsed.kind_hint or "")
        year_given = year is not None and 1800 < year < 2200
        tmdb = (tmdb_id or "").strip().lower() or None
        if tmdb in ("0", "none", "null"):
            tmdb = None
        year_used = year if year_given else parsed.year
        return _Query(kind_code, given is not None, year_used, year_given, tmdb)

    def _decide(self, parsed: ParsedTitle, query: _Query) -> _Decision:
        if query.tmdb_id:
            by_id = self._by_external(parsed, query)
            if by_id is not None:
                return by_id
        readings = [(parsed.title, query.year)]
        readings += [
            (alt, query.year if query.year_given else year) for alt, year in parsed.alternatives
        ]
        rejected: list[_Rejection] = []
        for number, (reading, year) in enumerate(readings):
            key = _key(reading)
            kept, turned_down = self._rank(self._exact(key), reading, year, query.kind)
            rejected += turned_down
            # A 32-bit key hash may collide: check the winner's title before trusting it.
            while kept and not self._confirmed(kept[0], key):
                del kept[0]
            if kept:
                return self._score(kept, reading, year, query, rejected, alternative=number > 0)
        fuzzy = self._fuzzy(parsed.title, query)
        if fuzzy is not None:
            return fuzzy._replace(rejected=tuple(rejected) + fuzzy.rejected)
        return _NOTHING._replace(reading=parsed.title, rejected=tuple(rejected))

    def _exact(self, key: str) -> list[tuple[int, str, float]]:
        """Works one of whose keys hashes like ``key``, with the title the key came from."""
        if not key:
            return []
        found = []
        for entry in self._lookup(self._keys, _crc(key)):
            found.append((entry & _INDEX_MASK, _VIA[entry >> _INDEX_BITS], 1.0))
        return found

    def _confirmed(self, candidate: _Candidate, key: str) -> bool:
        if candidate.via == "fuzzy":
            return True
        text = self._originals[candidate.work] if candidate.via == "original-title" else ""
        text = text or self._titles[candidate.work]
        if candidate.via == "main-title":
            texts = (self._titles[candidate.work], self._originals[candidate.work])
            return any(_key(_main_title(text) or "") == key for text in texts if text)
        return _key(text) == key

    def _rank(
        self, found: list[tuple[int, str, float]], reading: str, year: int | None, kind: int | None
    ) -> tuple[list[_Candidate], list[_Rejection]]:
        """Candidates within the year tolerance, best first; a few of the others, and why."""
        kept: list[_Candidate] = []
        rejected: list[_Rejection] = []
        years, kinds, tolerance = self._years, self._kinds, self.year_tolerance
        for work, via, similarity in found:
            work_year = years[work]
            delta = abs(year - work_year) if year and work_year else None
            if delta is not None and delta > tolerance:
                if len(rejected) < _SHOWN:  # a title like "Love" has hundreds of works
                    rejected.append((work, year))
                continue
            standing = similarity - 0.25 * (delta or 0) - 0.3 * (via == "main-title")
            if year and not work_year:
                standing -= 0.2
            kind_ok = kind is None or kinds[work] == kind
            kept.append(_Candidate(work, via, delta, kind_ok, False, similarity, standing))
        if any(candidate.kind_ok for candidate in kept):
            rejected += [(c.work, None) for c in kept if not c.kind_ok][:_SHOWN]
            kept = [candidate for candidate in kept if candidate.kind_ok]
        if 1 < len(kept) <= 50:
            # The title as written breaks ties (The Batman over Batman); past 50 works of one
            # title the answer is "ambiguous" whatever the spelling, so spare the work.
            written = strict_key(reading)
            kept = [
                c._replace(strict=True, standing=c.standing + 0.25)
                if any(strict_key(t) == written for t in self._texts(c.work))
                else c
                for c in kept
            ]
        kept.sort(key=lambda candidate: -candidate.standing)
        return kept, rejected

    def _texts(self, work: int) -> tuple[str, ...]:
        original = self._originals[work]
        return (self._titles[work], original) if original else (self._titles[work],)

    def _score(
        self,
        kept: list[_Candidate],
        reading: str,
        year: int | None,
        query: _Query,
        rejected: list[_Rejection],
        alternative: bool = False,
    ) -> _Decision:
        best = kept[0]
        raw = 0.8 if best.via == "main-title" else 0.97
        if best.via == "fuzzy":
            raw = 0.95 * max(0.0, (best.similarity - 0.7) / 0.3)
        if year is None:
            raw *= 0.9 if best.via != "fuzzy" else 0.6
        elif best.year_delta is None:
            raw *= 0.8
        elif best.year_delta:
            raw *= 0.85
        if not best.kind_ok:
            raw *= 0.25 if query.kind_given else 0.8  # a panel's film/series split is seldom wrong
        close = [c for c in kept[1:] if c.standing >= best.standing - 0.2]
        # Works in equal standing make the pick a coin toss: worse than 1/n, so abstain.
        raw *= 0.95 ** (len(kept) - 1 - len(close)) / (1 + len(close)) ** 2
        if alternative:
            raw *= 0.8  # the parser's second reading: a guess the index happened to confirm
        rule = "alternative-" + best.via if alternative else best.via
        return _Decision(rule, raw, reading, tuple(kept), tuple(rejected))

    def _fuzzy(self, reading: str, query: _Query) -> _Decision | None:
        """Works whose title reads almost the same: same consonants, or the rarest words."""
        tokens = title_tokens(reading)
        key = "".join(tokens)
        size = len(key)
        if size < 4:
            return None  # too short to guess at
        skeleton = _skeleton(key)
        mine = content_words(tokens) or tokens
        pool = self._sharing_words(mine, size)
        if len(mine) == 1:
            pool += islice(self._lookup(self._skeletons, _crc(skeleton)), 32)
        found = []
        digits, words, slack = _digits(key), set(mine), max(3, size // 3)
        for work in dict.fromkeys(pool):
            similarity = 0.0
            for text in self._texts(work):
                tokens_of_text = list(_tokens(text))
                other = "".join(tokens_of_text)
                theirs = content_words(tokens_of_text) or tokens_of_text
                # A typo changes one word: the others must be there as they are.
                if (
                    abs(len(other) - size) > slack
                    or len(words.intersection(theirs)) < max(len(words), len(theirs)) - 1
                    or _digits(other) != digits  # Rocky II is not Rocky III
                ):
                    continue
                # Short titles one letter apart (Alien, Aliens) are different films, not
                # typos, unless their consonants agree (Fargo, Farggo).
                floor = 0.8 if _skeleton(other) == skeleton else 0.95 if size < 8 else 0.75
                if not _words_agree(mine, theirs):
                    continue
                ratio = SequenceMatcher(None, key, other).ratio()
                if ratio >= max(floor, similarity):
                    similarity = ratio
            if similarity:
                found.append((work, "fuzzy", similarity))
        kept, rejected = self._rank(found, reading, query.year, query.kind)
        if not kept:
            if not rejected:
                return None
            return _NOTHING._replace(reading=reading, rejected=tuple(rejected))
        return self._score(kept, reading, query.year, query, rejected)

    def _sharing_words(self, words: list[str], size: int) -> list[int]:
        """Works that have all the name's words but one, and about its length: a cheap short
        list for the string comparison. A typo changes one word, so a name with two words no
        work has has no typo-twin, and one with a single unknown word needs all the others."""
        spans = [self._word(word) for word in set(words)]
        unseen = spans.count(None)
        seen = sorted(
            (span for span in spans if span and span[1] - span[0] <= FUZZY_MAX_POSTINGS),
            key=lambda span: span[1] - span[0],
        )[:2]
        if unseen > 1 or not seen:
            return []
        found = set(self._postings[seen[0][0] : seen[0][1]])
        if len(seen) == 2:
            second = self._postings[seen[1][0] : seen[1][1]]
            both = found.intersection(second)
            found = both if both or unseen else found.union(second)
        lengths, slack = self._lengths, max(3, size // 3)
        near = [work for work in found if abs(lengths[work] - size) <= slack]
        return near[:_FUZZY_CANDIDATES]

    def _by_external(self, parsed: ParsedTitle, query: _Query) -> _Decision | None:
        tmdb = query.tmdb_id or ""
        kinds = (query.kind,) if query.kind is not None else (_FILM, _SERIES)
        scheme = "imdb" if tmdb.startswith("tt") else "tmdb"
        hits = {
            index
            for kind in kinds
            if (key := _external_key(scheme, tmdb, kind))
            for index in self._lookup(self._external, _digest(key))
        }
        if len(hits) != 1:
            return None  # unknown id, or a film and a series share the number: use the name
        index = hits.pop()
        key = _key(parsed.title)
        texts = self._texts(index)
        texts += tuple(main for text in texts if (main := _main_title(text)))
        work_year = self._years[index]
        agrees = (
            not key or any(SequenceMatcher(None, key, _key(t)).ratio() >= 0.6 for t in texts)
        ) and (not (query.year and work_year) or abs(query.year - work_year) <= self.year_tolerance)
        candidate = _Candidate(index, scheme, None, True, agrees, 1.0, 1.0)
        if agrees:
            return _Decision(scheme, 0.99, parsed.title, (candidate,))
        by_name = self._decide(parsed, query._replace(tmdb_id=None))
        if by_name.raw >= 0.8:
            return by_name._replace(note=f"{scheme} {tmdb} names another work; the title won")
        return _Decision(scheme, 0.75, parsed.title, (candidate,), note="the title disagrees")

    def _lookup(self, column: array[int], hashed: int) -> Iterator[int]:
        """The entries of ``column`` that carry ``hashed``, hash bits removed."""
        position = bisect_left(column, hashed << _SHIFT)
        low = (1 << _SHIFT) - 1
        while position < len(column) and column[position] >> _SHIFT == hashed:
            yield column[position] & low
            position += 1

    def _word(self, word: str) -> tuple[int, int] | None:
        hashed = _crc(word)
        position = bisect_left(self._word_hashes, hashed)
        if position < len(self._word_hashes) and self._word_hashes[position] == hashed:
            return self._word_starts[position], self._word_starts[position + 1]
        return None

    def _verdict(self, decision: _Decision) -> _Verdict:
        """The answer to a decision, and the part of ``why`` that every name it decides shares."""
        confidence = round(calibrate(decision.raw), 4)
        best = decision.candidates[0] if decision.candidates else None
        chosen = best is not None and confidence >= self.threshold
        shared: dict[str, Any] = {
            "rule": decision.rule,
            "reading": decision.reading,
            "candidate": self._ids[best.work] if best else None,
            "year_delta": best.year_delta if best else None,
            "candidates": tuple(self._describe(c) for c in decision.candidates[:_SHOWN]),
            "rejected": tuple(
                self._rejection(*rejection) for rejection in decision.rejected[:_SHOWN]
            ),
            "raw_score": round(decision.raw, 4),
            "threshold": self.threshold,
            "abstained": not chosen,
        }
        if decision.note:
            shared["note"] = decision.note
        return _Verdict(shared["candidate"] if chosen else None, confidence, shared)

    def _identification(
        self, parsed: ParsedTitle, query: _Query, verdict: _Verdict
    ) -> Identification:
        why: dict[str, Any] = {
            "parsed": {
                "title": parsed.title,
                "year": parsed.year,
                "season": parsed.season,
                "episode": parsed.episode,
                "episode_title": parsed.episode_title,
                "kind_hint": parsed.kind_hint,
            },
            "tags": [f"{tag.family}:{tag.text}" for tag in parsed.tags],
            "query": {
                "kind": None if query.kind is None else _KIND_NAMES[query.kind],
                "year": query.year,
                "tmdb_id": query.tmdb_id,
            },
            **verdict.why,
        }
        if parsed.season is not None or parsed.episode is not None:
            why["season"], why["episode"] = parsed.season, parsed.episode
        return Identification("work", verdict.target, verdict.confidence, why)

    def _rejection(self, work: int, year: int | None) -> dict[str, Any]:
        if year is None:
            return {"id": self._ids[work], "reason": "other kind"}
        work_year = self._years[work]
        return {"id": self._ids[work], "reason": f"year {work_year} is {abs(year - work_year)} off"}

    def _describe(self, candidate: _Candidate) -> dict[str, Any]:
        return {
            "id": self._ids[candidate.work],
            "title": self._titles[candidate.work],
            "year": self._years[candidate.work] or None,
            "kind": _KIND_NAMES[self._kinds[candidate.work]],
            "via": candidate.via,
            "year_delta": candidate.year_delta,
            "similarity": round(candidate.similarity, 3),
        }

    def serialize(self) -> bytes:
        """The index as bytes for :meth:`deserialize`: arrays as they lie in memory."""
        parts: list[tuple[str, str, bytes]] = []
        for name in ("ids", "titles", "originals"):
            column: _Strings = getattr(self, f"_{name}")
            parts += [
                (f"{name}.blob", "", column.blob),
                (f"{name}.offsets", "Q", column.offsets.tobytes()),
            ]
        for name in _ARRAYS:
            values: array[int] = getattr(self, f"_{name}")
            parts.append((name, values.typecode, values.tobytes()))
        header = {
            "version": 1,
            "byteorder": sys.byteorder,
            "threshold": self.threshold,
            "year_tolerance": self.year_tolerance,
            "parts": [[name, code, len(data)] for name, code, data in parts],
        }
        encoded = json.dumps(header).encode()
        return b"".join(
            [_MAGIC, len(encoded).to_bytes(4, "little"), encoded, *(p[2] for p in parts)]
        )

    @classmethod
    def deserialize(cls, data: bytes) -> WorkMatcher:
        """A matcher from :meth:`serialize`'s bytes; ``RegistryError`` if they are damaged."""
        try:
            if data[: len(_MAGIC)] != _MAGIC:
                raise ValueError("not a castwatch works index")
            size = int.from_bytes(data[8:12], "little")
            header = json.loads(data[12 : 12 + size])
            if header["version"] != 1:
                raise ValueError(f"index format {header['version']} is not 1")
            offset = 12 + size
            raw: dict[str, Any] = {}
            for name, code, length in header["parts"]:
                chunk = data[offset : offset + length]
                if len(chunk) != length:
                    raise ValueError("the data ends early")
                offset += length
                raw[name] = chunk if not code else _array(code, chunk, header["byteorder"])
            columns = {
                name: _Strings(raw.pop(f"{name}.blob"), raw.pop(f"{name}.offsets"))
                for name in ("ids", "titles", "originals")
            }
            columns.update(raw)
            works = len(columns["ids"])
            if offset != len(data) or any(
                len(columns[name]) != works for name in ("titles", "originals", "years", "kinds")
            ):
                raise ValueError("its parts do not agree in length")
            return cls(columns, float(header["threshold"]), int(header["year_tolerance"]))
        except (ValueError, KeyError, TypeError, IndexError) as error:
            raise RegistryError(
                f"the works index cannot be read ({error}): rebuild it with WorkMatcher.build"
            ) from error


_ARRAYS = ("years", "kinds", "lengths", "keys", "skeletons", "external", "word_hashes",
           "word_starts", "postings")  # fmt: skip


def _array(code: str, chunk: bytes, byteorder: str) -> array[int]:
    values = array(code)
    values.frombytes(chunk)
    if byteorder != sys.byteorder:
        values.byteswap()
    return values


def _words_agree(mine: list[str], theirs: list[str]) -> bool:
    """Every word of each title has a near twin in the other: typos pass, other words do not.

    ``Memory of the Mountain`` reads 79% like ``Winter of the Mountain`` letter by letter;
    word by word, ``memory`` has no twin.
    """
    if abs(len(mine) - len(theirs)) > 1 or not mine or not theirs:
        return "".join(mine) == "".join(theirs)
    return all(
        any(a == b or SequenceMatcher(None, a, b).ratio() >= 0.7 for b in other)
        for words, other in ((mine, theirs), (theirs, mine))
        for a in words
    )


def _digits(key: str) -> str:
    return "".join(char for char in key if char.isdigit())


def _word_index(
    vocabulary: dict[str, int], word_of: array[int], work_of: array[int]
) -> dict[str, array[int]]:
    """Word hash -> works, as a counting sort: sorted hashes, start offsets, one postings array."""
    hashes = [_crc(word) for word in vocabulary]
    order = sorted(range(len(hashes)), key=hashes.__getitem__)
    rank = array("I", bytes(4 * len(order)))
    for position, word in enumerate(order):
        rank[word] = position
    ranked = array("I", map(rank.__getitem__, word_of))
    sizes = Counter(ranked)
    starts = array("I", [0])
    total = 0
    for position in range(len(order)):
        total += sizes[position]
        starts.append(total)
    fill = array("I", starts[:-1])
    postings = array("I", bytes(4 * len(ranked)))
    for position, work in zip(ranked, work_of, strict=True):
        postings[fill[position]] = work
        fill[position] += 1
    return {
        "word_hashes": array("I", (hashes[word] for word in order)),
        "word_starts": starts,
        "postings": postings,
    }
