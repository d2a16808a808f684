"""Look-ups in the packed works index: by key, by external id, by word, and how rare a title is.

:class:`WorkIndex` holds the columns :mod:`castwatch.identify.works.index` builds and packs
(one packed array per column, see :data:`~castwatch.identify.works.index.COLUMNS`) and
answers the questions the decision rules (:mod:`castwatch.identify.works.rules`) ask of them.
It decides nothing: which candidate wins is the rules' job.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from collections.abc import Iterator
from typing import Any

from castwatch.identify.works.entries import (
    INDEX_BITS,
    INDEX_MASK,
    SHIFT,
    VIA,
    crc32_of,
    fold_key,
    hash64,
    main_title,
)
from castwatch.identify.works.index import COLUMNS, Strings
from castwatch.identify.works.keys import content_words, title_tokens

#: The smoothing of :meth:`WorkIndex.specificity`: pseudo-titles, and a word's share of them.
PRIOR_WORKS = 5000
PRIOR_WORD_SHARE = 1 / 5000
#: Words in more works than this are too common to find fuzzy candidates by.
FUZZY_MAX_POSTINGS = 2_000
#: How many works sharing words a fuzzy lookup compares letter by letter, at most.
FUZZY_CANDIDATES = 24


class WorkIndex:
    """The works as packed columns, and every look-up the matching rules make in them.

    It exists so the rules read as rules: the arrays, the hash layout of their entries and
    the binary searches stay here. A new kind of look-up (a new column) is a method here and
    a column in :mod:`castwatch.identify.works.index`.
    """

    def __init__(self, columns: dict[str, Any]) -> None:
        self.ids: Strings = columns["ids"]
        self.titles: Strings = columns["titles"]
        self.originals: Strings = columns["originals"]
        self.years: array[int] = columns["years"]
        self.kinds: array[int] = columns["kinds"]
        self.keys: array[int] = columns["keys"]
        self.external: array[int] = columns["external"]
        self.skeletons: array[int] = columns["skeletons"]
        self.lengths: array[int] = columns["lengths"]
        self.word_hashes: array[int] = columns["word_hashes"]
        self.word_starts: array[int] = columns["word_starts"]
        self.postings: array[int] = columns["postings"]

    def __len__(self) -> int:
        return len(self.years)

    def columns(self) -> dict[str, Any]:
        """Every column by name, as :func:`~castwatch.identify.works.index.pack_index` packs."""
        return {name: getattr(self, name) for name in COLUMNS}

    def exact(self, key: str) -> list[tuple[int, str, float]]:
        """Works one of whose keys hashes like ``key``, with the title the key came from."""
        if not key:
            return []
        found = []
        for entry in self.lookup(self.keys, crc32_of(key)):
            found.append((entry & INDEX_MASK, VIA[entry >> INDEX_BITS], 1.0))
        return found

    def confirmed(self, work: int, via: str, key: str) -> bool:
        """Whether ``work``'s title (the one ``via`` names) folds to ``key``: a 32-bit key hash
        may collide, so a hit is checked against the text before it is trusted."""
        if via == "fuzzy":
            return True
        text = self.originals[work] if via == "original-title" else ""
        text = text or self.titles[work]
        if via == "main-title":
            texts = (self.titles[work], self.originals[work])
            return any(fold_key(main_title(text) or "") == key for text in texts if text)
        return fold_key(text) == key

    def texts(self, work: int) -> tuple[str, ...]:
        """The work's title, and its original title when it has one."""
        original = self.originals[work]
        return (self.titles[work], original) if original else (self.titles[work],)

    def specificity(self, reading: str) -> float:
        """How much a title says on its own, in bits: the sum over its words of how rare
        each is among titles, less ``log2`` of the registry's works that share the whole
        title. A word's rarity is its share of the registry's titles, smoothed toward
        :data:`PRIOR_WORD_SHARE` as if :data:`PRIOR_WORKS` more titles had been seen, so a
        small registry does not make every word look rare. One word is never enough."""
        tokens = title_tokens(reading)
        words = content_words(tokens) or tokens
        total = len(self.years) + PRIOR_WORKS
        bits = 0.0
        for word in dict.fromkeys(words):
            span = self.word(word)
            seen = span[1] - span[0] if span else 0
            bits -= math.log2((seen + PRIOR_WORKS * PRIOR_WORD_SHARE) / total)
        namesakes = sum(1 for _ in self.lookup(self.keys, crc32_of(fold_key(reading))))
        return bits - math.log2(max(1, namesakes))

    def sharing_words(self, words: list[str], size: int) -> list[int]:
        """Works that have all the name's words but one, and about its length: a cheap short
        list for the string comparison. A typo changes one word, so a name with two words no
        work has has no typo-twin, and one with a single unknown word needs all the others."""
        spans = [self.word(word) for word in set(words)]
        unseen = spans.count(None)
        seen = sorted(
            (span for span in spans if span and span[1] - span[0] <= FUZZY_MAX_POSTINGS),
            key=lambda span: span[1] - span[0],
        )[:2]
        if unseen > 1 or not seen:
            return []
        found = set(self.postings[seen[0][0] : seen[0][1]])
        if len(seen) == 2:
            second = self.postings[seen[1][0] : seen[1][1]]
            both = found.intersection(second)
            found = both if both or unseen else found.union(second)
        lengths, slack = self.lengths, max(3, size // 3)
        near = [(abs(lengths[work] - size), work) for work in found]
        # Closest in length first (a typo changes it by one), not in the order of a set.
        near = sorted(pair for pair in near if pair[0] <= slack)[:FUZZY_CANDIDATES]
        return [work for _, work in near]

    def by_skeleton(self, skeleton: str) -> Iterator[int]:
        """Works whose one-word title has the consonants ``skeleton``."""
        return self.lookup(self.skeletons, crc32_of(skeleton))

    def by_external(self, key: str) -> Iterator[int]:
        """Works that carry the external id ``key`` (see ``entries.external_id_key``)."""
        return self.lookup(self.external, hash64(key))

    def lookup(self, column: array[int], hashed: int) -> Iterator[int]:
        """The entries of ``column`` that carry ``hashed``, hash bits removed."""
        position = bisect_left(column, hashed << SHIFT)
        low = (1 << SHIFT) - 1
        while position < len(column) and column[position] >> SHIFT == hashed:
            yield column[position] & low
            position += 1

    def word(self, word: str) -> tuple[int, int] | None:
        """Where ``word``'s postings lie in :attr:`postings`, or ``None`` for an unknown word."""
        hashed = crc32_of(word)
        position = bisect_left(self.word_hashes, hashed)
        if position < len(self.word_hashes) and self.word_hashes[position] == hashed:
            return self.word_starts[position], self.word_starts[position + 1]
        return None
