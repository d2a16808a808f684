"""Which work a pirate film or episode name is: an index of up to millions of works, and rules.

:meth:`WorkMatcher.build` indexes works by folded title
(:func:`~castwatch.identify.title_keys.title_key`: ``The Batman``, ``Batman, The`` and
``BATMAN`` meet), by original title, by the main title before a subtitle, by external id
(``imdb``, ``tmdb`` per kind), and by word for the fuzzy fallback. :meth:`WorkMatcher.match`
parses a name (:func:`~castwatch.identify.titles.parse_title`), then decides in this order,
and says which rule decided in ``why["rule"]``:

1. ``tmdb`` / ``imdb``: the entry carries an id that a work has (Xtream sends ``tmdb``);
2. ``title``, ``original-title``, ``main-title``: works whose key equals the parsed title's,
   then those of each alternative reading the parser kept (``alternative-…``), then those of
   each shorter span of the name that leaves out only tag-like words
   (``trimmed-…``, :mod:`castwatch.identify.title_spans`);
3. ``fuzzy``: works whose title differs by a typo: all words but one the same and that one
   nearly (``Harry Poter``), or for one-word titles the same consonants (``Farggo``).

Among works with the same key the year decides (within ``year_tolerance``; a work further
away is rejected, so remakes separate), then the kind (film, or series for series and
episodes), then the title as written (``The Batman`` over ``Batman``). Several works left in
equal standing, as when a title without a year names a film and its remake, lower the
confidence below the threshold: the matcher abstains rather than guesses.

The world is open: most of a pirate catalogue is in no registry. When no year confirms the
work (none given, none known, or one off), or the name only resembles the title (a typo, a
title without its subtitle), the title must be rare enough on its own
(:meth:`WorkMatcher.specificity`, bits estimated from the registry's word frequencies and
duplicates); a common one (``Upgrade``, ``Convoy``) stays a candidate under the threshold.

Confidence is a raw score mapped through :data:`CALIBRATION`, fitted on the calibration half
of ``eval/titles.jsonl`` by ``bench/eval_titles.py --fit``; below ``threshold`` the answer's
``target_id`` is ``None`` and ``why["candidate"]`` names the best guess.
"""

from __future__ import annotations

import gc
import math
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from difflib import SequenceMatcher
from itertools import islice
from typing import Any, NamedTuple

from castwatch.catalog.registry import Identification, WorkRecord
from castwatch.errors import RegistryError
from castwatch.identify.title_keys import content_words, strict_key, title_tokens
from castwatch.identify.title_spans import trimmed_readings
from castwatch.identify.titles import ParsedTitle, parse_title
from castwatch.identify.works_forked import MIN_PER_WORKER, can_fork, match_forked
from castwatch.identify.works_index import (
    COLUMNS,
    Strings,
    build_columns,
    pack_index,
    unpack_index,
)
from castwatch.identify.works_keys import (
    FILM,
    INDEX_BITS,
    INDEX_MASK,
    KIND_NAMES,
    QUERY_KINDS,
    SERIES,
    SHIFT,
    VIA,
    consonant_skeleton,
    crc32_of,
    digits_of,
    external_id_key,
    fold_key,
    hash64,
    main_title,
    tokens_of,
    within_edits,
    words_agree,
)

#: Logistic map from raw score to the probability of being right: (slope, intercept), fitted
#: on the calibration half of eval/titles.jsonl by ``bench/eval_titles.py --fit``.
CALIBRATION: tuple[float, float] = (11.614, -3.077)
#: Below this calibrated confidence the matcher abstains (``target_id`` is ``None``).
DEFAULT_THRESHOLD = 0.62
DEFAULT_YEAR_TOLERANCE = 1
#: Without a year that confirms the work, a title must carry this many bits
#: (:meth:`WorkMatcher.specificity`) to be answered; below, the raw score is capped at
#: UNCONFIRMED_RAW, which calibrates under the threshold: the matcher abstains.
MIN_TITLE_BITS = 26.0
#: With the year confirmed, a name that only resembles a title (a typo, no subtitle) needs
#: this many: a rare word, not a common one (Hanger is not Hunger, Dracula not Dracula 2000).
MIN_RESEMBLING_BITS = 14.0
UNCONFIRMED_RAW = 0.25
#: The smoothing of :meth:`WorkMatcher.specificity`: pseudo-titles, and a word's share of them.
PRIOR_WORKS = 5000
PRIOR_WORD_SHARE = 1 / 5000
#: Words in more works than this are too common to find fuzzy candidates by.
FUZZY_MAX_POSTINGS = 2_000
#: How many works sharing words a fuzzy lookup compares letter by letter, at most.
_FUZZY_CANDIDATES = 24
#: Keys at least this long may hold two typos; shorter ones one.
_LONG_KEY = 12
#: How many trimmed readings the fuzzy rule tries when the parsed title found no twin.
_FUZZY_SPANS = 3
#: A trimmed reading's raw score is lowered this much for each plain word it left out.
_TRIMMED_WORD_FACTOR = 0.85


