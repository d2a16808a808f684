"""The decision rules of the works matcher: which work a parsed name is, and how sure.

:meth:`DecisionRules.decide` tries, in this order, and names the rule that decided:

1. ``tmdb`` / ``imdb``: the entry carries an id that a work has (Xtream sends ``tmdb``);
2. ``title``, ``original-title``, ``main-title``: works whose key equals the parsed title's,
   then those of each alternative reading the parser kept (``alternative-…``), then those of
   each shorter span of the name that leaves out only tag-like words
   (``trimmed-…``, :mod:`castwatch.identify.works.spans`);
3. ``fuzzy``: works whose title differs by a typo: all words but one the same and that one
   nearly (``Harry Poter``), or for one-word titles the same consonants (``Farggo``).

Among works with the same key the year decides (within ``year_tolerance``; a work further
away is rejected, so remakes separate), then the kind, then the title as written. Works in
equal standing lower the raw score: the matcher abstains rather than guesses. Without a year
that confirms the work, or when the name only resembles the title, the title must be rare
enough on its own (:meth:`~castwatch.identify.works.lookup.WorkIndex.specificity`).

The look-ups are :class:`~castwatch.identify.works.lookup.WorkIndex`'s; the raw score is
turned into a confidence by :mod:`castwatch.identify.works.calibration`.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from itertools import islice
from typing import NamedTuple

from castwatch.identify.works.entries import (
    FILM,
    SERIES,
    consonant_skeleton,
    digits_of,
    external_id_key,
    fold_key,
    main_title,
    tokens_of,
    within_edits,
    words_agree,
)
from castwatch.identify.works.keys import content_words, strict_key, title_tokens
from castwatch.identify.works.lookup import WorkIndex
from castwatch.identify.works.spans import trimmed_readings
from castwatch.identify.works.titles import ParsedTitle

DEFAULT_YEAR_TOLERANCE = 1
#: Without a year that confirms the work, a title must carry this many bits
#: (:meth:`~castwatch.identify.works.lookup.WorkIndex.specificity`) to be answered; below,
#: the raw score is capped at UNCONFIRMED_RAW, which calibrates under the threshold: the
#: matcher abstains.
MIN_TITLE_BITS = 26.0
#: With the year confirmed, a name that only resembles a title (a typo, no subtitle) needs
#: this many: a rare word, not a common one (Hanger is not Hunger, Dracula not Dracula 2000).
MIN_RESEMBLING_BITS = 14.0
UNCONFIRMED_RAW = 0.25
#: Keys at least this long may hold two typos; shorter ones one.
_LONG_KEY = 12
#: How many trimmed readings the fuzzy rule tries when the parsed title found no twin.
_FUZZY_SPANS = 3
#: A trimmed reading's raw score is lowered this much for each plain word it left out.
_TRIMMED_WORD_FACTOR = 0.85
#: How many candidates and rejections ``why`` lists.
SHOWN = 5


class Candidate(NamedTuple):
    """A work that shares a key (or, for fuzzy, words) with the name, and how well it fits."""

    work: int
    via: str  # title, original-title, main-title, fuzzy
    year_delta: int | None
    kind_ok: bool
    strict: bool  # the title as written matches too, not only its folded key
    similarity: float
    standing: float


#: A candidate turned down: (work, the year asked), or (work, None) for the other kind.
Rejection = tuple[int, int | None]


class Decision(NamedTuple):
    """What a rule decided: its name, the raw score, the reading it matched, and why."""

    rule: str
    raw: float
    reading: str
    candidates: tuple[Candidate, ...] = ()
    rejected: tuple[Rejection, ...] = ()
    note: str | None = None


class Query(NamedTuple):
    """What is known of the entry besides its title: kind and year, given or guessed."""

    kind: int | None
    kind_given: bool  # by the source, not guessed from the name
    year: int | None
    year_given: bool
    tmdb_id: str | None


NOTHING = Decision("none", 0.0, "")


class DecisionRules:
    """The rules that pick one work of a :class:`WorkIndex` for a parsed name, or none.

    To add a rule, add a step to :meth:`decide` that returns a :class:`Decision` with its own
    ``rule`` name; the calibration treats every rule through the same raw score, so refit it
    (``bench/eval_titles.py --fit``) after.
    """

    def __init__(self, index: WorkIndex, year_tolerance: int = DEFAULT_YEAR_TOLERANCE) -> None:
        self.index = index
        self.year_tolerance = year_tolerance

    def decide(self, parsed: ParsedTitle, query: Query) -> Decision:
        """The decision for ``parsed``: the first rule that finds a work, in the order above."""
        if query.tmdb_id:
            by_id = self._by_external(parsed, query)
            if by_id is not None:
                return by_id
        readings = [(parsed.title, query.year)]
        readings += [
            (alt, query.year if query.year_given else year) for alt, year in parsed.alternatives
        ]
        rejected: list[Rejection] = []
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
        return NOTHING._replace(reading=parsed.title, rejected=tuple(rejected))

    def _by_key(
        self,
        reading: str,
        year: int | None,
        query: Query,
        rejected: list[Rejection],
        tried: set[tuple[str, int | None]],
        alternative: bool,
    ) -> Decision | None:
        """The decision for works whose key is ``reading``'s, ``None`` when there are none."""
        key = fold_key(reading)
        if (key, year) in tried:
            return None
        tried.add((key, year))
        kept, turned_down = self._rank(self.index.exact(key), reading, year, query.kind)
        rejected += turned_down
        # A 32-bit key hash may collide: check the winner's title before trusting it.
        while kept and not self.index.confirmed(kept[0].work, kept[0].via, key):
            del kept[0]
        if not kept:
            return None
        return self._score(kept, reading, year, query, rejected, alternative=alternative)

    def _rank(
        self, found: list[tuple[int, str, float]], reading: str, year: int | None, kind: int | None
    ) -> tuple[list[Candidate], list[Rejection]]:
        """Candidates within the year tolerance, best first; a few of the others, and why."""
        kept: list[Candidate] = []
        rejected: list[Rejection] = []
        years, kinds, tolerance = self.index.years, self.index.kinds, self.year_tolerance
        for work, via, similarity in found:
            work_year = years[work]
            delta = abs(year - work_year) if year and work_year else None
            if delta is not None and delta > tolerance:
                if len(rejected) < SHOWN:  # a title like "Love" has hundreds of works
                    rejected.append((work, year))
                continue
            standing = similarity - 0.25 * (delta or 0) - 0.3 * (via == "main-title")
            if year and not work_year:
                standing -= 0.2
            kind_ok = kind is None or kinds[work] == kind
            kept.append(Candidate(work, via, delta, kind_ok, False, similarity, standing))
        if any(candidate.kind_ok for candidate in kept):
            rejected += [(c.work, None) for c in kept if not c.kind_ok][:SHOWN]
            kept = [candidate for candidate in kept if candidate.kind_ok]
        if 1 < len(kept) <= 50:
            # The title as written breaks ties (The Batman over Batman); past 50 works of one
            # title the answer is "ambiguous" whatever the spelling, so spare the work.
            written = strict_key(reading)
            kept = [
                c._replace(strict=True, standing=c.standing + 0.25)
                if any(strict_key(t) == written for t in self.index.texts(c.work))
                else c
                for c in kept
            ]
        kept.sort(key=lambda candidate: -candidate.standing)
        return kept, rejected

    def _score(
        self,
        kept: list[Candidate],
        reading: str,
        year: int | None,
        query: Query,
        rejected: list[Rejection],
        alternative: bool = False,
    ) -> Decision:
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
            judged = self.index.titles[best.work] if best.via == "fuzzy" else reading
            bits = self.index.specificity(judged)
            if bits < (MIN_RESEMBLING_BITS if confirmed_by_year else MIN_TITLE_BITS):
                raw = min(raw, UNCONFIRMED_RAW)
                why_not = "the name only resembles" if confirmed_by_year else "no year confirms"
                note = f"{why_not} the title, and it is common ({bits:.0f} bits)"
        rule = "alternative-" + best.via if alternative else best.via
        # Only the first few are ever shown: a title like "Love" has hundreds of works.
        return Decision(rule, raw, reading, tuple(kept[:SHOWN]), tuple(rejected[:SHOWN]), note=note)

    def _fuzzy(self, reading: str, query: Query) -> Decision | None:
        """Works whose title reads almost the same: same consonants, or the rarest words."""
        tokens = title_tokens(reading)
        key = "".join(tokens)
        size = len(key)
        if size < 4:
            return None  # too short to guess at
        skeleton = consonant_skeleton(key)
        mine = content_words(tokens) or tokens
        pool = self.index.sharing_words(mine, size)
        if len(mine) == 1:
            pool += islice(self.index.by_skeleton(skeleton), 32)
        found = []
        digits, words, slack = digits_of(key), set(mine), max(3, size // 3)
        for work in dict.fromkeys(pool):
            similarity = 0.0
            for text in self.index.texts(work):
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
                # A slip of the keyboard is one edit (two in a long title): Dradra is not
                # Dradadra, however alike they read. (The edit count is the cheaper test.)
                if not within_edits(key, other, 1 if size < _LONG_KEY else 2):
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
            return NOTHING._replace(reading=reading, rejected=tuple(rejected))
        return self._score(kept, reading, query.year, query, rejected)

    def _by_external(self, parsed: ParsedTitle, query: Query) -> Decision | None:
        tmdb = query.tmdb_id or ""
        kinds = (query.kind,) if query.kind is not None else (FILM, SERIES)
        scheme = "imdb" if tmdb.startswith("tt") else "tmdb"
        hits = {
            index
            for kind in kinds
            if (key := external_id_key(scheme, tmdb, kind))
            for index in self.index.by_external(key)
        }
        if len(hits) != 1:
            return None  # unknown id, or a film and a series share the number: use the name
        index = hits.pop()
        key = fold_key(parsed.title)
        texts = self.index.texts(index)
        texts += tuple(main for text in texts if (main := main_title(text)))
        work_year = self.index.years[index]
        agrees = (
            not key or any(SequenceMatcher(None, key, fold_key(t)).ratio() >= 0.6 for t in texts)
        ) and (not (query.year and work_year) or abs(query.year - work_year) <= self.year_tolerance)
        candidate = Candidate(index, scheme, None, True, agrees, 1.0, 1.0)
        if agrees:
            return Decision(scheme, 0.99, parsed.title, (candidate,))
        by_name = self.decide(parsed, query._replace(tmdb_id=None))
        if by_name.raw >= 0.8:
            return by_name._replace(note=f"{scheme} {tmdb} names another work; the title won")
        return Decision(scheme, 0.75, parsed.title, (candidate,), note="the title disagrees")
