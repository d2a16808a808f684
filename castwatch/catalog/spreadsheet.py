"""Cells that spreadsheets cannot execute: every CSV castwatch writes goes through here.

Names, groups and URLs come from pirate panels, so a cell such as ``=cmd|' /C calc'!A0`` or
``@SUM(1)`` is hostile input. OWASP's rule for CSV injection: a text cell starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading single quote, which
spreadsheets show as text and never evaluate. Numbers are written as numbers (``-1`` is a
duration, not a formula); only text is changed, and only when it starts that way.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

#: First characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` as a CSV cell: text that would start a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """Every cell of a row through :func:`safe_cell`."""
    return [safe_cell(value) for value in values]
