"""The error budget on its own: counting by list and reason, redacted examples, the limit."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from castwatch.errors import ProtocolError, TooManyBadRows
from castwatch.sources.budget import BadRows, redact_example


def test_skips_are_counted_by_list_and_reason_with_the_first_example() -> None:
    budget = BadRows()
    budget.skip("films", "no stream_id", {"name": "first"})
    budget.skip("films", "no stream_id", {"name": "second"})
    budget.skip("live streams", "a row is a JSON number, not an object", 7)
    assert budget.counts() == {
        "films": {"no stream_id": 2},
        "live streams": {"a row is a JSON number, not an object": 1},
    }
    assert budget.warnings() == [
        'films: 2 row(s) skipped, no stream_id; e.g. {"name":"first"}',
        "live streams: 1 row(s) skipped, a row is a JSON number, not an object; e.g. 7",
    ]


def test_the_budget_is_per_list_and_more_than_the_fraction_fails() -> None:
    budget = BadRows(max_fraction=0.01)
    for _ in range(2):
        budget.skip("films", "no stream_id", {})
    budget.check("films", 200)  # 2 of 200 is 1%: not more than the budget
    budget.check("live streams", 0)  # nothing skipped there
    with pytest.raises(TooManyBadRows) as caught:
        budget.check("films", 199, "http://panel/player_api.php?action=get_vod_streams")
    assert isinstance(caught.value, ProtocolError)
    message = str(caught.value)
    assert message.startswith("2 of 199 rows of the films list could not be read (2 × no")
    assert message.endswith("(http://panel/player_api.php?action=get_vod_streams)")


def test_notes_never_fail() -> None:
    budget = BadRows(max_fraction=0)
    budget.note("live streams", "repeated stream_id (the first row was kept)", {"stream_id": 1})
    budget.check("live streams", 1)
    assert budget.warnings() == [
        'live streams: 1 × repeated stream_id (the first row was kept); e.g. {"stream_id":1}'
    ]


@pytest.mark.parametrize("fraction", [-0.1, 1.5, float("nan")])
def test_a_budget_that_is_no_fraction_is_refused(fraction: float) -> None:
    with pytest.raises(ValueError, match="fraction between 0 and 1"):
        BadRows(max_fraction=fraction)


def test_examples_never_carry_credentials_and_stay_short() -> None:
    row = {
        "direct_source": "http://alice:hunter2-pw@cdn.test/live/alice/hunter2-pw/1.ts",
        "note": "login alice / hunter2-pw",
        "name": "x" * 500,
    }
    text = redact_example(row, secrets=("alice", "hunter2-pw"))
    assert "hunter2" not in text and "alice" not in text
    assert len(text) <= 160 and text.endswith("…")
    assert redact_example("plain") == "'plain'"
    assert redact_example(float("nan")) == "null"


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 50), st.integers(0, 5000), st.floats(0, 1))
def test_check_fails_exactly_past_the_fraction(bad: int, good: int, fraction: float) -> None:
    budget = BadRows(max_fraction=fraction)
    for _ in range(bad):
        budget.skip("episodes", "no episode id", None)
    total = bad + good
    if bad > fraction * total:
        with pytest.raises(TooManyBadRows, match=f"{bad:,} of {total:,} rows of the episodes"):
            budget.check("episodes", total)
    else:
        budget.check("episodes", total)


@settings(max_examples=100, deadline=None)
@given(st.recursive(st.none() | st.integers(-(2**63), 2**63 - 1) | st.text(), st.lists))
def test_any_example_renders(example: object) -> None:
    text = redact_example(example, secrets=("s3cret",))
    assert isinstance(text, str) and len(text) <= 160
    assert "s3cret" not in text
