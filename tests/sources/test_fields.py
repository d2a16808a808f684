"""The field readers the Xtream and Stalker builders share."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from castwatch.sources.fields import entry_name, finite_float

_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@given(value=_VALUES)
def test_a_float_is_finite_or_none_whatever_comes(value: Any) -> None:
    number = finite_float(value)
    assert number is None or math.isfinite(number)


def test_numbers_as_text_are_read_and_nan_and_infinities_are_not() -> None:
    assert finite_float(" 7.5 ") == 7.5
    assert finite_float(3) == 3.0
    assert [finite_float(v) for v in ("nan", "inf", "-Infinity", "", None, "x", [])] == [None] * 7


@given(value=_VALUES)
def test_a_name_is_text_without_surrounding_space(value: Any) -> None:
    name = entry_name(value)
    assert name == name.strip()
    assert name == ("" if value is None else str(value).strip())
