"""Many names matched in forked processes that share one works index.

:meth:`~castwatch.identify.works.matcher.WorkMatcher.match_many` with ``workers`` above 1 comes
here: the names are cut into small shares that this process and its forked children take one
after the other until none is left (a process on a busy core takes fewer). A child inherits
the index (copy-on-write, nothing is pickled going in) and sends back plain tuples, which
unpickle several times faster than the ``Identification`` dataclass. The answers are those of
one process: every decision depends only on the name and the index.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from castwatch.catalog.registry import Identification

#: Fewer names than this per process are not worth a fork.
MIN_PER_WORKER = 2_000
#: Names in one share: processes take shares one after the other until none is left, so a
#: process on a busy core takes fewer.
SHARE = 500

Query = TypeVar("Query")
#: What a forked child works on (the matching function, the shares, the next share's number):
#: set before the fork, inherited, never pickled.
_WORK: tuple[Callable[[Sequence[Any]], list[Identification]], list[Sequence[Any]], Any] | None = (
    None
)


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def match_forked(
    match_all: Callable[[Sequence[Query]], list[Identification]],
    queries: Sequence[Query],
    workers: int,
) -> list[Identification]:
    """``match_all(queries)`` in ``workers`` processes (this one included), in order."""
    workers = max(1, min(workers, len(queries) // MIN_PER_WORKER))
    if workers < 2:
        return match_all(queries)
    shares = [queries[start : start + SHARE] for start in range(0, len(queries), SHARE)]
    context = multiprocessing.get_context("fork")
    global _WORK
    _WORK = (match_all, shares, context.Value("i", 0))
    try:
        with context.Pool(workers - 1) as pool:
            pending = pool.map_async(_take_shares, range(workers - 1))
            done = {number: answers for number, answers in _take_shares_here()}
            for taken in pending.get():
                for number, rows in taken:
                    done[number] = [Identification(*row) for row in rows]
    finally:
        _WORK = None
    return [found for number in range(len(shares)) for found in done[number]]


def _take_shares_here() -> list[tuple[int, list[Identification]]]:
    """The shares this process took, matched, until none was left."""
    if _WORK is None:
        raise RuntimeError("match_forked sets the work before it forks")
    match_all, shares, next_share = _WORK
    taken: list[tuple[int, list[Identification]]] = []
    while True:
        with next_share.get_lock():
            number = next_share.value
            next_share.value += 1
        if number >= len(shares):
            return taken
        taken.append((number, match_all(shares[number])))


def _take_shares(_: int) -> list[tuple[int, list[tuple[Any, ...]]]]:
    """A forked child's shares, answers as plain tuples of the ``Identification`` fields."""
    return [
        (number, [(a.target_kind, a.target_id, a.confidence, a.why, a.feed_id) for a in answers])
        for number, answers in _take_shares_here()
    ]
