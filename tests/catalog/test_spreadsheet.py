"""CSV cells that start like a formula are neutralised (OWASP), in every CSV castwatch writes."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from castwatch.catalog.notices import BlockTarget, NoticeFacts, Party, Recipient
from castwatch.catalog.spreadsheet import FORMULA_STARTS, safe_cell
from castwatch.enforce.notices.builtin import blocklist_csv

HOSTILE = ["=cmd|' /C calc'!A0", "+SUM(1,1)", "-2+3", "@SUM(1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_starts_get_a_quote(value: str) -> None:
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["CANAL+ HD", "a=b", "", "'quoted", 12, -1.5, None])
def test_other_cells_are_unchanged(value: object) -> None:
    assert safe_cell(value) == value


@given(st.text(max_size=30))
def test_no_cell_starts_a_formula(value: str) -> None:
    cell = safe_cell(value)
    assert not cell.startswith(FORMULA_STARTS)
    assert cell in (value, "'" + value)


def test_the_blocking_list_csv_is_neutralised() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    targets = [
        BlockTarget(name, "fqdn", (name,), (80,), ("=HYPERLINK(1)",), 1, now, now, ("1:ab",))
        for name in HOSTILE
    ]
    facts = NoticeFacts(
        1, "@case", "blocklist", Party(), Recipient("r", "authority"), now, block_targets=targets
    )
    rows = list(csv.reader(io.StringIO(blocklist_csv(facts), newline="")))
    for row in rows[1:]:
        assert not any(cell.startswith(FORMULA_STARTS) for cell in row)
    assert [row[0] for row in rows[1:]] == ["'" + name for name in HOSTILE]
