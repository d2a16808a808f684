"""Which work a pirate film or episode name is: :class:`WorkMatcher`, the works matcher's door.

:meth:`WorkMatcher.build` indexes works by folded title
(:func:`~castwatch.identify.works.keys.title_key`: ``The Batman``, ``Batman, The`` and
``BATMAN`` meet), by original title, by the main title before a subtitle, by external id
(``imdb``, ``tmdb`` per kind), and by word for the fuzzy fallback
(:mod:`castwatch.identify.works.index`). :meth:`WorkMatcher.match` parses a name
(:func:`~castwatch.identify.works.titles.parse_title`), lets the decision rules
(:mod:`castwatch.identify.works.rules`: external id, title, alternative and trimmed readings,
fuzzy) decide over the index's look-ups (:mod:`castwatch.identify.works.lookup`), and says
which rule decided in ``why["rule"]``.

Several works left in equal standing, as when a title without a year names a film and its
remake, lower the confidence below the threshold: the matcher abstains rather than guesses.
The world is open: most of a pirate catalogue is in no registry, so a title that no year
confirms must be rare enough on its own (:meth:`WorkMatcher.specificity`).

Confidence is the raw score mapped through
:data:`~castwatch.identify.works.calibration.CALIBRATION`; below ``threshold`` the answer's
``target_id`` is ``None`` and ``why["candidate"]`` names the best guess.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from castwatch.catalog.registry import Identification, WorkRecord
from castwatch.errors import RegistryError
from castwatch.identify.works.calibration import DEFAULT_THRESHOLD, calibrate
from castwatch.identify.works.entries import KIND_NAMES, QUERY_KINDS
from castwatch.identify.works.forked import MIN_PER_WORKER, can_fork, match_forked
from castwatch.identify.works.index import build_columns, pack_index, unpack_index
from castwatch.identify.works.lookup import WorkIndex
from castwatch.identify.works.rules import (
    DEFAULT_YEAR_TOLERANCE,
    SHOWN,
    Candidate,
    Decision,
    DecisionRules,
    Query,
)
from castwatch.identify.works.titles import ParsedTitle, parse_title


class TitleQuery(NamedTuple):
    """One name to match, with what the source said besides (Xtream gives year and tmdb)."""

    title: str
    kind: str | None = None
    year: int | None = None
    tmdb_id: str | None = None


class Verdict(NamedTuple):
    """A decision turned into an answer: the work chosen or none, the confidence, and the
    part of ``why`` that every name the decision covers shares."""

    target: str | None
    confidence: float
    why: dict[str, Any]


class WorkMatcher:
    """An index of works and the rules that pick one for a pirate name, or abstain.

    It exists because the works catalogue (IMDb's films and series: over a million) is read
    once and matched against hundreds of thousands of entries per panel: every column is a
    packed array, so a million works take about 100 MB and load from :meth:`serialize`'s
    bytes in well under a second. It is the door and nothing more: the look-ups are
    :class:`~castwatch.identify.works.lookup.WorkIndex`'s, the rules
    :class:`~castwatch.identify.works.rules.DecisionRules`' (add a matching rule there), the
    confidence :func:`~castwatch.identify.works.calibration.calibrate`'s; this class parses
    the name, asks the rules, and writes the answer and its ``why``.
    """

    def __init__(
        self,
        columns: dict[str, Any],
        threshold: float = DEFAULT_THRESHOLD,
        year_tolerance: int = DEFAULT_YEAR_TOLERANCE,
    ) -> None:
        self._index = WorkIndex(columns)
        self._rules = DecisionRules(self._index, year_tolerance)
        self.threshold = threshold

    @property
    def year_tolerance(self) -> int:
        """How many years a work's year may differ from the name's and still be the work."""
        return self._rules.year_tolerance

    @year_tolerance.setter
    def year_tolerance(self, years: int) -> None:
        self._rules.year_tolerance = years

    def __len__(self) -> int:
        return len(self._index)

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
        return self._identification(parsed, query, self._verdict(self._rules.decide(parsed, query)))

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
        decided: dict[tuple[Any, ...], Verdict] = {}
        results: list[Identification] = []
        for item in queries:
            parsed = parse_title(item.title)
            query = self._query(parsed, item.kind, item.year, item.tmdb_id)
            memo = (parsed.title, parsed.alternatives, parsed.head, query)
            verdict = decided.get(memo)
            if verdict is None:
                verdict = decided[memo] = self._verdict(self._rules.decide(parsed, query))
            results.append(self._identification(parsed, query, verdict))
        return results

    def work_id(self, index: int) -> str:
        """The id of the work at ``index`` (as numbered in the order :meth:`build` read)."""
        return self._index.ids[index]

    def specificity(self, reading: str) -> float:
        """How much a title says on its own, in bits (see
        :meth:`~castwatch.identify.works.lookup.WorkIndex.specificity`)."""
        return self._index.specificity(reading)

    def _query(
        self, parsed: ParsedTitle, kind: str | None, year: int | None, tmdb_id: str | None
    ) -> Query:
        given = QUERY_KINDS.get((kind or "").strip().lower())
        kind_code = given if given is not None else QUERY_KINDS.get(parsed.kind_hint or "")
        year_given = year is not None and 1800 < year < 2200
        tmdb = (tmdb_id or "").strip().lower() or None
        if tmdb in ("0", "none", "null"):
            tmdb = None
        year_used = year if year_given else parsed.year
        return Query(kind_code, given is not None, year_used, year_given, tmdb)

    def _verdict(self, decision: Decision) -> Verdict:
        """The answer to a decision, and the part of ``why`` that every name it decides shares."""
        confidence = round(calibrate(decision.raw), 4)
        best = decision.candidates[0] if decision.candidates else None
        chosen = best is not None and confidence >= self.threshold
        shared: dict[str, Any] = {
            "rule": decision.rule,
            "reading": decision.reading,
            "candidate": self._index.ids[best.work] if best else None,
            "year_delta": best.year_delta if best else None,
            "candidates": tuple(self._describe(c) for c in decision.candidates[:SHOWN]),
            "rejected": tuple(
                self._rejection(*rejection) for rejection in decision.rejected[:SHOWN]
            ),
            "raw_score": round(decision.raw, 4),
            "threshold": self.threshold,
            "abstained": not chosen,
        }
        if decision.note:
            shared["note"] = decision.note
        return Verdict(shared["candidate"] if chosen else None, confidence, shared)

    def _identification(
        self, parsed: ParsedTitle, query: Query, verdict: Verdict
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
        work_id = self._index.ids[work]
        if year is None:
            return {"id": work_id, "reason": "other kind"}
        work_year = self._index.years[work]
        return {"id": work_id, "reason": f"year {work_year} is {abs(year - work_year)} off"}

    def _describe(self, candidate: Candidate) -> dict[str, Any]:
        return {
            "id": self._index.ids[candidate.work],
            "title": self._index.titles[candidate.work],
            "year": self._index.years[candidate.work] or None,
            "kind": KIND_NAMES[self._index.kinds[candidate.work]],
            "via": candidate.via,
            "year_delta": candidate.year_delta,
            "similarity": round(candidate.similarity, 3),
        }

    def serialize(self) -> bytes:
        """The index as bytes for :meth:`deserialize`: arrays as they lie in memory."""
        settings = {"threshold": self.threshold, "year_tolerance": self.year_tolerance}
        return pack_index(self._index.columns(), settings)

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
