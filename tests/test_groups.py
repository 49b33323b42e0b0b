"""batch/groups.py: rows grouped by household, with households that have no row in a
component (their sums 0, their month mask 0), against plain Python sums."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

np = pytest.importorskip("numpy")
from levyrules.batch.groups import Groups  # noqa: E402


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(0, 4095), max_size=4), min_size=1, max_size=12))
def test_sums_masks_and_maxima_per_group_empty_groups_included(groups):
    hh = np.array([g for g, rows in enumerate(groups) for _ in rows], np.int64)
    values = np.array([v for rows in groups for v in rows], np.int64)
    g = Groups(np, hh, len(groups))
    assert g.sum(values).tolist() == [sum(rows) for rows in groups]
    assert g.sum(values > 2000).tolist() == [sum(v > 2000 for v in rows) for rows in groups]
    assert g.any(values == 7).tolist() == [7 in rows for rows in groups]
    ors = []
    for rows in groups:
        m = 0
        for v in rows:
            m |= v
        ors.append(m)
    assert g.bit_or(values).tolist() == ors
    some = np.flatnonzero(values % 3 == 0)
    got = g.max_of(some, values[some], -1).tolist()
    assert got == [max([v for v in rows if v % 3 == 0], default=-1) for rows in groups]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.tuples(st.booleans(), st.booleans(), st.integers(0, 12)),
                         max_size=6), min_size=1, max_size=12),
       st.integers(1, 9))
def test_counts_of_several_columns_from_one_running_sum(groups, copies):
    """Groups.counts (bit fields of one word per row) equals one sum per column, for
    bools and small ints, whatever the number of columns (one word or several)."""
    rows = [r for rs in groups for r in rs]
    hh = np.array([g for g, rs in enumerate(groups) for _ in rs], np.int64)
    a = np.array([r[0] for r in rows], bool)
    b = np.array([r[1] for r in rows], bool)
    n = np.array([r[2] for r in rows], np.int64)
    g = Groups(np, hh, len(groups))
    cols = [a, b] * copies
    want = [[sum(r[i] for r in rs) for rs in groups] for i in (0, 1)] * copies
    assert [c.tolist() for c in g.counts(cols)] == want
    got = g.counts([n, a, n * b], most=12)
    assert [c.tolist() for c in got] == [[sum(r[2] for r in rs) for rs in groups],
                                         want[0],
                                         [sum(r[2] * r[1] for r in rs) for rs in groups]]


def test_counts_past_a_word_and_a_wrapping_running_sum():
    """A group too large for two fields in a word falls back to one sum per column; a
    running sum that passes 2**64 in its top field still gives each group's exact sum."""
    big = Groups(np, np.zeros(3, np.int64), 1)
    assert [c.tolist() for c in big.counts([np.ones(3, bool)] * 2, most=2 ** 40)] == [[3], [3]]
    hh = np.repeat(np.arange(4000), 20)         # 20 rows a group: 5-bit fields, 12 a word
    g = Groups(np, hh, 4000)
    cols = [np.ones(len(hh), bool)] * 12
    assert all((c == 20).all() for c in g.counts(cols))


def test_rows_of_groups():
    hh = np.array([0, 0, 2, 3, 3, 3], np.int64)
    g = Groups(np, hh, 5)
    assert g.rows(np.array([0, 1, 3, 4])).tolist() == [0, 1, 3, 4, 5]
    assert g.rows(np.array([], np.int64)).tolist() == []
