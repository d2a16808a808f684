"""What ``castwatch inspect`` prints for a playlist, counted as the playlist streams past.

:func:`~castwatch.catalog.summary.summarize` needs a whole :class:`Inventory`: for a 250 MB
playlist that held 2.3 GB, though ``inspect`` prints a summary and stores nothing. Here the
same M3U parsing (:class:`~castwatch.sources.m3u.PlaylistBuilder`, so every parsing rule is
the same) turns each item into an entry, and the entry is folded into counters at once and
dropped: totals, counts by kind, groups, and URL shapes per directory. Memory grows with the
number of distinct groups and stream directories, not with the number of entries.

The result has exactly the keys and values of ``summarize`` (``entries``, ``counts``,
``groups``, ``hosts``, in the same order), with one difference: an entry listed twice is not
recognised as a repeat (that needs every key kept), so the "listed more than once" warning
that ``ingest`` gives is absent here.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from castwatch.catalog.endpoints import endpoint_key, path_pattern
from castwatch.catalog.model import Endpoint, Entry, EntryKind
from castwatch.catalog.summary import summary_of
from castwatch.net.policy import FetchOptions
from castwatch.sources.base import Progress, no_progress

#: Distinct (directory, leaf shape) pairs kept before they are folded into endpoints.
_SHAPES_HELD = 10_000
_NO_GROUP = "(no group)"
#: ``kind.value`` through the enum descriptor costs more than the rest of a count.
_KIND_VALUES = {kind: kind.value for kind in EntryKind}


class EntryTally(list[Entry]):
    """A stand-in for ``Inventory.entries`` that counts each entry appended and keeps none.

    ``len()`` is the number appended, so the builder's checks ("no entries: not a
    playlist") and its progress reports read the same as with a real list.
    """

    def __init__(self) -> None:
        super().__init__()
        self.total = 0
        self.kinds: Counter[str] = Counter()
        self.groups: Counter[tuple[str, str]] = Counter()
        self.endpoints: Counter[tuple[str, str, int | None, str]] = Counter()
        self._shapes: Counter[tuple[str, str]] = Counter()

    def append(self, entry: Entry) -> None:
        self.total += 1
        kind = _KIND_VALUES[entry.kind]
        self.kinds[kind] += 1
        self.groups[kind, entry.group or _NO_GROUP] += 1
        url = entry.url
        if url:
            # The same directory/leaf-shape split as summarize_endpoints, so the same hosts.
            head, _, leaf = url.partition("?")[0].rpartition("/")
            stem, dot, extension = leaf.partition(".")
            if stem.isdigit() and stem.isascii():
                # The common leaf (`1234.ts`), shaped without the regular expression.
                shape = "{id}" + dot + extension
            else:
                shape = path_pattern("/" + leaf)[1:]
            self._shapes[head, shape] += 1
            if len(self._shapes) > _SHAPES_HELD:
                self._fold()

    def __len__(self) -> int:
        return self.total

    def __bool__(self) -> bool:
        return self.total > 0

    def _fold(self) -> None:
        # Shapes are folded in first-seen order, so ties among endpoints keep the order
        # summarize_endpoints gives them.
        for (head, leaf), count in self._shapes.items():
            key = endpoint_key(f"{head}/{leaf}")
            if key is not None:
                self.endpoints[key] += count
        self._shapes.clear()

    def hosts(self) -> list[Endpoint]:
        """Every endpoint seen, most used first."""
        self._fold()
        return [
            Endpoint(scheme, host, port, pattern, count)
            for (scheme, host, port, pattern), count in self.endpoints.most_common()
        ]


def summarize_playlist(
    target: str,
    options: FetchOptions | None = None,
    progress: Progress = no_progress,
    top: int = 15,
) -> dict[str, Any]:
    """Read the playlist at ``target`` (file or URL) and summarise it without keeping entries.

    The same keys as :func:`castwatch.catalog.summary.summarize`; raises the same errors as
    reading it with the M3U source.
    """
    # The M3U source's own reader, so the bytes arrive (and fail) exactly as for ingest.
    from castwatch.sources.m3u import PlaylistBuilder, read_playlist

    tally = EntryTally()
    builder = PlaylistBuilder(target, progress, entries=tally)
    inventory = read_playlist(target, options or FetchOptions(), builder)
    counts = _counts(tally.kinds)
    return summary_of(inventory, tally.total, counts, tally.groups, tally.hosts(), top)


def _counts(kinds: Counter[str]) -> dict[str, int]:
    # Inventory.counts() lists every kind, in EntryKind order, zeros included.
    from castwatch.catalog import EntryKind

    return {kind.value: kinds.get(kind.value, 0) for kind in EntryKind}
