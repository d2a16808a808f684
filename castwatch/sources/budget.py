"""The error budget: one bad row never costs the inventory, a mostly bad list still fails.

Real panels send the odd row without an id, an episode that is a number, a series whose
answer is a string. Each such row is skipped and counted here, by list and reason, with one
redacted example; the counts become the snapshot's warnings. Only when more than a fraction
of one list is unreadable (``--max-bad-rows``, default 1%) does the read fail, naming the
list and the reasons, so that a panel answering garbage is never stored as a tiny inventory.

Usage, in an adapter::

    budget = BadRows(options.max_bad_rows, secrets=(username, password))
    for row in rows:
        if not usable(row):
            budget.skip("live streams", "stream_id is not a number or a safe token", row)
            continue
        ...
    budget.check("live streams", total=len(rows), url=list_url)  # TooManyBadRows past it
    budget.note("live streams", "repeated stream_id", row)       # counted, never fatal
    inventory.warnings.extend(budget.warnings())

``skip`` counts against the budget; ``note`` records an oddity that lost nothing (a repeated
row, a duplicate JSON key) and never fails the read. List names are the words an analyst
reads in the warning (``live streams``, ``films``, ``series``, ``episodes``,
``series answers``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

from castwatch.catalog.credentials import redact_url
from castwatch.errors import TooManyBadRows

__all__ = ["DEFAULT_MAX_BAD_ROWS", "BadRows", "redact_example"]

#: More than this fraction of one list unreadable fails the read.
DEFAULT_MAX_BAD_ROWS = 0.01
#: Examples are shown in warnings and stored with the snapshot: keep them short.
_EXAMPLE_CHARS = 160
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>]+")


@dataclass(slots=True)
class _Tally:
    count: int = 0
    example: str = ""


@dataclass(slots=True)
class BadRows:
    """Skipped rows and notes of one read, by list and reason; see the module docstring.

    ``max_fraction`` is the share of one list that may be skipped (0 tolerates none, 1
    never fails); ``secrets`` are strings (the account's username and password) masked in
    every example, on top of the URL redaction.
    """

    max_fraction: float = DEFAULT_MAX_BAD_ROWS
    secrets: Iterable[str] = ()
    _skipped: dict[str, dict[str, _Tally]] = field(default_factory=dict)
    _notes: dict[str, dict[str, _Tally]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 0 <= self.max_fraction <= 1:
            raise ValueError(
                f"the bad-row budget is a fraction between 0 and 1 (0.01 is 1%), "
                f"not {self.max_fraction}"
            )
        # Longest first, so that a password containing the username is masked whole.
        self.secrets = tuple(sorted({s for s in self.secrets if s}, key=len, reverse=True))

    def skip(self, list_name: str, reason: str, example: Any = None) -> None:
        """Count one unreadable row of ``list_name``; the first example per reason is kept."""
        _tally(self._skipped, list_name, reason, example, self.secrets)

    def note(self, list_name: str, reason: str, example: Any = None) -> None:
        """Count an oddity that lost nothing; it is a warning and never fails the read."""
        _tally(self._notes, list_name, reason, example, self.secrets)

    def skipped(self, list_name: str) -> int:
        """How many rows of ``list_name`` were skipped so far."""
        return sum(tally.count for tally in self._skipped.get(list_name, {}).values())

    def counts(self) -> dict[str, dict[str, int]]:
        """Skipped rows by list, then by reason."""
        return {
            name: {reason: tally.count for reason, tally in reasons.items()}
            for name, reasons in self._skipped.items()
        }

    def check(self, list_name: str, total: int, url: str | None = None) -> None:
        """Raise :class:`TooManyBadRows` when more than the budget of ``total`` was skipped.

        Cheap enough to call after every skip, which lets a reader give up early on a list
        that is already past the budget instead of reading it to the end.
        """
        bad = self.skipped(list_name)
        if bad == 0 or bad <= self.max_fraction * total:
            return
        reasons = "; ".join(
            f"{tally.count:,} × {reason}" for reason, tally in self._skipped[list_name].items()
        )
        example = next(iter(self._skipped[list_name].values())).example
        raise TooManyBadRows(
            f"{bad:,} of {total:,} rows of the {list_name} list could not be read ({reasons}; "
            f"e.g. {example}), more than the error budget of {self.max_fraction:.2%} allows, "
            "so the read is refused and nothing is stored. Raise --max-bad-rows (a fraction, "
            "1 never fails) to store the readable rows anyway",
            url,
        )

    def warnings(self) -> list[str]:
        """One line per list and reason, skipped rows first, each with its example."""
        lines = [
            f"{name}: {tally.count:,} row(s) skipped, {reason}; e.g. {tally.example}"
            for name, reasons in self._skipped.items()
            for reason, tally in reasons.items()
        ]
        lines.extend(
            f"{name}: {tally.count:,} × {reason}; e.g. {tally.example}"
            for name, reasons in self._notes.items()
            for reason, tally in reasons.items()
        )
        return lines


def _tally(
    table: dict[str, dict[str, _Tally]],
    list_name: str,
    reason: str,
    example: Any,
    secrets: Iterable[str],
) -> None:
    reasons = table.setdefault(list_name, {})
    tally = reasons.get(reason)
    if tally is None:
        # Redacting costs a serialisation: do it once per reason, not once per row.
        tally = reasons[reason] = _Tally(example=redact_example(example, secrets))
    tally.count += 1


def redact_example(example: Any, secrets: Iterable[str] = ()) -> str:
    """A short, printable form of ``example`` with URLs redacted and ``secrets`` masked."""
    if isinstance(example, str):
        text = repr(example)
    else:
        try:
            text = orjson.dumps(example, default=repr).decode()
        except (TypeError, orjson.JSONEncodeError):
            text = repr(example)
    # Mask before cutting, so that no half of a secret survives at the cut.
    text = _URL.sub(lambda match: redact_url(match.group(0)), text)
    for secret in secrets:
        text = text.replace(secret, "***")
    if len(text) > _EXAMPLE_CHARS:
        text = text[: _EXAMPLE_CHARS - 1] + "…"
    return text
