"""steps/ledger.py Derived: a row net the steps before the month split keep for the steps
after it, worked out only at the rows the split takes, equal to the whole column."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

np = pytest.importorskip("numpy")
from levyrules.steps.ledger import Derived  # noqa: E402


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-10**9, 10**9), min_size=1, max_size=30), st.data())
def test_derived_equals_the_whole_column_with_what_was_written(values, data):
    whole = np.array(values, np.int64)
    col = Derived(np, lambda rows: whole.take(rows) * 3)
    expect = whole * 3
    for _ in range(data.draw(st.integers(0, 2))):       # with_rows: on a copy each time
        rows = np.array(sorted(data.draw(st.sets(st.integers(0, len(values) - 1)))), np.int64)
        new = data.draw(st.integers(-100, 100))
        before, was = col, expect
        col = col.copy()
        col[rows] = new
        expect = expect.copy()
        expect[rows] = new
        assert before.take(np.arange(len(values))).tolist() == was.tolist()   # untouched
    take = np.array(data.draw(st.lists(st.integers(0, len(values) - 1), max_size=40)), np.int64)
    assert col.take(take).tolist() == expect.take(take).tolist()