class TitleQuery(NamedTuple):
    """One name to match, with what the source said besides (Xtream gives year and tmdb)."""

    title: str
    kind: str | None = None
    year: int | None = None
    tmdb_id: str | None = None


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
        self._ids: Strings = columns["ids"]
        self._titles: Strings = columns["titles"]
        self._originals: Strings = columns["originals"]
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
        """Index works (any iterable: a million stream through without a list of records).

        One pass reads the works into columns; the keys, hashes and the word index are then
        computed column by column (``map`` over C functions, numpy sorts), not work by work.
        """
        # Millions of small lists and sets, none of them in a cycle: the cyclic collector
        # would walk them all again and again (a third of the time) for nothing.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return cls(build_columns(works), threshold, year_tolerance)
        finally:
            if collecting:
                gc.enable()

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

    def match_many(
        self, items: Iterable[TitleQuery | str], workers: int = 1
    ) -> list[Identification]:
        """:meth:`match` for many names, in order; episodes of one series are decided once.

        Names decided alike share the decision's part of ``why`` (its candidate tuples).
        ``workers`` above 1 splits the names between this process and ``workers - 1`` forked
        ones (where the platform forks; the index is shared, not copied), with the same
        answers as one process. One by default: a job runner usually has its own processes,
        and on a busy machine the second core may not be free.
        """
        queries = [TitleQuery(i) if isinstance(i, str) else i for i in items]
        if workers <= 1 or len(queries) < 2 * MIN_PER_WORKER or not can_fork():
            return self._match_all(queries)
        return match_forked(self._match_all, queries, workers)

    def _match_all(self, queries: Sequence[TitleQuery]) -> list[Identification]:
        decided: dict[tuple[Any, ...], _Verdict] = {}
        results: list[Identification] = []
        for item in queries:
            parsed = parse_title(item.title)
            query = self._query(parsed, item.kind, item.year, item.tmdb_id)
            memo = (parsed.title, parsed.alternatives, parsed.head, query)
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
        given = QUERY_KINDS.get((kind or "").strip().lower())
        kind_code = given if given is not None else QUERY_KINDS.get(parsed.kind_hint or "")
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
        tried: set[tuple[str, int | None]] = set()
        for number, (reading, year) in enumerate(readings):
            found = self._by_key(reading, year, query, rejected, tried, alternative=number > 0)
            if found is not None:
                return found
        spans = trimmed_readings(parsed.head, parsed.year)
        for trimmed in spans:
            # Tags the parser does not know: a shorter span of the name, if the index knows it.
            year = query.year if query.year_given else trimmed.year
            found = self._by_key(trimmed.title, year, query, rejected, tried, alternative=True)
            if found is not None:
                raw = found.raw * _TRIMMED_WORD_FACTOR**trimmed.dropped_words
                return found._replace(rule=f"trimmed-{found.rule[12:]}", raw=raw)
        fuzzy = self._fuzzy(parsed.title, query)
        for trimmed in spans[: _FUZZY_SPANS if fuzzy is None or not fuzzy.candidates else 0]:
            # A typo and an unknown tag in one name: the typo in one of the best spans.
            year = query.year if query.year_given else trimmed.year
            trimmed_fuzzy = self._fuzzy(trimmed.title, query._replace(year=year))
            if trimmed_fuzzy is not None and trimmed_fuzzy.candidates:
                raw = trimmed_fuzzy.raw * 0.8 * _TRIMMED_WORD_FACTOR**trimmed.dropped_words
                fuzzy = trimmed_fuzzy._replace(rule="trimmed-fuzzy", raw=raw)
                break
        if fuzzy is not None:
            return fuzzy._replace(rejected=tuple(rejected) + fuzzy.rejected)
        return _NOTHING._replace(reading=parsed.title, rejected=tuple(rejected))

    def _by_key(
        self,
        reading: str,
        year: int | None,
        query: _Query,
        rejected: list[_Rejection],
        tried: set[tuple[str, int | None]],
        alternative: bool,
    ) -> _Decision | None:
        """The decision for works whose key is ``reading``'s, ``None`` when there are none."""
        key = fold_key(reading)
        if (key, year) in tried:
            return None
        tried.add((key, year))
        kept, turned_down = self._rank(self._exact(key), reading, year, query.kind)
        rejected += turned_down
        # A 32-bit key hash may collide: check the winner's title before trusting it.
        while kept and not self._confirmed(kept[0], key):
            del kept[0]
        if not kept:
            return None
        return self._score(kept, reading, year, query, rejected, alternative=alternative)

    def _exact(self, key: str) -> list[tuple[int, str, float]]:
        """Works one of whose keys hashes like ``key``, with the title the key came from."""
        if not key:
            return []
        found = []
        for entry in self._lookup(self._keys, crc32_of(key)):
            found.append((entry & INDEX_MASK, VIA[entry >> INDEX_BITS], 1.0))
        return found

    def _confirmed(self, candidate: _Candidate, key: str) -> bool:
        if candidate.via == "fuzzy":
            return True
        text = self._originals[candidate.work] if candidate.via == "original-title" else ""
        text = text or self._titles[candidate.work]
        if candidate.via == "main-title":
            texts = (self._titles[candidate.work], self._originals[candidate.work])
            return any(fold_key(main_title(text) or "") == key for text in texts if text)
        return fold_key(text) == key

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
        note = ""
        confirmed_by_year = best.year_delta == 0
        resembling = best.via in ("fuzzy", "main-title")
        if not confirmed_by_year or resembling:
            # No year confirms the work (none given, none known, or one off: The Island of
            # 2005 and of 2006 are two films), or the name only resembles the title (a typo,
            # a title without its subtitle): the title alone must then be rare enough that a
            # work of that name outside the registry is unlikely (the open world: most of a
            # pirate catalogue is someone else's). "Upgrade", "Convoy" are not.
            # A typo is no word of the registry's: judge the title the typo resembles.
            bits = self.specificity(self._titles[best.work] if best.via == "fuzzy" else reading)
            if bits < (MIN_RESEMBLING_BITS if confirmed_by_year else MIN_TITLE_BITS):
                raw = min(raw, UNCONFIRMED_RAW)
                why_not = "the name only resembles" if confirmed_by_year else "no year confirms"
                note = f"{why_not} the title, and it is common ({bits:.0f} bits)"
        rule = "alternative-" + best.via if alternative else best.via
        # Only the first few are ever shown: a title like "Love" has hundreds of works.
        return _Decision(
            rule, raw, reading, tuple(kept[:_SHOWN]), tuple(rejected[:_SHOWN]), note=note
        )

    def specificity(self, reading: str) -> float:
        """How much a title says on its own, in bits: the sum over its words of how rare
        each is among titles, less ``log2`` of the registry's works that share the whole
        title. A word's rarity is its share of the registry's titles, smoothed toward
        :data:`PRIOR_WORD_SHARE` as if :data:`PRIOR_WORKS` more titles had been seen, so a
        small registry does not make every word look rare. One word is never enough."""
        tokens = title_tokens(reading)
        words = content_words(tokens) or tokens
        total = len(self._years) + PRIOR_WORKS
        bits = 0.0
        for word in dict.fromkeys(words):
            span = self._word(word)
            seen = span[1] - span[0] if span else 0
            bits -= math.log2((seen + PRIOR_WORKS * PRIOR_WORD_SHARE) / total)
        namesakes = sum(1 for _ in self._lookup(self._keys, crc32_of(fold_key(reading))))
        return bits - math.log2(max(1, namesakes))

    def _fuzzy(self, reading: str, query: _Query) -> _Decision | None:
        """Works whose title reads almost the same: same consonants, or the rarest words."""
        tokens = title_tokens(reading)
        key = "".join(tokens)
        size = len(key)
        if size < 4:
            return None  # too short to guess at
        skeleton = consonant_skeleton(key)
        mine = content_words(tokens) or tokens
        pool = self._sharing_words(mine, size)
        if len(mine) == 1:
            pool += islice(self._lookup(self._skeletons, crc32_of(skeleton)), 32)
        found = []
        digits, words, slack = digits_of(key), set(mine), max(3, size // 3)
        for work in dict.fromkeys(pool):
            similarity = 0.0
            for text in self._texts(work):
                tokens_of_text = list(tokens_of(text))
                other = "".join(tokens_of_text)
                theirs = content_words(tokens_of_text) or tokens_of_text
                # A typo changes one word: the others must be there as they are.
                if (
                    abs(len(other) - size) > slack
                    or len(words.intersection(theirs)) < max(len(words), len(theirs)) - 1
                    or digits_of(other) != digits  # Rocky II is not Rocky III
                ):
                    continue
                # Short titles one letter apart (Alien, Aliens) are different films, not
                # typos, unless their consonants agree (Fargo, Farggo).
                floor = 0.8 if consonant_skeleton(other) == skeleton else 0.95 if size < 8 else 0.75
                if not words_agree(mine, theirs):
                    continue
                ratio = SequenceMatcher(None, key, other).ratio()
                # A slip of the keyboard is one edit (two in a long title): Dradra is not
                # Dradadra, however alike they read.
                if ratio >= max(floor, similarity) and within_edits(
                    key, other, 1 if size < _LONG_KEY else 2
                ):
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
        near = [(abs(lengths[work] - size), work) for work in found]
        # Closest in length first (a typo changes it by one), not in the order of a set.
        near = sorted(pair for pair in near if pair[0] <= slack)[:_FUZZY_CANDIDATES]
        return [work for _, work in near]

    def _by_external(self, parsed: ParsedTitle, query: _Query) -> _Decision | None:
        tmdb = query.tmdb_id or ""
        kinds = (query.kind,) if query.kind is not None else (FILM, SERIES)
        scheme = "imdb" if tmdb.startswith("tt") else "tmdb"
        hits = {
            index
            for kind in kinds
            if (key := external_id_key(scheme, tmdb, kind))
            for index in self._lookup(self._external, hash64(key))
        }
        if len(hits) != 1:
            return None  # unknown id, or a film and a series share the number: use the name
        index = hits.pop()
        key = fold_key(parsed.title)
        texts = self._texts(index)
        texts += tuple(main for text in texts if (main := main_title(text)))
        work_year = self._years[index]
        agrees = (
            not key or any(SequenceMatcher(None, key, fold_key(t)).ratio() >= 0.6 for t in texts)
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
        position = bisect_left(column, hashed << SHIFT)
        low = (1 << SHIFT) - 1
        while position < len(column) and column[position] >> SHIFT == hashed:
            yield column[position] & low
            position += 1

    def _word(self, word: str) -> tuple[int, int] | None:
        hashed = crc32_of(word)
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
                "kind": None if query.kind is None else KIND_NAMES[query.kind],
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
            "kind": KIND_NAMES[self._kinds[candidate.work]],
            "via": candidate.via,
            "year_delta": candidate.year_delta,
            "similarity": round(candidate.similarity, 3),
        }

    def serialize(self) -> bytes:
        """The index as bytes for :meth:`deserialize`: arrays as they lie in memory."""
        columns = {name: getattr(self, f"_{name}") for name in COLUMNS}
        return pack_index(
            columns, {"threshold": self.threshold, "year_tolerance": self.year_tolerance}
        )

    @classmethod
    def deserialize(cls, data: bytes) -> WorkMatcher:
        """A matcher from :meth:`serialize`'s bytes; ``RegistryError`` if they are damaged."""
        try:
            columns, settings = unpack_index(data)
            return cls(columns, float(settings["threshold"]), int(settings["year_tolerance"]))
        except (ValueError, KeyError, TypeError, IndexError) as error:
            raise RegistryError(
                f"the works index cannot be read ({error}): rebuild it with WorkMatcher.build"
            ) from error
