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
